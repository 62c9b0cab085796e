/// A resource-constrained scheduling problem: jobs with durations and per-resource demands, finish-to-start
/// precedences, and a pool of nodes with capacities. A job runs on exactly one node, and at every moment the jobs
/// on a node never exceed any of its capacities.
public struct SchedulingProblem: Sendable {
    /// One non-preemptive job.
    public struct Job: Sendable {
        /// The job's id, `0..<jobs.count`; `predecessors` and every per-job array of a ``Schedule`` use it.
        public var id: Int
        /// How long the job runs, in seconds (any unit works; PSPLIB uses periods). Zero is allowed.
        public var duration: Double
        /// What the job holds while it runs, per resource index.
        public var demand: [Double]
        /// How many distinct GPU indices of its node the job needs; 0 if none.
        public var gpus: Int

        public init(id: Int, duration: Double, demand: [Double], gpus: Int = 0) {
            self.id = id
            self.duration = duration
            self.demand = demand
            self.gpus = gpus
        }
    }

    /// A machine of the pool.
    public struct Node: Sendable {
        public var name: String
        /// What the node offers, per resource index.
        public var capacity: [Double]
        /// How many GPUs the node has; jobs get indices `0..<gpuCount`.
        public var gpuCount: Int

        public init(name: String, capacity: [Double], gpuCount: Int = 0) {
            self.name = name
            self.capacity = capacity
            self.gpuCount = gpuCount
        }
    }

    /// Resource names; the index of a name is its position in every `demand` and `capacity` array.
    public var resources: [String]
    /// The jobs, ids `0..<n` in any order.
    public var jobs: [Job]
    /// `predecessors[j]`: the ids of the jobs that must finish before job `j` starts (finish-to-start, lag 0).
    public var predecessors: [[Int]]
    public var nodes: [Node]
    /// Currency per unit-hour, per resource index; empty or 0 where a resource costs nothing.
    public var costPerHour: [Double]

    public init(resources: [String], jobs: [Job], predecessors: [[Int]], nodes: [Node], costPerHour: [Double] = []) {
        self.resources = resources
        self.jobs = jobs
        self.predecessors = predecessors
        self.nodes = nodes
        self.costPerHour = costPerHour
    }
}

/// Why a problem cannot be scheduled.
public enum SchedulingError: Error, Sendable, Equatable {
    /// The precedences contain a cycle; the job ids along it, each a predecessor of the next (and the last of the first).
    case cycle([Int])
    /// The job exceeds, in some resource or in GPUs, the capacity of every node.
    case doesNotFit(job: Int)
    /// The problem is malformed: wrong array sizes, ids out of range, negative or non-finite numbers.
    case invalidInput(String)
}

extension SchedulingError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .cycle(let jobs): "precedence cycle through jobs \(jobs.map(String.init).joined(separator: " -> "))"
        case .doesNotFit(let job): "job \(job) fits on no node"
        case .invalidInput(let message): "invalid scheduling problem: \(message)"
        }
    }
}
