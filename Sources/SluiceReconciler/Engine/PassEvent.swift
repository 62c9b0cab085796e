import SluiceGit
import SluiceStore

/// What a pass tells whoever watches it (the CLI's progress lines, later the controller's metrics).
public enum PassEvent: Sendable {
    case planned(Plan)
    case started(workflow: String, task: String, attempt: Int, node: String)
    case succeeded(workflow: String, task: String, duration: Double)
    case failed(workflow: String, task: String, summary: String, attempt: Int, retryIn: Double?)
    case skipped(workflow: String, task: String, reason: String)
    case cached(workflow: String, task: String)
    case serviceHealthy(workflow: String, task: String, address: String)
    case serviceUnhealthy(workflow: String, task: String, reason: String)
    /// An older version of a rolled service was stopped because a newer one is healthy: its work is done, not failed.
    case retired(workflow: String, task: String, attempt: Int)
    case statusCommitted(OID)
    /// The controller fetched the remote repository.
    case fetched(duration: Double)
    /// A controller pass (plan and first step) ended.
    case passFinished(duration: Double, failed: Bool)
    /// The controller's periodic look at every task: how many are in each phase, and how many run anomalously long.
    case summary(tasksByPhase: [String: Int], anomalies: Int)
    /// The controller read every workflow's status: after each pass, and as its work moves. `commits` says how each
    /// reconciled or previewed commit stands, for commit statuses on a forge.
    case statuses([WorkflowStatus], commits: [CommitOutcome])
}

/// How the work a commit asks for stands: the followed commit's, or a previewed branch's tip.
public struct CommitOutcome: Sendable, Hashable {
    public enum State: String, Sendable, Hashable { case pending, success, failure }

    /// Full hex.
    public var commit: String
    public var state: State
    /// One line for people: "customer-service: 5 succeeded, 0 failed".
    public var description: String
    /// The branch, for a preview; nil for the followed ref.
    public var preview: String?

    public init(commit: String, state: State, description: String, preview: String? = nil) {
        self.commit = commit
        self.state = state
        self.description = description
        self.preview = preview
    }
}

/// Receives pass events; called on the pass's own task, so it must not block for long.
public typealias PassObserver = @Sendable (PassEvent) -> Void
