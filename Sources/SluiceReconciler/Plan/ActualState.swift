import Foundation
import SluiceModel

/// What has actually run, as far as the planner needs to know: the input of every reconcile pass
/// besides the desired state. The store (SluiceStore) builds it; tests build it by hand.
public struct ActualState: Sendable, Codable, Hashable {
    /// By workflow name.
    public var workflows: [String: WorkflowRecord]
    /// Fingerprints that have a successful attempt whose outputs are kept; a task at one of these is a cache hit.
    public var succeededFingerprints: Set<String>

    public init(workflows: [String: WorkflowRecord] = [:], succeededFingerprints: Set<String> = []) {
        self.workflows = workflows
        self.succeededFingerprints = succeededFingerprints
    }

    public static let empty = ActualState()
}

public struct WorkflowRecord: Sendable, Codable, Hashable {
    public var name: String
    /// The source commit of the last pass that ran this workflow.
    public var commit: String?
    /// By task name.
    public var tasks: [String: TaskRecord]

    public init(name: String, commit: String? = nil, tasks: [String: TaskRecord] = [:]) {
        self.name = name
        self.commit = commit
        self.tasks = tasks
    }
}

public struct TaskRecord: Sendable, Codable, Hashable {
    public var name: String
    public var isService: Bool
    /// The fingerprint inputs of the latest successful attempt (for a service: the latest version started).
    /// Kept whole rather than as a hash so that a plan can say which field changed.
    public var lastSuccess: FingerprintInputs?
    /// The attempt running now, if any.
    public var running: RunningAttempt?
    /// The latest attempt, when it failed.
    public var lastFailure: FailedAttempt?
    /// Set when `lastSuccess` is assumed, a base ref's version in a review plan: whether it really ran.
    public var base: BaseRun?
    /// A rerun a person asked for that no attempt has answered yet: `fingerprint`, who, and when.
    public var rerun: RerunAsk?

    public init(name: String, isService: Bool = false, lastSuccess: FingerprintInputs? = nil,
                running: RunningAttempt? = nil, lastFailure: FailedAttempt? = nil) {
        self.name = name
        self.isService = isService
        self.lastSuccess = lastSuccess
        self.running = running
        self.lastFailure = lastFailure
    }
}

/// `sluice rerun`: a new attempt at `fingerprint`, though one succeeded there.
public struct RerunAsk: Sendable, Codable, Hashable {
    public var fingerprint: String
    public var by: String
    public var at: Date

    public init(fingerprint: String, by: String, at: Date) {
        self.fingerprint = fingerprint
        self.by = by
        self.at = at
    }
}

/// Whether a base ref's task, assumed done in a review plan, has a successful run on record.
public enum BaseRun: String, Sendable, Codable, Hashable {
    case ran, neverRan
    /// No state directory to ask.
    case unknown

    var reason: String {
        switch self {
        case .ran: "unchanged from the base, where it succeeded at this fingerprint"
        case .neverRan: "unchanged from the base, where it has never run: it runs with the base's own work, not because of this change"
        case .unknown: "unchanged from the base (no state directory here says whether it ran)"
        }
    }
}

public struct RunningAttempt: Sendable, Codable, Hashable {
    public var inputs: FingerprintInputs
    public var attempt: Int
    /// For services: whether the last health check passed. Batch tasks are always `true`.
    public var healthy: Bool

    public init(inputs: FingerprintInputs, attempt: Int = 1, healthy: Bool = true) {
        self.inputs = inputs
        self.attempt = attempt
        self.healthy = healthy
    }
}

public struct FailedAttempt: Sendable, Codable, Hashable {
    public var fingerprint: String
    public var attempts: Int
    public var exitCode: Int32?
    /// Why it failed, in words (`exit code 1`, `timed out after 10m`).
    public var reason: String

    public init(fingerprint: String, attempts: Int, exitCode: Int32?, reason: String) {
        self.fingerprint = fingerprint
        self.attempts = attempts
        self.exitCode = exitCode
        self.reason = reason
    }
}

extension ActualState {
    /// The actual state as it would be once every task of `desired` had succeeded (services stopped after running):
    /// a plan against it says what a branch would rerun compared with its base, for review before merging.
    /// - Parameter ran: fingerprints with a successful run on record, when a state directory is known: a base task at
    ///   another fingerprint is marked as never having run, rather than described as having succeeded.
    public static func assumingSucceeded(_ desired: DesiredState, ran: Set<String>? = nil) -> ActualState {
        var state = ActualState()
        for workflow in desired.workflows {
            var record = WorkflowRecord(name: workflow.name, commit: workflow.commit.hex)
            for task in workflow.workflow.tasks {
                guard let inputs = workflow.fingerprints[task.name] else { continue }
                var assumed = TaskRecord(name: task.name, isService: task.kind.isService, lastSuccess: inputs)
                assumed.base = ran.map { $0.contains(inputs.fingerprint) ? .ran : .neverRan } ?? .unknown
                record.tasks[task.name] = assumed
                state.succeededFingerprints.insert(inputs.fingerprint)
            }
            state.workflows[workflow.name] = record
        }
        return state
    }
}
