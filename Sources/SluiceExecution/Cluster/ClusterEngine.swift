import Foundation

/// One job as a cluster engine reports it.
public struct ClusterJob: Sendable, Hashable {
    public enum Phase: Sendable, Hashable {
        case queued
        case running
        case ended(ClusterEnd)
    }

    /// The engine's own id: Slurm's job number, Ray's submission id.
    public var id: String
    public var phase: Phase

    public init(id: String, phase: Phase) {
        self.id = id
        self.phase = phase
    }
}

extension ClusterJob.Phase {
    var hasEnded: Bool {
        if case .ended = self { return true }
        return false
    }
}

/// How an engine says a job ended. Sluice's supervisor, which runs inside the job, records the task's own end in
/// `result.json`; this is what is left when it could not (the engine killed the whole job, or never started it).
public struct ClusterEnd: Sendable, Hashable {
    /// The engine's word for it: `OUT_OF_MEMORY`, `TIMEOUT`, `NODE_FAIL`, `PREEMPTED`, `STOPPED`, …
    public var state: String
    public var exitCode: Int32?
    /// The signal that ended the job's script, when the engine reports one.
    public var signal: Int32?
    public var cancelled: Bool
    public var timedOut: Bool
    /// The engine will never start the job (a pending reason that no wait cures): it must be cancelled.
    public var stillQueued: Bool
    /// One line for people, naming the engine and the job.
    public var reason: String

    public init(state: String, exitCode: Int32? = nil, signal: Int32? = nil, cancelled: Bool = false, timedOut: Bool = false,
                stillQueued: Bool = false, reason: String) {
        self.state = state
        self.exitCode = exitCode
        self.signal = signal
        self.cancelled = cancelled
        self.timedOut = timedOut
        self.stillQueued = stillQueued
        self.reason = reason
    }

    /// The engine says the job's script ended well: only the supervisor's result can say how the task did.
    var looksSuccessful: Bool { exitCode == 0 && signal == nil && !cancelled && !timedOut && !stillQueued }
}

/// What a cluster executor hands an engine for one attempt.
public struct ClusterSubmission: Sendable {
    /// Unique across every Sluice that uses the cluster: the engine refuses or finds a second submission of it.
    public var submissionID: String
    /// The attempt's folder, on the filesystem the nodes share.
    public var directory: String
    /// The script the job runs: it loads `job.env` and runs the supervisor on the attempt's folder.
    public var script: String
    /// Resources named as in manifests: cpu, memory (bytes), gpu, bandwidth (bit/s), custom ones.
    public var resources: [String: Double]
    /// Seconds the supervisor lets the task run, and its kill grace; the engine's own limit comes a little later.
    public var timeout: Double?
    public var killGrace: Double
    /// `workflow/task #attempt`, shown in the engine's own listings.
    public var label: String
}

/// A failure of an engine's command or API; the message names what was asked and what answered.
public struct ClusterError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The engine already has a job with this submission id.
    public var isDuplicate = false

    public init(_ message: String, isDuplicate: Bool = false) {
        self.message = message
        self.isDuplicate = isDuplicate
    }

    public var description: String { message }
}

/// What a cluster executor needs of an engine. Every call blocks (a command, an HTTP request), and is made from the
/// engine's thread or the executor's own poller, never from the cooperative pool.
public protocol ClusterEngine: Sendable {
    /// "Slurm", "Ray at http://…": for messages.
    var name: String { get }
    /// Submits a job; throws a duplicate `ClusterError` when the submission id is taken.
    func submit(_ submission: ClusterSubmission) throws -> String
    /// The job submitted under this id, wherever it is now; nil when the engine never saw it.
    func find(submissionID: String) throws -> ClusterJob?
    /// The jobs of these submission ids that the engine still lists, in one request.
    func jobs(_ submissionIDs: Set<String>) throws -> [String: ClusterJob]
    /// Stops a queued or running job; nothing when it has ended. With `supervisorOnly`, a running job's supervisor
    /// alone is asked to stop (SIGTERM), so that it stops the task, records the cancel and ends the job itself.
    func cancel(jobID: String, submissionID: String, supervisorOnly: Bool) throws
    /// The nodes that can run jobs, with what each offers (named as in manifests).
    func nodes() throws -> [ExecutorNode]
    /// The engine's own log of a job that ended without a result, for `stderr.log`; empty when it keeps none apart.
    func log(jobID: String, submissionID: String) -> String
}
