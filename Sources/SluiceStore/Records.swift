import Foundation

/// Where a task attempt is in its life: `pending → running → one final phase`, or created directly in a
/// final phase (`cached`, `skipped`). A final phase never changes again.
public enum AttemptPhase: String, Sendable, Codable, CaseIterable {
    case pending, running, succeeded, failed, timedOut, cancelled, skipped, cached

    /// Whether the attempt has ended; the store refuses to move an attempt out of a final phase.
    public var isFinal: Bool {
        switch self {
        case .pending, .running: false
        case .succeeded, .failed, .timedOut, .cancelled, .skipped, .cached: true
        }
    }

    /// The `kind` of the event the store appends when an attempt enters this phase: `attempt.<phase>`.
    public var eventKind: String { "attempt.\(rawValue)" }
}

/// What the reconciler knows when it decides to run (or reuse) a task; the store adds the id, the number
/// and the times.
public struct NewAttempt: Sendable {
    public var workflow: String
    public var task: String
    public var fingerprint: String
    /// The `FingerprintInputs` as JSON, kept whole so a later plan can say which field changed; opaque here.
    public var inputsJSON: String
    /// The source commit, as hex.
    public var commit: String
    public var passID: Int64
    public var isService: Bool
    public var node: String?
    /// The folder of the outputs, keyed by fingerprint.
    public var outputPath: String
    /// The folder of this attempt: logs and the supervisor's files.
    public var attemptPath: String
    /// Usually `.pending`; a cache hit or a skip is recorded directly in its final phase.
    public var phase: AttemptPhase
    public var message: String?

    public init(workflow: String, task: String, fingerprint: String, inputsJSON: String, commit: String,
                passID: Int64, isService: Bool = false, node: String? = nil, outputPath: String,
                attemptPath: String, phase: AttemptPhase = .pending, message: String? = nil) {
        self.workflow = workflow
        self.task = task
        self.fingerprint = fingerprint
        self.inputsJSON = inputsJSON
        self.commit = commit
        self.passID = passID
        self.isService = isService
        self.node = node
        self.outputPath = outputPath
        self.attemptPath = attemptPath
        self.phase = phase
        self.message = message
    }
}

/// One attempt at running a task at one fingerprint, as stored. Times have millisecond precision.
public struct Attempt: Sendable, Codable, Hashable {
    public var id: Int64
    public var workflow: String
    public var task: String
    public var fingerprint: String
    public var inputsJSON: String
    public var commit: String
    public var passID: Int64
    /// 1, 2, 3… per (workflow, task, fingerprint): retries count up, a new fingerprint starts again at 1.
    public var number: Int
    public var isService: Bool
    public var node: String?
    public var phase: AttemptPhase
    public var createdAt: Date
    public var startedAt: Date?
    public var endedAt: Date?
    public var exitCode: Int32?
    public var message: String?
    public var outputPath: String
    public var attemptPath: String
    /// The supervisor that owns the child, so that a restarted controller can adopt it.
    public var supervisorPID: Int32?
    /// `endedAt - startedAt` in seconds when both are set.
    public var duration: Double?

    public init(id: Int64, workflow: String, task: String, fingerprint: String, inputsJSON: String,
                commit: String, passID: Int64, number: Int, isService: Bool, node: String?,
                phase: AttemptPhase, createdAt: Date, startedAt: Date?, endedAt: Date?, exitCode: Int32?,
                message: String?, outputPath: String, attemptPath: String, supervisorPID: Int32?) {
        self.id = id
        self.workflow = workflow
        self.task = task
        self.fingerprint = fingerprint
        self.inputsJSON = inputsJSON
        self.commit = commit
        self.passID = passID
        self.number = number
        self.isService = isService
        self.node = node
        self.phase = phase
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.exitCode = exitCode
        self.message = message
        self.outputPath = outputPath
        self.attemptPath = attemptPath
        self.supervisorPID = supervisorPID
        if let startedAt, let endedAt {
            self.duration = endedAt.timeIntervalSince(startedAt)
        } else {
            self.duration = nil
        }
    }
}

