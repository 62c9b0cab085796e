import CGit2

extension Repository {
    /// The paths that differ between two commits' trees, renames detected, in path order.
    ///
    /// `old == nil` diffs against the empty tree, so every file shows as added.
    public func changes(from old: OID?, to new: OID) throws(GitError) -> [FileChange] {
        try withTree(ofCommit: new) { (newTree) throws(GitError) -> [FileChange] in
            guard let old else { return try changes(from: nil, to: newTree) }
            return try withTree(ofCommit: old) { (oldTree) throws(GitError) in
                try changes(from: oldTree, to: newTree)
            }
        }
    }

    private func changes(from oldTree: OpaquePointer?, to newTree: OpaquePointer) throws(GitError) -> [FileChange] {
        var options = git_diff_options()
        try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), "preparing a diff")
        // Without this a file that became a symlink (or the reverse) shows as a delete plus an add.
        options.flags = GIT_DIFF_INCLUDE_TYPECHANGE.rawValue
        var diff: OpaquePointer?
        try check(git_diff_tree_to_tree(&diff, handle, oldTree, newTree, &options), "diffing trees")
        defer { git_diff_free(diff) }

        var find = git_diff_find_options()
        try check(git_diff_find_options_init(&find, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION)), "preparing rename detection")
        find.flags = GIT_DIFF_FIND_RENAMES.rawValue
        try check(git_diff_find_similar(diff, &find), "detecting renames")

        var result: [FileChange] = []
        for index in 0..<git_diff_num_deltas(diff) {
            let delta = git_diff_get_delta(diff, index)!.pointee
            let oldPath = String(cString: delta.old_file.path)
            let newPath = String(cString: delta.new_file.path)
            switch delta.status {
            case GIT_DELTA_ADDED, GIT_DELTA_COPIED:
                result.append(FileChange(path: newPath, kind: .added))
            case GIT_DELTA_DELETED:
                result.append(FileChange(path: oldPath, kind: .deleted))
            case GIT_DELTA_MODIFIED:
                result.append(FileChange(path: newPath, kind: .modified))
            case GIT_DELTA_RENAMED:
                result.append(FileChange(path: newPath, oldPath: oldPath, kind: .renamed))
            case GIT_DELTA_TYPECHANGE:
                result.append(FileChange(path: newPath, kind: .typeChanged))
            default:
                // Unmodified, ignored, untracked, unreadable, conflicted: none arise between two trees.
                continue
            }
        }
        // Rename detection can move a delta away from its path's place; callers want one order.
        return result.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }
}
