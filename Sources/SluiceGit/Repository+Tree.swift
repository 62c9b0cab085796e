import CGit2
import Foundation

extension Repository {
    /// The commit `oid` names (an annotated tag is peeled to its commit).
    public func commitInfo(_ oid: OID) throws(GitError) -> CommitInfo {
        try withCommit(oid) { commit in
            let author = git_commit_author(commit)!.pointee
            return CommitInfo(
                oid: OID(git_commit_id(commit)!),
                tree: OID(git_commit_tree_id(commit)!),
                parents: (0..<git_commit_parentcount(commit)).map { OID(git_commit_parent_id(commit, $0)!) },
                summary: git_commit_summary(commit).map { String(cString: $0) } ?? "",
                message: git_commit_message(commit).map { String(cString: $0) } ?? "",
                authorName: String(cString: author.name),
                authorEmail: String(cString: author.email),
                time: Date(timeIntervalSince1970: TimeInterval(git_commit_time(commit))))
        }
    }

    /// Every blob of the commit's tree, recursively, sorted by path; only those under
    /// `folder` ("manifests" or "manifests/") when it is given. A missing folder gives `[]`.
    public func files(at commit: OID, under folder: String? = nil) throws(GitError) -> [TreeFile] {
        let prefix = Self.normalise(folder ?? "")
        return try withTree(ofCommit: commit) { (root) throws(GitError) -> [TreeFile] in
            guard !prefix.isEmpty else { return try blobFiles(in: root, prefix: "") }
            return try withEntry(prefix, in: root) { (entry) throws(GitError) -> [TreeFile] in
                guard let entry, git_tree_entry_type(entry) == GIT_OBJECT_TREE else { return [] }
                return try withSubtree(entry) { (tree) throws(GitError) in try blobFiles(in: tree, prefix: prefix) }
            }
        }
    }

    /// The bytes of a blob.
    public func blob(_ oid: OID) throws(GitError) -> Data {
        var raw = oid.raw
        var blob: OpaquePointer?
        try check(git_blob_lookup(&blob, handle, &raw), "looking up blob \(oid.short)")
        defer { git_blob_free(blob) }
        return Self.bytes(of: blob!)
    }

    /// The file's bytes at that commit; `nil` when no blob is at that path (nothing, or a folder).
    public func contents(of path: String, at commit: OID) throws(GitError) -> Data? {
        let path = Self.normalise(path)
        guard !path.isEmpty else { return nil }
        return try withTree(ofCommit: commit) { (root) throws(GitError) -> Data? in
            try withEntry(path, in: root) { (entry) throws(GitError) -> Data? in
                guard let entry, git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }
                var object: OpaquePointer?
                try check(git_tree_entry_to_object(&object, handle, entry), "reading \(path)")
                defer { git_object_free(object) }
                return Self.bytes(of: object!)
            }
        }
    }

    /// The first folder of `path` that is a symlink in the commit (`data` for `data/train.csv` when `data` is a link),
    /// or nil. Tree lookups do not follow links, so such a path has nothing behind it.
    public func symlink(onPathTo path: String, in commit: OID) throws(GitError) -> String? {
        let parts = Self.normalise(path).split(separator: "/").dropLast()
        return try withTree(ofCommit: commit) { (root) throws(GitError) -> String? in
            var prefix = ""
            for part in parts {
                prefix = prefix.isEmpty ? String(part) : "\(prefix)/\(part)"
                let mode = try withEntry(prefix, in: root) { entry in entry.map { git_tree_entry_filemode($0) } }
                guard let mode else { return nil }
                if mode == GIT_FILEMODE_LINK { return prefix }
            }
            return nil
        }
    }

    /// The blobs behind an input path: a file gives itself, a folder every blob under it
    /// (sorted by path), `""` the whole tree; `nil` when nothing is at that path.
    public func blobs(at path: String, in commit: OID) throws(GitError) -> [TreeFile]? {
        let path = Self.normalise(path)
        return try withTree(ofCommit: commit) { (root) throws(GitError) -> [TreeFile]? in
            guard !path.isEmpty else { return try blobFiles(in: root, prefix: "") }
            return try withEntry(path, in: root) { (entry) throws(GitError) -> [TreeFile]? in
                guard let entry else { return nil }
                switch git_tree_entry_type(entry) {
                case GIT_OBJECT_BLOB:
                    return [TreeFile(path: path, blob: OID(git_tree_entry_id(entry)!),
                                     isExecutable: git_tree_entry_filemode(entry) == GIT_FILEMODE_BLOB_EXECUTABLE)]
                case GIT_OBJECT_TREE:
                    return try withSubtree(entry) { (tree) throws(GitError) in try blobFiles(in: tree, prefix: path) }
                default:
                    // A submodule: something is there, but no blob of this repository.
                    return []
                }
            }
        }
    }
}

