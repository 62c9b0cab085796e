import Foundation

/// Who wrote a commit, and when.
public struct Signature: Sendable {
    public var name: String
    public var email: String
    public var time: Date

    public init(name: String, email: String, time: Date = Date()) {
        self.name = name
        self.email = email
        self.time = time
    }
}

/// A commit copied out of libgit2.
public struct CommitInfo: Sendable, Hashable {
    public let oid: OID
    public let tree: OID
    /// First parent first, as git records them.
    public let parents: [OID]
    /// The first paragraph of the message, folded onto one line.
    public let summary: String
    /// The full message, trailers included.
    public let message: String
    public let authorName: String
    public let authorEmail: String
    /// When the commit was made (committer time), which is what `git log` orders by.
    public let time: Date

    public init(
        oid: OID, tree: OID, parents: [OID], summary: String, message: String,
        authorName: String, authorEmail: String, time: Date
    ) {
        self.oid = oid
        self.tree = tree
        self.parents = parents
        self.summary = summary
        self.message = message
        self.authorName = authorName
        self.authorEmail = authorEmail
        self.time = time
    }
}

/// A blob in a commit's tree.
public struct TreeFile: Sendable, Hashable {
    /// Relative to the repository root, "/"-separated.
    public let path: String
    public let blob: OID
    public let isExecutable: Bool

    public init(path: String, blob: OID, isExecutable: Bool = false) {
        self.path = path
        self.blob = blob
        self.isExecutable = isExecutable
    }
}

/// How a path differs between two trees.
public enum ChangeKind: String, Sendable {
    case added, modified, deleted, renamed, typeChanged
}

/// One path that differs between two trees.
public struct FileChange: Sendable, Hashable {
    /// The path in the new tree (in the old tree for a deletion).
    public let path: String
    /// Where a renamed file came from; `nil` for every other kind.
    public let oldPath: String?
    public let kind: ChangeKind

    public init(path: String, oldPath: String? = nil, kind: ChangeKind) {
        self.path = path
        self.oldPath = oldPath
        self.kind = kind
    }
}
