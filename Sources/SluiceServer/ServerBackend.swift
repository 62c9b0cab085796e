import Foundation

/// What the server asks of the controller.
///
/// JSON payloads come already encoded from the controller, in the shapes of `Resources/openapi.json`, so the server
/// does not depend on the status types; it adds the `apiVersion`/`kind` envelope.
public protocol ServerBackend: Sendable {
    /// A JSON array of API v1 `Workflow` objects.
    func workflowsJSON() async throws -> Data
    /// One `Workflow` object; nil when there is no such workflow (the server answers 404).
    func workflowJSON(named name: String) async throws -> Data?
    /// A JSON array of the workflow's `Run` objects, newest first; nil when there is no such workflow.
    func runsJSON(workflow: String, limit: Int) async throws -> Data?
    /// A JSON array of `Plan` objects: what merging each other branch would run.
    func plansJSON() async throws -> Data
    /// The log text of a task's attempt, the latest when `attempt` is nil; nil when unknown (the server answers 404).
    func logs(workflow: String, task: String, attempt: Int?) async throws -> String?
    /// The log of a task's attempt as it is written, then how the attempt ended; nil when unknown.
    func followLogs(workflow: String, task: String, attempt: Int?) async throws -> AsyncStream<LogChunk>?
    /// Records a rerun asked for by `person` and wakes the controller; returns the `Rerun` object.
    /// - Throws: `BackendProblem` for an unknown workflow or task, or one that cannot be rerun.
    func rerun(workflow: String, task: String, downstream: Bool, by person: String) async throws -> Data
    /// Whether the controller has completed its first reconcile pass (`/readyz`).
    func isReady() async -> Bool
    /// A verified webhook asks for a pass now.
    ///
    /// - Parameters:
    ///   - reason: Why, for the controller's log: `webhook github`, `webhook gitea`, `webhook gitlab`.
    ///   - ref: The pushed ref when the payload names one, such as `refs/heads/main`.
    func wake(reason: String, ref: String?) async
}

/// A piece of a followed log.
public enum LogChunk: Sendable, Equatable {
    case text(String)
    /// Nothing new for a while: a comment line keeps proxies from closing the stream, and tells a gone client.
    case keepAlive
    /// The attempt is over: how it ended.
    case end(String)
}

/// What the backend refuses, with the message the client reads.
public struct BackendProblem: Error, Sendable {
    public enum Kind: Sendable { case notFound, refused }
    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}
