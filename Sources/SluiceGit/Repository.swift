import CGit2
import Foundation

/// libgit2's global state, set up once on first use by any `Repository` entry point.
///
/// A lazily initialised global `let` runs its initialiser exactly once, thread-safely, so
/// `git_libgit2_init()` is never called twice and never needs a matching shutdown.
let libgit2Features: Int32 = {
    git_libgit2_init()
    return git_libgit2_features()
}()

/// A git repository opened through libgit2.
///
/// Owns its `git_repository*`. Not `Sendable`: libgit2 allows one thread per repository
/// handle at a time, so a task that needs the repository opens its own or keeps it to itself.
public final class Repository {
    let handle: OpaquePointer

    private init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        git_repository_free(handle)
    }

    /// Opens the repository at exactly `path`: a working tree, its `.git` folder, or a bare repository.
    public static func open(at path: String) throws(GitError) -> Repository {
        _ = libgit2Features
        var raw: OpaquePointer?
        try check(git_repository_open(&raw, path), "opening repository at \(path)")
        return Repository(handle: raw!)
    }

    /// The repository `path` is in, looked for upward as git does (`git -C path`): the top of its working tree, or the
    /// bare repository itself. `nil` when no folder from `path` up to `/` is one.
    public static func root(containing path: String) -> String? {
        _ = libgit2Features
        var raw: OpaquePointer?
        guard git_repository_open_ext(&raw, path, 0, nil) == 0, let raw else { return nil }
        let repository = Repository(handle: raw)
        return repository.workingDirectory ?? repository.path
    }

    /// Creates a new, empty repository (and any missing parent folders) whose HEAD names `initialBranch`.
    public static func create(at path: String, bare: Bool = false, initialBranch: String = "main") throws(GitError) -> Repository {
        _ = libgit2Features
        var options = git_repository_init_options()
        try check(
            git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)),
            "preparing to create repository at \(path)")
        options.flags = GIT_REPOSITORY_INIT_MKPATH.rawValue
        if bare { options.flags |= GIT_REPOSITORY_INIT_BARE.rawValue }
        var raw: OpaquePointer?
        let result = initialBranch.withCString { branch in
            options.initial_head = branch
            return git_repository_init_ext(&raw, path, &options)
        }
        try check(result, "creating repository at \(path)")
        return Repository(handle: raw!)
    }

    /// The git folder: `.git` of a working tree, or the repository itself when bare.
    public var path: String {
        Self.trimmingSlash(String(cString: git_repository_path(handle)))
    }

    /// The working tree, `nil` for a bare repository.
    public var workingDirectory: String? {
        git_repository_workdir(handle).map { Self.trimmingSlash(String(cString: $0)) }
    }

    public var isBare: Bool {
        git_repository_is_bare(handle) == 1
    }

    private static func trimmingSlash(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}

// MARK: - Internal helpers shared by the feature files

extension Repository {
    /// Runs `body` with the commit `oid` names, peeling an annotated tag to its commit.
    func withCommit<T>(_ oid: OID, _ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T {
        var raw = oid.raw
        var object: OpaquePointer?
        try check(git_object_lookup(&object, handle, &raw, GIT_OBJECT_ANY), "looking up commit \(oid.short)")
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), "reading \(oid.short) as a commit")
        defer { git_object_free(commit) }
        return try body(commit!)
    }

    /// Runs `body` with the root tree of the commit `oid`.
    func withTree<T>(ofCommit oid: OID, _ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T {
        try withCommit(oid) { (commit) throws(GitError) -> T in
            var tree: OpaquePointer?
            try check(git_commit_tree(&tree, commit), "reading the tree of commit \(oid.short)")
            defer { git_tree_free(tree) }
            do throws(GitError) {
                return try body(tree!)
            } catch {
                guard error.code == GIT_EINVALID.rawValue else { throw error }
                // The walkers do not know which commit they walk; the reader of the error needs it.
                throw GitError(code: error.code, message: "commit \(oid.hex): \(error.message)")
            }
        }
    }

    /// A repository path in the form trees use: "/"-separated, no empty or "." parts; "" is the root.
    static func normalise(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: true)
            .filter { $0 != "." }
            .joined(separator: "/")
    }
}