// MARK: - Walking trees

/// A non-tree entry of a tree, with its full path; what the writer needs to rebuild a tree.
struct TreeEntry {
    var path: String
    var oid: git_oid
    var mode: git_filemode_t
}

extension Repository {
    /// Every non-tree entry under `tree` (blobs, symlinks, submodules), depth first. Refuses a tree with an entry no
    /// file system path can safely name (see ``checkEntryNames(of:prefix:)``).
    func entries(in tree: OpaquePointer, prefix: String, into result: inout [TreeEntry]) throws(GitError) {
        try checkEntryNames(of: tree, prefix: prefix)
        for index in 0..<git_tree_entrycount(tree) {
            let entry = git_tree_entry_byindex(tree, index)!
            let name = String(cString: git_tree_entry_name(entry))
            let path = prefix.isEmpty ? name : "\(prefix)/\(name)"
            if git_tree_entry_type(entry) == GIT_OBJECT_TREE {
                try withSubtree(entry) { (subtree) throws(GitError) in
                    try entries(in: subtree, prefix: path, into: &result)
                }
            } else {
                result.append(TreeEntry(path: path, oid: git_tree_entry_id(entry)!.pointee, mode: git_tree_entry_filemode(entry)))
            }
        }
    }

    /// git's CLI never writes `..`, `.git` or `a/b` as a tree entry's name, but other tools and a self-hosted remote
    /// accept a tree that has them. Joined onto a folder, such a name escapes it (`../../tmp/x`) or plants a
    /// repository's metadata in a checkout; two entries with one name make the second overwrite the first. Nothing in
    /// such a tree is read. (A NUL cannot occur: libgit2 ends each name at the first one.)
    func checkEntryNames(of tree: OpaquePointer, prefix: String) throws(GitError) {
        var seen = Set<String>()
        for index in 0..<git_tree_entrycount(tree) {
            let name = String(cString: git_tree_entry_name(git_tree_entry_byindex(tree, index)!))
            let folder = prefix.isEmpty ? "the root folder" : "folder '\(prefix)'"
            let problem: String? =
                name.isEmpty || name == "." || name == ".." ? "is a relative path"
                : name.lowercased() == ".git" ? "would plant git metadata"
                : name.contains("/") ? "contains '/'"
                : !seen.insert(name).inserted ? "is a duplicate"
                : nil
            if let problem {
                throw GitError(code: GIT_EINVALID.rawValue,
                               message: "unsafe tree entry '\(name)' in \(folder): the name \(problem); Sluice reads nothing of this commit. Remove the entry with a new commit")
            }
        }
    }

    /// The blobs under `tree`, sorted by the bytes of their paths so every caller sees one order.
    func blobFiles(in tree: OpaquePointer, prefix: String) throws(GitError) -> [TreeFile] {
        var all: [TreeEntry] = []
        try entries(in: tree, prefix: prefix, into: &all)
        return all
            .filter { $0.mode == GIT_FILEMODE_BLOB || $0.mode == GIT_FILEMODE_BLOB_EXECUTABLE || $0.mode == GIT_FILEMODE_LINK }
            .map { TreeFile(path: $0.path, blob: OID($0.oid), isExecutable: $0.mode == GIT_FILEMODE_BLOB_EXECUTABLE) }
            .sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    /// Runs `body` with the entry at `path` under `tree`, or `nil` when there is none.
    func withEntry<T>(_ path: String, in tree: OpaquePointer, _ body: (OpaquePointer?) throws(GitError) -> T) throws(GitError) -> T {
        var entry: OpaquePointer?
        let result = git_tree_entry_bypath(&entry, tree, path)
        if result == GIT_ENOTFOUND.rawValue { return try body(nil) }
        try check(result, "looking up \(path)")
        defer { git_tree_entry_free(entry) }
        return try body(entry)
    }

    func withSubtree<T>(_ entry: OpaquePointer, _ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T {
        var tree: OpaquePointer?
        try check(git_tree_lookup(&tree, handle, git_tree_entry_id(entry)), "reading folder \(String(cString: git_tree_entry_name(entry)))")
        defer { git_tree_free(tree) }
        return try body(tree!)
    }

    /// Copies a blob's bytes out; `blob` may be a `git_blob*` or a `git_object*` of blob type.
    static func bytes(of blob: OpaquePointer) -> Data {
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let bytes = git_blob_rawcontent(blob) else { return Data() }
        return Data(bytes: bytes, count: size)
    }
}