/// One reconcile pass: which commit it read, what asked for it (`push`, `timer`, `webhook`, `task-exit`…),
/// and a one-line outcome once it ends.
public struct PassRecord: Sendable, Codable, Hashable {
    public var id: Int64
    public var commit: String
    public var trigger: String
    public var startedAt: Date
    public var endedAt: Date?
    public var summary: String?

    public init(id: Int64, commit: String, trigger: String, startedAt: Date, endedAt: Date? = nil, summary: String? = nil) {
        self.id = id
        self.commit = commit
        self.trigger = trigger
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.summary = summary
    }
}

/// A line of history, for `sluice history`, the dashboard and the status commit.
public struct StoredEvent: Sendable, Codable, Hashable {
    public var id: Int64
    public var time: Date
    public var workflow: String?
    public var task: String?
    public var attemptID: Int64?
    /// `attempt.<phase>` for the events the store writes itself; free-form for the others.
    public var kind: String
    public var message: String

    public init(id: Int64, time: Date, workflow: String?, task: String?, attemptID: Int64?, kind: String, message: String) {
        self.id = id
        self.time = time
        self.workflow = workflow
        self.task = task
        self.attemptID = attemptID
        self.kind = kind
        self.message = message
    }
}

/// What the controller remembers of a workflow between passes, so that a bad commit keeps the last good
/// definition in force and a removal can be pruned.
public struct WorkflowState: Sendable, Codable, Hashable {
    public var name: String
    /// The last commit whose definition of this workflow was valid.
    public var lastGoodCommit: String?
    public var lastSeenCommit: String?
    /// Current manifest errors (`file:line:col: message`), empty when fine.
    public var errors: [String]
    /// Set when the workflow disappeared from git.
    public var removedAt: Date?
    /// The task names of the definition in force, in dependency order; nil when not known yet.
    public var tasks: [String]?
    /// What a status shows of the definition in force; nil when not known yet (a database from before).
    public var shape: WorkflowShape?

    public init(name: String, lastGoodCommit: String? = nil, lastSeenCommit: String? = nil,
                errors: [String] = [], removedAt: Date? = nil, tasks: [String]? = nil) {
        self.name = name
        self.tasks = tasks
        self.lastGoodCommit = lastGoodCommit
        self.lastSeenCommit = lastSeenCommit
        self.errors = errors
        self.removedAt = removedAt
    }
}

/// A source commit the controller has seen, with its one-line summary.
public struct CommitRecord: Sendable, Codable, Hashable {
    public var oid: String
    public var summary: String
    /// When it was first seen; seeing it again does not move this.
    public var observedAt: Date

    public init(oid: String, summary: String, observedAt: Date) {
        self.oid = oid
        self.summary = summary
        self.observedAt = observedAt
    }
}

/// The parts of a workflow's definition in force that its status shows: whether it is suspended, its schedule, and
/// what each task needs (for a graph of the DAG).
public struct WorkflowShape: Sendable, Codable, Hashable {
    public var suspended: Bool
    /// The cron expression, and the IANA time zone it is read in.
    public var schedule: String?
    public var timeZone: String?
    public var needs: [String: [String]]
    /// The optimizer's estimate of each task's duration, in seconds, where the manifest gives one.
    public var estimates: [String: Double]

    public init(suspended: Bool, schedule: String?, timeZone: String?, needs: [String: [String]], estimates: [String: Double]) {
        self.suspended = suspended
        self.schedule = schedule
        self.timeZone = timeZone
        self.needs = needs
        self.estimates = estimates
    }
}

/// A new attempt at a task's current fingerprint, asked for by a person: attempts before it no longer count.
public struct RerunRequest: Sendable, Codable, Hashable {
    public var workflow: String
    public var task: String
    public var fingerprint: String
    public var requestedBy: String
    public var requestedAt: Date

    public init(workflow: String, task: String, fingerprint: String, requestedBy: String, requestedAt: Date) {
        self.workflow = workflow
        self.task = task
        self.fingerprint = fingerprint
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
    }
}
