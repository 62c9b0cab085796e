import CGit2

extension Repository {
    /// `git add -A && git commit`: commits every file of the working tree (except what `.gitignore` ignores)
    /// onto the branch HEAD names, on top of its tip, executable bits kept, and leaves the index matching.
    @discardableResult
    public func commitWorkingTree(message: String, author: Signature) throws(GitError) -> OID {
        var index: OpaquePointer?
        try check(git_repository_index(&index, handle), "opening the index")
        defer { git_index_free(index) }
        try check(git_index_add_all(index, nil, 0, nil, nil), "adding the working tree to the index")
        try check(git_index_write(index), "writing the index")
        var entries: [String: TreeEntry] = [:]
        for position in 0..<git_index_entrycount(index) {
            let entry = git_index_get_byindex(index, position)!.pointee
            let path = String(cString: entry.path)
            entries[path] = TreeEntry(path: path, oid: entry.id, mode: git_filemode_t(rawValue: entry.mode))
        }
        return try commit(entries: entries, branch: try defaultBranch(), message: message, author: author, allowEmpty: true)
    }
}

extension Repository {
    /// The identity git would commit as here: `user.name` and `user.email` from the repository's, the user's and the
    /// system's configuration; nil when either is not set.
    public func configuredSignature() -> Signature? {
        var raw: UnsafeMutablePointer<git_signature>?
        guard git_signature_default(&raw, handle) == 0, let signature = raw else { return nil }
        defer { git_signature_free(signature) }
        return Signature(name: String(cString: signature.pointee.name), email: String(cString: signature.pointee.email))
    }
}
