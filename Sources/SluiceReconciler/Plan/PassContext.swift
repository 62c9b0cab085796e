import Foundation
import SluiceModel
import SluiceStore

/// One task of the desired state, with what the schedule says about it.
struct DesiredTask: Sendable {
    let workflow: DesiredWorkflow
    let task: TaskSpec
    let inputs: FingerprintInputs
    let fingerprint: String
    /// Predicted seconds.
    var predicted: Double
    /// Where the optimizer put it: ready tasks start in order of planned start, on their planned node when it has room.
    var plannedStart: Double
    var plannedNode: String?
    /// A task of a previewed branch (`--preview`): it starts only with capacity that the followed ref leaves free.
    var isPreview = false

    var key: String { "\(workflow.name)/\(task.name)" }
    var maxAttempts: Int { task.retries + 1 }

    init(workflow: DesiredWorkflow, task: TaskSpec, predicted: Double, planned: ScheduledTask?) {
        self.workflow = workflow
        self.task = task
        self.inputs = workflow.fingerprints[task.name]!
        self.fingerprint = inputs.fingerprint
        self.predicted = predicted
        self.plannedStart = planned?.start ?? .infinity
        self.plannedNode = planned?.node
    }

    /// The store row for an attempt of this task; also for the rows of cache hits and skips, which run nothing.
    func newAttempt(passID: Int64, layout: StateLayout, phase: AttemptPhase, node: String? = nil,
                    attemptPath: String = "", message: String? = nil) throws -> NewAttempt {
        NewAttempt(workflow: workflow.name, task: task.name, fingerprint: fingerprint,
                   inputsJSON: String(decoding: try JSONEncoder().encode(inputs), as: UTF8.self), commit: workflow.commit.hex,
                   passID: passID, isService: task.kind.isService, node: node,
                   outputPath: layout.outputs(fingerprint: fingerprint).path, attemptPath: attemptPath, phase: phase, message: message)
    }
}

/// Which failed attempts count against a task's `retries`.
public enum RetryScope: Sendable {
    /// Attempts of this pass only: each `sluice apply` gives a failed task its retries again.
    case pass(Int64)
    /// Attempts made for the workflow's current source commit: the controller retries a failure again only after a new commit.
    case commit
}

/// Everything a pass decided before it acts: the desired tasks in schedule order, and the plan.
public struct PassContext: Sendable {
    public var passID: Int64
    public var desired: DesiredState
    public var plan: Plan
    var tasks: [DesiredTask]
    /// The folders tasks run in (a checkout of their workflow's commit), made on first use.
    var checkouts: Checkouts
    var retryScope: RetryScope
    /// `plans/<branch>.md` files: what each other branch would run if merged.
    var branchPlans: [String: String] = [:]
    /// Branches whose work runs as previews in this pass.
    var previews: [PreviewBranch] = []
}
