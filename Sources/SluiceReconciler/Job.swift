import Foundation
import SluiceModel
import SluiceStore

/// One task a pass executes, and where it stands.
struct Job {
    enum State {
        case waiting
        /// A failed attempt waits out its back-off before the next one.
        case backingOff(until: Date)
        case running(RunningJob)
        /// A service that answered its health check: it satisfies what needs it and keeps running.
        case healthy(RunningJob)
        case succeeded
        case failed(String)
        case skipped(String)
    }

    let workflow: DesiredWorkflow
    let task: TaskSpec
    let inputs: FingerprintInputs
    let fingerprint: String
    var state: State = .waiting
    var attemptsMade = 0
    /// Predicted seconds, as the schedule assumed.
    var predicted = 0.0
    /// Where the optimizer put the job: ready jobs start in order of planned start, on their planned node when it has room.
    var plannedStart = 0.0
    var plannedNode: String?

    var key: String { "\(workflow.name)/\(task.name)" }
    var maxAttempts: Int { task.retries + 1 }

    var isSettled: Bool {
        switch state {
        case .succeeded, .failed, .skipped, .healthy: true
        default: false
        }
    }

    var isSatisfied: Bool {
        switch state {
        case .succeeded, .healthy: true
        default: false
        }
    }

    var failureReason: String? {
        switch state {
        case .failed(let reason), .skipped(let reason): reason
        default: nil
        }
    }
}

struct RunningJob {
    let attemptID: Int64
    let number: Int
    let directory: URL
    let node: String
    let gpus: [Int]
    let port: Int?
    let startedAt: Date
}

extension Job {
    /// The store row for an attempt of this job; also used for the rows of cache hits and skips, which run nothing.
    func newAttempt(passID: Int64, layout: StateLayout, phase: AttemptPhase, node: String? = nil,
                    attemptPath: String = "", message: String? = nil) throws -> NewAttempt {
        NewAttempt(workflow: workflow.name, task: task.name, fingerprint: fingerprint,
                   inputsJSON: String(decoding: try JSONEncoder().encode(inputs), as: UTF8.self), commit: workflow.commit.hex,
                   passID: passID, isService: task.kind.isService, node: node,
                   outputPath: layout.outputs(fingerprint: fingerprint).path, attemptPath: attemptPath, phase: phase, message: message)
    }
}
