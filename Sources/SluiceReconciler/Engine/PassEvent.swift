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
}

/// Receives pass events; called on the pass's own task, so it must not block for long.
public typealias PassObserver = @Sendable (PassEvent) -> Void
