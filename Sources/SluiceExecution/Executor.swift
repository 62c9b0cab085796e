/// One attempt as an executor sees it. The store's attempt id is the submission id, so submitting the same
/// attempt twice (after a crash between recording and submitting) never runs it twice.
public struct AttemptHandle: Sendable, Hashable, CustomStringConvertible {
    public var id: Int64
    /// The attempt's folder: spec, logs (or where they are fetched to) and result.
    public var directory: String

    public init(id: Int64, directory: String) {
        self.id = id
        self.directory = directory
    }

    public var description: String { "attempt \(id) (\(directory))" }
}

/// What an executor tells the engine without being asked.
public enum ExecutorEvent: Sendable, Hashable {
    /// The attempt's phase may have changed (it ended, or its supervisor died): look at its `status`.
    case changed(AttemptHandle)
}

/// A node an executor offers, with what it can hold (resources named as in manifests).
public struct ExecutorNode: Sendable, Hashable {
    public var name: String
    public var capacity: [String: Double]

    public init(name: String, capacity: [String: Double]) {
        self.name = name
        self.capacity = capacity
    }
}

/// Runs attempts somewhere: this machine, a Slurm cluster, a Ray cluster. The engine reaches every executor
/// through this protocol only, and all calls may block briefly (files, system calls, a cluster's API), so it calls
/// them from its own thread, never from the cooperative pool.
public protocol Executor: AnyObject, Sendable {
    /// Where the engine's events go; set once, before the first `start` or `watch`.
    func onEvent(_ handler: @escaping @Sendable (ExecutorEvent) -> Void)

    /// Submits an attempt and watches it. Idempotent: an attempt that was already submitted, by this process or by
    /// one that died, is not run a second time.
    ///
    /// - Returns: the local process that now supervises it, when there is one (nil for a remote engine, or when the
    ///   attempt was already submitted); the engine records the start then, and otherwise when it ends.
    @discardableResult
    func start(_ spec: AttemptSpec, for attempt: AttemptHandle) throws -> Int32?

    /// Where the attempt is now. Non-blocking on the local machine; for a cluster, a look at the attempt's folder and
    /// at most a few requests to the engine (none while its tracker knows the job).
    func status(of attempt: AttemptHandle) -> AttemptStatus

    /// Watches an attempt this process did not start (found running after a restart): an event comes when it ends.
    func watch(_ attempt: AttemptHandle)

    /// Asks the attempt to stop; it ends as `cancelled`. Idempotent; does nothing once it has a result.
    func cancel(_ attempt: AttemptHandle)

    /// The last `lines` lines of its output, wherever the engine keeps them.
    func logTail(of attempt: AttemptHandle, lines: Int) -> String

    /// The nodes and capacities the executor knows of itself (a cluster), or `nil` when the pool's manifest lists them.
    func nodes() throws -> [ExecutorNode]?
}
