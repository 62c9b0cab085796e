import SluiceModel

/// What a pass would do with one task.
public enum PlanAction: String, Sendable, Codable, CaseIterable {
    /// A batch task that has never succeeded.
    case run
    /// A task that succeeded before at another fingerprint.
    case rerun
    case upToDate
    /// An earlier successful run at this very fingerprint is reused; no process starts.
    case cacheHit
    /// An attempt running at a fingerprint that is no longer desired.
    case cancel
    /// A task of a workflow that was removed from git.
    case prune
    /// A service that has never run.
    case start
    /// A service at its current fingerprint that is down or unhealthy.
    case restart
    /// A running service whose fingerprint changed: start the new version, then stop the old one.
    case roll
    /// A running service that was removed from git.
    case stop
    /// Work the workflow asks for that waits while it is suspended (`spec.suspend: true`).
    case suspended

    /// Whether a process starts for this action.
    public var executes: Bool {
        switch self {
        case .run, .rerun, .start, .restart, .roll, .cancel: true
        case .upToDate, .cacheHit, .prune, .stop, .suspended: false
        }
    }

    /// The words a person reads in the text plan.
    public var label: String {
        switch self {
        case .upToDate: "up to date"
        case .cacheHit: "cache hit"
        default: rawValue
        }
    }
}

public struct TaskPlan: Sendable, Codable, Hashable {
    public var name: String
    public var action: PlanAction
    /// A sentence a user can act on: why this action.
    public var reason: String
    public var fingerprint: String
    public var needs: [String]

    public init(name: String, action: PlanAction, reason: String, fingerprint: String, needs: [String]) {
        self.name = name
        self.action = action
        self.reason = reason
        self.fingerprint = fingerprint
        self.needs = needs
    }
}

public struct WorkflowPlan: Sendable, Codable, Hashable {
    public var name: String
    /// The source commit the plan is for (full hex).
    public var commit: String
    public var tasks: [TaskPlan]
    /// Manifest errors that keep this workflow's new definition from taking effect, as `file:line:col: message`.
    public var errors: [String]

    public init(name: String, commit: String, tasks: [TaskPlan], errors: [String] = []) {
        self.name = name
        self.commit = commit
        self.tasks = tasks
        self.errors = errors
    }

    public func task(named name: String) -> TaskPlan? {
        tasks.first { $0.name == name }
    }

    private enum CodingKeys: String, CodingKey { case name, commit, tasks, errors }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(commit, forKey: .commit)
        try container.encode(tasks, forKey: .tasks)
        if !errors.isEmpty { try container.encode(errors, forKey: .errors) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        commit = try container.decode(String.self, forKey: .commit)
        tasks = try container.decode([TaskPlan].self, forKey: .tasks)
        errors = try container.decodeIfPresent([String].self, forKey: .errors) ?? []
    }
}

/// The actions of one pass, workflow by workflow.
public struct Plan: Sendable, Codable, Hashable {
    public var workflows: [WorkflowPlan]
    /// The optimizer's schedule of the tasks that start a process, one per pool; empty until scheduled.
    public var schedules: [PoolSchedule] = []
    /// Problems not tied to one workflow (a YAML syntax error, a bad pool), as `file:line:col: message`.
    public var errors: [String]

    public init(workflows: [WorkflowPlan], errors: [String] = []) {
        self.workflows = workflows
        self.errors = errors
    }

    public func workflow(named name: String) -> WorkflowPlan? {
        workflows.first { $0.name == name }
    }

    /// How many tasks get each action, across workflows.
    public var counts: [PlanAction: Int] {
        workflows.flatMap(\.tasks).reduce(into: [:]) { $0[$1.action, default: 0] += 1 }
    }

    private enum CodingKeys: String, CodingKey { case workflows, errors, schedules }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(workflows, forKey: .workflows)
        if !schedules.isEmpty { try container.encode(schedules, forKey: .schedules) }
        if !errors.isEmpty { try container.encode(errors, forKey: .errors) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        workflows = try container.decode([WorkflowPlan].self, forKey: .workflows)
        errors = try container.decodeIfPresent([String].self, forKey: .errors) ?? []
        schedules = try container.decodeIfPresent([PoolSchedule].self, forKey: .schedules) ?? []
    }
}
