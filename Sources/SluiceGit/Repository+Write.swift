import CGit2
import Foundation

extension Repository {
    /// Writes a commit whose tree is exactly `files` onto `refs/heads/<branch>`, with the branch's
    /// tip (if any) as parent, and returns it. Touches no working tree and no index.
    ///
    /// - Parameters:
    ///   - files: path → bytes; "/"-separated paths, folders made as needed. Every file gets mode 100644.
    ///   - message: the commit message; a final newline is added when missing, as `git commit` does.
    ///   - allowEmpty: when `false` and the tree equals the tip's, nothing is written and the tip is
    ///     returned, so a writer that runs every pass never makes an empty commit.
    /// - Throws: `GitError` with `GIT_EMODIFIED` when another writer moved the branch meanwhile.
    @discardableResult
    public func commit(
        files: [String: Data], toBranch branch: String, message: String, author: Signature,
        allowEmpty: Bool = true
    ) throws(GitError) -> OID {
        var entries: [String: TreeEntry] = [:]
        for (path, data) in files {
            let entry = try writeBlob(data, path: path, mode: GIT_FILEMODE_BLOB)
            entries[entry.path] = entry
        }
        return try commit(entries: entries, branch: branch, message: message, author: author, allowEmpty: allowEmpty)
    }

    /// Writes a commit onto `refs/heads/<branch>` whose tree is the tip's with `files` applied:
    /// bytes add or replace a file (keeping an existing file's executable bit), `nil` deletes the
    /// path, or everything under it when it is a folder.
    @discardableResult
    public func commit(
        changing files: [String: Data?], onBranch branch: String, message: String, author: Signature,
        allowEmpty: Bool = true
    ) throws(GitError) -> OID {
        var entries: [String: TreeEntry] = [:]
        if let tip = try branchTip(branch) {
            try withTree(ofCommit: tip) { (tree) throws(GitError) in
                var all: [TreeEntry] = []
                try self.entries(in: tree, prefix: "", into: &all)
                for entry in all { entries[entry.path] = entry }
            }
        }
        for (path, data) in files {
            let key = Self.normalise(path)
            if let data {
                let existing = entries[key]?.mode
                let mode = existing == GIT_FILEMODE_BLOB_EXECUTABLE ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB
                entries[key] = try writeBlob(data, path: path, mode: mode)
            } else {
                entries[key] = nil
                let folder = key + "/"
                entries = entries.filter { !$0.key.hasPrefix(folder) }
            }
        }
        return try commit(entries: entries, branch: branch, message: message, author: author, allowEmpty: allowEmpty)
    }

    // MARK: - Building trees and commits

    private func writeBlob(_ data: Data, path: String, mode: git_filemode_t) throws(GitError) -> TreeEntry {
        let key = Self.normalise(path)
        guard !key.isEmpty else {
            throw GitError(code: GIT_EINVALID.rawValue, message: "writing '\(path)': not a file path")
        }
        var oid = git_oid()
        let result = data.withUnsafeBytes { bytes in
            git_blob_create_from_buffer(&oid, handle, bytes.baseAddress, bytes.count)
        }
        try check(result, "writing the blob for \(key)")
        return TreeEntry(path: key, oid: oid, mode: mode)
    }

    func commit(
        entries: [String: TreeEntry], branch: String, message: String, author: Signature, allowEmpty: Bool
    ) throws(GitError) -> OID {
        var root = Folder()
        for entry in entries.values {
            try root.insert(entry, components: entry.path.split(separator: "/").map(String.init)[...])
        }
        var treeID = try writeTree(root)
        var tree: OpaquePointer?
        try check(git_tree_lookup(&tree, handle, &treeID), "reading the new tree")
        defer { git_tree_free(tree) }

        let tip = try branchTip(branch)
        var parent: OpaquePointer?
        if let tip {
            var tipID = tip.raw
            try check(git_commit_lookup(&parent, handle, &tipID), "reading the tip of \(branch)")
        }
        defer { git_commit_free(parent) }
        if !allowEmpty, let parent, git_oid_equal(git_commit_tree_id(parent), &treeID) == 1, let tip {
            return tip
        }

        var signature: UnsafeMutablePointer<git_signature>?
        let offset = TimeZone.current.secondsFromGMT(for: author.time) / 60
        try check(
            git_signature_new(&signature, author.name, author.email, git_time_t(author.time.timeIntervalSince1970), Int32(offset)),
            "making the signature for \(author.email)")
        defer { git_signature_free(signature) }

        let text = message.hasSuffix("\n") ? message : message + "\n"
        var oid = git_oid()
        var parents: [OpaquePointer?] = parent.map { [$0] } ?? []
        // With update_ref, libgit2 moves the branch only if its tip is still our first parent.
        let result = parents.withUnsafeMutableBufferPointer { buffer in
            git_commit_create(
                &oid, handle, "refs/heads/\(branch)", signature, signature, nil, text, tree,
                buffer.count, buffer.baseAddress)
        }
        try check(result, "committing to \(branch)")
        return OID(oid)
    }

    private func writeTree(_ folder: Folder) throws(GitError) -> git_oid {
        var builder: OpaquePointer?
        try check(git_treebuilder_new(&builder, handle, nil), "starting a tree")
        defer { git_treebuilder_free(builder) }
        for (name, child) in folder.children {
            var oid: git_oid
            let mode: git_filemode_t
            switch child {
            case .file(let entry):
                (oid, mode) = (entry.oid, entry.mode)
            case .folder(let subfolder):
                (oid, mode) = (try writeTree(subfolder), GIT_FILEMODE_TREE)
            }
            try check(git_treebuilder_insert(nil, builder, name, &oid, mode), "adding '\(name)' to a tree")
        }
        var oid = git_oid()
        try check(git_treebuilder_write(&oid, builder), "writing a tree")
        return oid
    }
}

/// A folder of a tree being built from a flat path → entry map.
private struct Folder {
    enum Child {
        case file(TreeEntry)
        indirect case folder(Folder)
    }

    var children: [String: Child] = [:]

    mutating func insert(_ entry: TreeEntry, components: ArraySlice<String>) throws(GitError) {
        let name = components.first!
        if components.count == 1 {
            if case .folder = children[name] { throw Self.conflict(entry.path) }
            children[name] = .file(entry)
            return
        }
        var folder: Folder
        // Taken out before mutating so the subfolder's storage is not copied on every insert.
        switch children.removeValue(forKey: name) {
        case .none: folder = Folder()
        case .folder(let existing): folder = existing
        case .file(let file):
            children[name] = .file(file)
            throw Self.conflict(entry.path)
        }
        try folder.insert(entry, components: components.dropFirst())
        children[name] = .folder(folder)
    }

    private static func conflict(_ path: String) -> GitError {
        GitError(code: GIT_EINVALID.rawValue, message: "writing '\(path)': a file and a folder share a path")
    }
}
