import Foundation

/// What the server asks of the controller.
///
/// JSON payloads come already encoded from the controller, so the server does not depend on the status types.
public protocol ServerBackend: Sendable {
    /// A JSON array of workflow statuses.
    func workflowsJSON() async throws -> Data
    /// The JSON status of one workflow; nil when there is no such workflow (the server answers 404).
    func workflowJSON(named name: String) async throws -> Data?
    /// The log text of a task's attempt, the latest when `attempt` is nil; nil when unknown (the server answers 404).
    func logs(workflow: String, task: String, attempt: Int?) async throws -> String?
    /// Whether the controller has completed its first reconcile pass (`/readyz`).
    func isReady() async -> Bool
    /// A verified webhook asks for a pass now.
    ///
    /// - Parameters:
    ///   - reason: Why, for the controller's log: `webhook github`, `webhook gitea`, `webhook gitlab`.
    ///   - ref: The pushed ref when the payload names one, such as `refs/heads/main`.
    func wake(reason: String, ref: String?) async
}
