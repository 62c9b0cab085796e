import Foundation
import SluiceExecution
import SluiceStore

/// `sluice stop`: ends every attempt a state directory owns (services and batch work, here and on clusters) and
/// records each as cancelled. For when no controller runs: one stopped without `--drain` leaves its services up, and
/// nothing else would ever stop them.
public struct AttemptStopper {
    let store: Store
    let layout: StateLayout
    let executor: any Executor

    public init(store: Store, stateDirectory: String, supervisorCommand: [String]) {
        self.store = store
        layout = StateLayout(root: stateDirectory)
        executor = PoolExecutors(layout: layout, supervisorCommand: supervisorCommand)
    }

    /// What was stopped: each attempt as it was recorded, and whether it ended within the wait.
    public struct Stopped: Sendable {
        public var attempt: Attempt
        public var ended: Bool
    }

    /// Asks every unfinished attempt to stop, waits up to `timeout` seconds for them to end (woken by the executor's
    /// events), and records each as cancelled with `reason` (or with its own outcome, when it ended before the stop
    /// reached it). One that has not ended by then is recorded too: its supervisor escalates to SIGKILL on its own.
    public func stopAll(reason: String, timeout: Double = 30) throws -> [Stopped] {
        let attempts = try store.unfinishedAttempts()
        guard !attempts.isEmpty else { return [] }
        let mailbox = Mailbox()
        executor.onEvent { event in
            if case .changed(let attempt) = event { mailbox.post(.attempt(attempt.id)) }
        }
        var waiting = Set(attempts.map(\.id))
        for attempt in attempts {
            let handle = AttemptHandle(id: attempt.id, directory: attempt.attemptPath)
            executor.cancel(handle)
            executor.watch(handle)
        }
        let deadline = Date().addingTimeInterval(timeout)
        while !waiting.isEmpty && Date() < deadline {
            for attempt in attempts where waiting.contains(attempt.id) {
                switch executor.status(of: AttemptHandle(id: attempt.id, directory: attempt.attemptPath)) {
                case .finished, .lost, .notStarted: waiting.remove(attempt.id)
                case .running: break
                }
            }
            if !waiting.isEmpty { _ = mailbox.take(until: min(deadline, Date().addingTimeInterval(1))) }
        }
        return try attempts.map { attempt in
            let status = executor.status(of: AttemptHandle(id: attempt.id, directory: attempt.attemptPath))
            var exitCode: Int32?
            var ended = Date()
            var phase = AttemptPhase.cancelled
            var message = reason
            if case .finished(let result) = status {
                exitCode = result.exitCode
                ended = result.endedAt
                // It ended on its own before the stop reached it: that is its outcome, a success kept as one.
                if !result.cancelled, !attempt.isService {
                    phase = result.timedOut ? .timedOut : result.succeeded ? .succeeded : .failed
                    message = result.summary
                }
            }
            let row = try store.markFinished(attempt.id, phase: phase, exitCode: exitCode, message: message, at: max(ended, attempt.createdAt))
            return Stopped(attempt: row, ended: !waiting.contains(attempt.id))
        }
    }
}
