/// The API version every Sluice manifest declares.
public let sluiceAPIVersion = "sluice/v1"

/// The machines a workflow runs on, and what each of them offers.
public struct ResourcePool: Hashable, Sendable, Codable {
    public var name: String
    public var labels: [String: String]
    public var nodes: [PoolNode]
    /// Currency units per unit-hour of each resource (memory per GiB-hour).
    public var cost: [String: Double]
    /// What runs its tasks: this machine, a Slurm partition or a Ray cluster.
    public var engine: PoolEngine
    public var location: SourceLocation

    public init(name: String, labels: [String: String] = [:], nodes: [PoolNode], cost: [String: Double] = [:],
                engine: PoolEngine = .local, location: SourceLocation) {
        self.name = name
        self.labels = labels
        self.nodes = nodes
        self.cost = cost
        self.engine = engine
        self.location = location
    }

    /// A cluster pool that lists no nodes takes them from the cluster, at plan time.
    public var readsNodesFromCluster: Bool { engine.kind != .local && nodes.isEmpty }
}

/// Where a pool's tasks run. A workflow's pool decides it; there is no per-workflow executor.
public enum PoolEngine: Hashable, Sendable, Codable {
    case local
    case slurm(SlurmPool)
    case ray(RayPool)

    public var kind: ExecutorKind {
        switch self {
        case .local: .local
        case .slurm: .slurm
        case .ray: .ray
        }
    }

    /// For people: "this machine", "Slurm partition debug", "Ray at http://…".
    public var description: String {
        switch self {
        case .local: "this machine"
        case .slurm(let slurm): slurm.partition.map { "Slurm partition \($0)" } ?? "Slurm's default partition"
        case .ray(let ray): "Ray at \(ray.address)"
        }
    }
}

/// `spec.slurm` of a pool: where and as whom its jobs are submitted.
public struct SlurmPool: Hashable, Sendable, Codable {
    public var partition: String?
    public var account: String?
    public var qos: String?
    /// More `sbatch` flags, each one argument (`--constraint=a100`).
    public var options: [String]

    public init(partition: String? = nil, account: String? = nil, qos: String? = nil, options: [String] = []) {
        self.partition = partition
        self.account = account
        self.qos = qos
        self.options = options
    }

    /// The `sbatch` flags Sluice sets itself, long and short: another job name, log file, folder or cluster would lose
    /// the job, and an array or a requeue would run the task more than once. Nil when `option` is none of them.
    public static func reservedOption(_ option: String) -> String? {
        let reserved: [(long: String, short: String?)] = [
            ("--job-name", "-J"), ("--output", "-o"), ("--error", "-e"), ("--open-mode", nil), ("--chdir", "-D"),
            ("--clusters", "-M"), ("--array", "-a"), ("--requeue", nil), ("--parsable", nil), ("--wrap", nil),
            ("--partition", "-p"), ("--account", "-A"), ("--qos", "-q"), ("--wait", "-W"),
        ]
        let name = option.split(separator: "=", maxSplits: 1).first.map(String.init) ?? option
        for flag in reserved where name == flag.long || (flag.short.map { name == $0 || (name.hasPrefix($0) && !name.hasPrefix("--")) } ?? false) {
            return flag.long
        }
        return nil
    }
}

/// `spec.ray` of a pool: the address of the cluster's Jobs API (its dashboard).
public struct RayPool: Hashable, Sendable, Codable {
    public var address: String

    public init(address: String) {
        self.address = address
    }
}

public struct PoolNode: Hashable, Sendable, Codable {
    public var name: String
    public var capacity: Resources
    public var labels: [String: String]

    public init(name: String, capacity: Resources, labels: [String: String] = [:]) {
        self.name = name
        self.capacity = capacity
        self.labels = labels
    }
}

public enum ExecutorKind: String, Hashable, Sendable, Codable, CaseIterable {
    case local, ray, slurm
}

