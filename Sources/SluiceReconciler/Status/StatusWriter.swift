import Foundation
import SluiceGit

/// Commits the status tree onto the status branch of the watched repository, and pushes it when that
/// repository is a mirror of a remote.
public struct StatusWriter: Sendable {
    public var branch: String
    public var author: Signature
    /// How many times a push rejected as non-fast-forward is rebuilt on the new remote tip and retried.
    public var pushAttempts: Int
    /// A lock on the status branch older than this many seconds belongs to a writer that died; it is removed.
    public var staleLockAge = 5.0
    /// Pages rendered by earlier writes of the same writer's owner.
    public var cache: RenderCache

    public init(branch: String = "sluice/status", author: Signature = Signature(name: "Sluice", email: "sluice@localhost"), pushAttempts: Int = 5,
                cache: RenderCache = RenderCache()) {
        self.branch = branch
        self.author = author
        self.pushAttempts = pushAttempts
        self.cache = cache
    }

    /// The counts DESIGN.md §7 puts first in a status commit's message: `<workflow>: <n> succeeded, <m> failed`, with
    /// `, <k> cancelled` and `, <j> skipped` when there are any.
    static func counts(_ workflows: [WorkflowStatus]) -> String {
        workflows.map { "\($0.name): \($0.counts)" }.joined(separator: "; ")
    }

    /// Writes the status of `all` workflows; the message names those in `changed`. Returns the new commit, or nil
    /// when the tree is unchanged (never an empty commit).
    @discardableResult
    public func write(_ all: [WorkflowStatus], changed: [WorkflowStatus], source: OID, to repository: Repository,
                      repositoryName: String, plans: [String: String] = [:], notice: String? = nil, push: Bool) throws -> OID? {
        var files = try StatusRenderer.files(all, repositoryName: repositoryName, cache: cache)
        if let notice, let overview = files["README.md"] { files["README.md"] = overview + Data("\n\(notice)".utf8) }
        for (path, page) in plans { files[path] = Data(page.utf8) }
        if !plans.isEmpty, let overview = files["README.md"] {
            let links = plans.keys.sorted().map { "- [\($0.dropFirst("plans/".count).dropLast(3))](\($0))\n" }.joined()
            files["README.md"] = overview + Data("\n## Other branches\n\nWhat merging each would run, and why:\n\n\(links)".utf8)
        }
        let statusDigest = files.filter { !$0.key.hasPrefix("plans/") && $0.key != "README.md" }.sorted { $0.key < $1.key }
            .reduce(into: Hasher()) { $0.combine($1.key); $0.combine($1.value) }.finalize()
        let previous = try cache.previous(in: repository, branch: branch)
        let message = StatusMessage.make(all, changed: changed, source: source, sourceSummary: try? repository.commitInfo(source).summary,
                                         previous: previous, statusDigest: statusDigest,
                                         planBranches: plans.keys.sorted().map { String($0.dropFirst("plans/".count).dropLast(3)) })
        for attempt in 1...max(1, pushAttempts) {
            let before = try repository.branchTip(branch)
            let commit = try commitRemovingStaleLock(files, message: message, to: repository)
            let made = commit != before
            if made {
                cache.remember(StatusMessage.Previous(source: source.hex, summary: message.split(separator: "\n").first.map(String.init),
                                                      phases: StatusMessage.phases(all), statusDigest: statusDigest))
            }
            guard push else { return made ? commit : nil }
            let rejection = pushRejection(repository)
            guard let rejection else { return made ? commit : nil }
            guard rejection.isNonFastForward, attempt < pushAttempts else { throw rejection }
            // Someone else moved the branch: take their tip and write our tree on top of it; the tree
            // comes from the store, so nothing of ours is lost.
            try repository.fetch()
        }
        return nil
    }

    /// Commits the status; when the branch's lock is held by a writer that died (old enough to be nobody's), removes
    /// it and writes again.
    private func commitRemovingStaleLock(_ files: [String: Data], message: String, to repository: Repository) throws -> OID {
        do {
            return try repository.commit(files: files, toBranch: branch, message: message, author: author, allowEmpty: false)
        } catch {
            guard error.isLocked, repository.removeStaleLock(ofBranch: branch, olderThan: staleLockAge) else { throw error }
            return try repository.commit(files: files, toBranch: branch, message: message, author: author, allowEmpty: false)
        }
    }

    /// Pushes the status branch; the error when the remote refused it, nil when it took it.
    private func pushRejection(_ repository: Repository) -> GitError? {
        do {
            try repository.push(branch: branch)
            return nil
        } catch {
            return error
        }
    }
}
