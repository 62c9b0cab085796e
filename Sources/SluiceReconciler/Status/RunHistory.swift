import Foundation
import SluiceStore

/// A workflow's runs, as the dashboard's history and gantt show them: the attempts that started, split where a commit
/// changes, or a task starts again after it succeeded or at another fingerprint (a cron tick, a rerun), so retries stay
/// in their run.
public struct WorkflowRun: Sendable, Hashable {
    public var commit: String
    /// The attempts of the run, oldest first, services included.
    public var attempts: [Attempt]

    /// `running` while a batch attempt has not ended; `failed` when a task's last attempt in the run did not succeed.
    public var outcome: String {
        let batch = attempts.filter { !$0.isService }
        if batch.contains(where: { !$0.phase.isFinal }) { return "running" }
        let last = Dictionary(batch.map { ($0.task, $0) }, uniquingKeysWith: { _, newer in newer })
        return last.values.contains { $0.phase != .succeeded && $0.phase != .cached } ? "failed" : "succeeded"
    }

    public var startedAt: Date { attempts.compactMap(\.startedAt).min() ?? attempts[0].createdAt }

    /// When its last batch attempt ended; nil while it runs.
    public var endedAt: Date? {
        guard outcome != "running" else { return nil }
        let batch = attempts.filter { !$0.isService }
        return (batch.isEmpty ? attempts : batch).compactMap(\.endedAt).max()
    }
}

public enum RunHistory {
    /// The runs among `limit` attempts of the workflow, newest first.
    public static func runs(store: Store, workflow: String, limit: Int = 500) throws -> [WorkflowRun] {
        split(try store.startedAttempts(workflow: workflow, limit: limit))
    }

    static func split(_ attempts: [Attempt]) -> [WorkflowRun] {
        var runs: [WorkflowRun] = []
        var succeeded = Set<String>()
        var fingerprints: [String: String] = [:]
        for attempt in attempts.sorted(by: { $0.id < $1.id }) {
            let again = succeeded.contains(attempt.task) || fingerprints[attempt.task].map { $0 != attempt.fingerprint } ?? false
            if let current = runs.last, current.commit == attempt.commit, !again {
                runs[runs.count - 1].attempts.append(attempt)
            } else {
                runs.append(WorkflowRun(commit: attempt.commit, attempts: [attempt]))
                succeeded.removeAll()
                fingerprints.removeAll()
            }
            fingerprints[attempt.task] = attempt.fingerprint
            if attempt.phase == .succeeded && !attempt.isService { succeeded.insert(attempt.task) }
        }
        return runs.reversed()
    }
}