/// A DAG of tasks, the unit that Sluice reconciles and reports on.
public struct Workflow: Hashable, Sendable, Codable {
    public var name: String
    public var labels: [String: String]
    public var pool: String
    public var schedule: CronSchedule?
    /// `spec.suspend`: nothing new starts. Not in any fingerprint: suspending and resuming reruns nothing.
    public var suspend: Bool
    public var tasks: [TaskSpec]
    public var location: SourceLocation
    /// Where `spec.pool` is written, for errors about the pool.
    public var poolLocation: SourceLocation

    public init(name: String, labels: [String: String] = [:], pool: String,
                schedule: CronSchedule? = nil, suspend: Bool = false, tasks: [TaskSpec], location: SourceLocation, poolLocation: SourceLocation? = nil) {
        self.name = name
        self.suspend = suspend
        self.labels = labels
        self.pool = pool
        self.schedule = schedule
        self.tasks = tasks
        self.location = location
        self.poolLocation = poolLocation ?? location
    }

    public func task(named name: String) -> TaskSpec? {
        tasks.first { $0.name == name }
    }
}

/// What a task does: a batch command that must succeed once per fingerprint, or a service that must stay up.
public enum TaskKind: Hashable, Sendable, Codable {
    case batch(run: String)
    case service(ServiceSpec)

    public var command: String {
        switch self {
        case .batch(let run): run
        case .service(let service): service.run
        }
    }

    public var isService: Bool {
        if case .service = self { return true }
        return false
    }
}

public struct ServiceSpec: Hashable, Sendable, Codable {
    public var run: String
    public var health: HealthCheck
    /// A fixed port; when nil Sluice assigns one and passes it as `SLUICE_PORT`.
    public var port: Int?

    public init(run: String, health: HealthCheck = .process, port: Int? = nil) {
        self.run = run
        self.health = health
        self.port = port
    }
}

public enum HealthCheck: Hashable, Sendable, Codable {
    /// Healthy while the process lives.
    case process
    /// Healthy while `GET path` on the service's port answers 2xx.
    case http(path: String)
    /// Healthy while the service's port accepts a TCP connection.
    case tcp
}

public struct TaskSpec: Hashable, Sendable, Codable {
    public var name: String
    public var needs: [String]
    public var kind: TaskKind
    /// Repository paths whose blob ids enter the fingerprint; a folder stands for every file under it.
    public var inputs: [String]
    public var resources: Resources
    /// Declared duration in seconds; otherwise learned from history.
    public var estimate: Double?
    public var retries: Int
    /// Seconds after which an attempt is killed.
    public var timeout: Double?
    public var env: [String: String]
    /// Environment variable → secret name; values come from the machine running Sluice (`--secrets-dir`), never git.
    public var secrets: [String: String]
    /// Files under `$SLUICE_OUTPUT` holding the task's numeric results (JSON or YAML), read when an attempt succeeds.
    /// Not in the fingerprint: declaring where results are changes nothing the task does.
    public var metrics: [String]
    public var location: SourceLocation
    /// Where each `needs` entry and each input is written, for errors that point at them.
    public var needLocations: [SourceLocation]
    public var inputLocations: [SourceLocation]
    /// Where `resources` is written (or the task itself when it has none), for errors about fitting on a node.
    public var resourcesLocation: SourceLocation

    public init(name: String, needs: [String] = [], kind: TaskKind, inputs: [String] = [], resources: Resources = Resources(),
                estimate: Double? = nil, retries: Int = 0, timeout: Double? = nil, env: [String: String] = [:],
                secrets: [String: String] = [:], metrics: [String] = [], location: SourceLocation, needLocations: [SourceLocation]? = nil, inputLocations: [SourceLocation]? = nil,
                resourcesLocation: SourceLocation? = nil) {
        self.name = name
        self.needs = needs
        self.kind = kind
        self.inputs = inputs
        self.resources = resources
        self.estimate = estimate
        self.retries = retries
        self.timeout = timeout
        self.env = env
        self.secrets = secrets
        self.metrics = metrics
        self.location = location
        self.needLocations = needLocations ?? Array(repeating: location, count: needs.count)
        self.inputLocations = inputLocations ?? Array(repeating: location, count: inputs.count)
        self.resourcesLocation = resourcesLocation ?? location
    }
}
