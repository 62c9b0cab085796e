import Foundation
import Synchronization
import SluiceGit
import SluiceReconciler
import SluiceServer
import SluiceStore

/// What the HTTP server reads from a running controller: statuses, runs and logs from the store, plans from the status
/// branch, readiness and wake-ups from the loop.
struct ControllerBackend: ServerBackend {
    let controller: Controller
    let store: Store
    let layout: StateLayout
    /// The watched repository, opened per request (a libgit2 handle is for one thread at a time).
    let repository: String
    let statusBranch = "sluice/status"

    private func statuses() throws -> [WorkflowStatus] {
        try WorkflowStatus.collect(from: store, layout: layout, healthy: controller.healthyServices)
    }

    func workflowsJSON() async throws -> Data {
        try await Self.offload { try APIv1.encode(try statuses().map { try APIv1.workflow($0, store: store) }) }
    }

    func workflowJSON(named name: String) async throws -> Data? {
        try await Self.offload { try statuses().first { $0.name == name }.map { try APIv1.encode(try APIv1.workflow($0, store: store)) } }
    }

    func runsJSON(workflow: String, limit: Int) async throws -> Data? {
        try await Self.offload {
            guard try store.workflowState(workflow) != nil else { return nil }
            // A run is at most a few hundred attempts; reading 50 per run asked for finds them in one query.
            let runs = try RunHistory.runs(store: store, workflow: workflow, limit: min(limit * 50, 10_000)).prefix(limit)
            return try APIv1.encode(runs.map { run in
                var summary = APIv1.run(run, store: store)
                summary.tasks = []  // the history lists runs; one run's attempts are in the workflow's `lastRun`
                return summary
            })
        }
    }

    func plansJSON() async throws -> Data {
        try await Self.offload {
            let repository = try GitSource.open(self.repository, stateDirectory: layout.root.path)
            guard let tip = try repository.branchTip(statusBranch) else { return try APIv1.encode([APIv1.Plan]()) }
            let plans = try repository.files(at: tip, under: "plans").filter { $0.path.hasSuffix(".md") }.map { file in
                APIv1.Plan(branch: String(file.path.dropFirst("plans/".count).dropLast(".md".count)),
                           markdown: String(decoding: try repository.blob(file.blob), as: UTF8.self))
            }
            return try APIv1.encode(plans)
        }
    }

    func logs(workflow: String, task: String, attempt: Int?) async throws -> String? {
        try await Self.offload {
            do {
                return try AttemptLogs.text(store: store, workflow: workflow, task: task, attempt: attempt)
            } catch is AttemptLogs.Problem {
                return nil
            }
        }
    }

    func followLogs(workflow: String, task: String, attempt: Int?) async throws -> AsyncStream<LogChunk>? {
        let store = self.store
        let chosen: Attempt
        do {
            chosen = try await Self.offload { try AttemptLogs.attempt(store: store, workflow: workflow, task: task, number: attempt) }
        } catch is AttemptLogs.Problem {
            return nil
        }
        let (stream, continuation) = AsyncStream.makeStream(of: LogChunk.self)
        let gone = Gone()
        continuation.onTermination = { _ in gone.flag.store(true, ordering: .relaxed) }
        // The follower blocks between looks at the files: a thread of its own, never the cooperative pool. It stops when
        // the attempt is over or the client goes; a quiet attempt gets a keep-alive every 15 s, which also finds out.
        let thread = Thread {
            var text = UTF8Chunks()
            var quietSince = Date()
            let ended = try? AttemptLogs.follow(chosen, store: store, idle: {
                guard !gone.flag.load(ordering: .relaxed) else { return false }
                guard Date().timeIntervalSince(quietSince) >= 15 else { return true }
                quietSince = Date()
                if case .terminated = continuation.yield(.keepAlive) { return false }
                return true
            }, emit: { data in
                quietSince = Date()
                guard let whole = text.append(data) else { return true }
                if case .terminated = continuation.yield(.text(whole)) { return false }
                return true
            })
            if let ended { continuation.yield(.end(ended ?? "ended")) }
            continuation.finish()
        }
        thread.name = "sluice.log-follower"
        thread.start()
        return stream
    }

    func rerun(workflow: String, task: String, downstream: Bool, by person: String) async throws -> Data {
        let controller = self.controller
        return try await Self.offload {
            let now = Date()
            let tasks: [String]
            do {
                tasks = try Reruns.request(store: store, workflow: workflow, task: task, downstream: downstream, by: person, at: now)
            } catch let problem as Reruns.Problem {
                throw BackendProblem(problem.kind == .refused ? .refused : .notFound, problem.description)
            }
            controller.wake(reason: "rerun asked for by \(person)")
            return try APIv1.encode(APIv1.Rerun(workflow: workflow, tasks: tasks, requestedBy: person, requestedAt: now))
        }
    }

    /// Runs blocking work (SQLite reads, git, log files) on a dispatch queue, so the cooperative pool that serves HTTP
    /// never waits on it.
    private static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Result { try work() }) }
        }
    }

    func isReady() async -> Bool { controller.isReady }

    func wake(reason: String, ref: String?) async {
        controller.wake(reason: reason + (ref.map { " (\($0))" } ?? ""))
    }
}

/// Set once the client of a followed log has gone.
private final class Gone: Sendable {
    let flag = Atomic(false)
}

/// Log bytes as text, a character split across two reads kept whole: the bytes of an unfinished UTF-8 sequence wait for
/// the next read.
struct UTF8Chunks {
    private var pending = Data()

    /// The text up to the last complete character; nil when that is nothing yet.
    mutating func append(_ data: Data) -> String? {
        pending.append(data)
        var end = pending.endIndex
        // Back up over continuation bytes to the start of the last sequence, and keep it if it is incomplete.
        var start = end
        while start > pending.startIndex, pending[pending.index(before: start)] & 0xC0 == 0x80, end - start < 3 { start -= 1 }
        if start > pending.startIndex {
            let lead = pending[pending.index(before: start)]
            let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
            if length > 1 && end - pending.index(before: start) < length { end = pending.index(before: start) }
        }
        guard end > pending.startIndex else { return nil }
        let text = String(decoding: pending[pending.startIndex..<end], as: UTF8.self)
        pending = Data(pending[end...])
        return text
    }
}
