import Foundation
import SluiceModel
import SluiceStore

/// Builds the planner's `ActualState` from the store.
public enum ActualStateReader {
    public static func read(_ store: Store) throws -> ActualState {
        let decoder = JSONDecoder()
        func inputs(_ attempt: Attempt) -> FingerprintInputs? {
            try? decoder.decode(FingerprintInputs.self, from: Data(attempt.inputsJSON.utf8))
        }
        var state = ActualState(succeededFingerprints: try store.succeededFingerprints())
        for workflow in try store.workflowStates() where workflow.removedAt == nil {
            var record = WorkflowRecord(name: workflow.name, commit: workflow.lastGoodCommit)
            let successes = try store.lastSuccesses(workflow: workflow.name)
            let reruns = try store.rerunRequests(workflow: workflow.name)
            for latest in try store.latestAttempts(workflow: workflow.name) {
                var task = TaskRecord(name: latest.task, isService: latest.isService)
                task.lastSuccess = successes[latest.task].flatMap(inputs)
                // Asked for, and no success at the fingerprint since: the ask stands (after a failed rerun too, as the
                // dispatcher no longer counts the success before it).
                if let request = reruns[latest.task],
                   !(successes[latest.task].map { $0.fingerprint == request.fingerprint && $0.createdAt >= request.requestedAt } ?? false) {
                    task.rerun = RerunAsk(fingerprint: request.fingerprint, by: request.requestedBy, at: request.requestedAt)
                }
                if !latest.phase.isFinal, let running = inputs(latest) {
                    task.running = RunningAttempt(inputs: running, attempt: latest.number)
                }
                if [.failed, .timedOut].contains(latest.phase) {
                    task.lastFailure = FailedAttempt(fingerprint: latest.fingerprint, attempts: latest.number,
                                                     exitCode: latest.exitCode, reason: latest.message ?? latest.phase.rawValue)
                }
                record.tasks[latest.task] = task
            }
            state.workflows[workflow.name] = record
        }
        return state
    }
}
