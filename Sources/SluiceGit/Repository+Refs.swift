import CGit2
import Foundation

extension Repository {
    /// Resolves a branch, remote branch, tag (annotated or light), full or abbreviated commit hex,
    /// `HEAD`, or any rev-parse expression (`main~2`, `v1^{commit}`) to the commit it names.
    ///
    /// A bare name that rev-parse does not know is also tried as `refs/remotes/origin/<name>`, so
    /// `"main"` finds the remote branch in an ordinary clone as well as in a mirror.
    public func resolve(_ ref: String) throws(GitError) -> OID {
        do {
            return try peelToCommit(ref)
        } catch {
            guard error.isNotFound, !ref.isEmpty, !ref.hasPrefix("refs/"),
                  let remote = try? peelToCommit("refs/remotes/origin/\(ref)")
            else { throw error }
            return remote
        }
    }

    /// The branch HEAD names, e.g. `"main"`; works before the first commit (an unborn HEAD) too.
    public func defaultBranch() throws(GitError) -> String {
        if let branch = try symbolicBranch("HEAD") { return branch }
        // A detached HEAD says nothing; an ordinary clone still knows the remote's choice.
        if let branch = try? symbolicBranch("refs/remotes/origin/HEAD") {
            return branch
        }
        throw GitError(code: GIT_ENOTFOUND.rawValue, message: "finding the default branch: HEAD is detached")
    }

    /// The full name of the branch HEAD points at (`refs/heads/main`), or nil when HEAD is detached.
    public func headBranchReference() throws(GitError) -> String? {
        try symbolicBranch("HEAD").map { "refs/heads/\($0)" }
    }

    /// The commit at the tip of `refs/heads/<branch>`, `nil` when the branch does not exist.
    public func branchTip(_ branch: String) throws(GitError) -> OID? {
        var oid = git_oid()
        let result = git_reference_name_to_id(&oid, handle, "refs/heads/\(branch)")
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "reading branch \(branch)")
        return OID(oid)
    }

    private func peelToCommit(_ spec: String) throws(GitError) -> OID {
        var object: OpaquePointer?
        try check(git_revparse_single(&object, handle, spec), "resolving '\(spec)'")
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), "resolving '\(spec)' to a commit")
        defer { git_object_free(commit) }
        return OID(git_object_id(commit)!)
    }

    /// The branch a symbolic reference points at, without `refs/heads/` (or `refs/remotes/<remote>/`);
    /// `nil` when the reference is direct (detached).
    private func symbolicBranch(_ name: String) throws(GitError) -> String? {
        var reference: OpaquePointer?
        try check(git_reference_lookup(&reference, handle, name), "reading \(name)")
        defer { git_reference_free(reference) }
        guard git_reference_type(reference) == GIT_REFERENCE_SYMBOLIC,
              let target = git_reference_symbolic_target(reference)
        else { return nil }
        let full = String(cString: target)
        if full.hasPrefix("refs/heads/") { return String(full.dropFirst("refs/heads/".count)) }
        if full.hasPrefix("refs/remotes/") {
            // refs/remotes/origin/main → main
            return full.split(separator: "/", maxSplits: 3).dropFirst(3).first.map(String.init) ?? full
        }
        return full
    }
}

extension Repository {
    /// Names of the local branches (`refs/heads/*`), sorted; in a mirror these are the remote's branches.
    public func branches() throws(GitError) -> [String] {
        var iterator: OpaquePointer?
        try check(git_branch_iterator_new(&iterator, handle, GIT_BRANCH_LOCAL), "listing branches")
        defer { git_branch_iterator_free(iterator) }
        var names: [String] = []
        while true {
            var reference: OpaquePointer?
            var type = GIT_BRANCH_LOCAL
            let result = git_branch_next(&reference, &type, iterator)
            if result == GIT_ITEROVER.rawValue { break }
            try check(result, "listing branches")
            defer { git_reference_free(reference) }
            var name: UnsafePointer<CChar>?
            try check(git_branch_name(&name, reference), "reading a branch name")
            if let name { names.append(String(cString: name)) }
        }
        return names.sorted()
    }
}

extension Repository {
    /// Removes `refs/heads/<branch>.lock` when it is older than `age` seconds: the lock of a writer that died
    /// mid-update (a controller SIGKILLed while committing its status), which git never removes by itself and which
    /// would refuse every later update of the branch.
    ///
    /// - Returns: whether a stale lock was removed.
    public func removeStaleLock(ofBranch branch: String, olderThan age: Double) -> Bool {
        let lock = path + "/refs/heads/" + branch + ".lock"
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: lock),
              let modified = attributes[.modificationDate] as? Date,
              Date().timeIntervalSince(modified) > age else { return false }
        return (try? FileManager.default.removeItem(atPath: lock)) != nil
    }
}
