/// A start time and a node for every job.
public struct Schedule: Sendable, Equatable {
    /// Start time per job id.
    public var start: [Double]
    /// Node index per job id.
    public var node: [Int]
    /// Per job id, the GPU indices of its node that it holds; distinct among jobs that overlap on the same node.
    public var gpuIndices: [[Int]]
    /// The latest finish time (0 for a problem without jobs).
    public var makespan: Double
    /// Sum over jobs of duration/3600 × Σ_r demand[r]·costPerHour[r].
    public var cost: Double

    public init(start: [Double], node: [Int], gpuIndices: [[Int]], makespan: Double, cost: Double) {
        self.start = start
        self.node = node
        self.gpuIndices = gpuIndices
        self.makespan = makespan
        self.cost = cost
    }
}

/// Lower bounds on the makespan of any feasible schedule.
public struct LowerBounds: Sendable, Equatable {
    /// The longest path of durations through the precedences.
    public var criticalPath: Double
    /// For each resource (and GPUs), total demand × duration over total capacity of the pool; the maximum of these.
    public var resourceEnergy: Double
    /// The best (largest) of the bounds.
    public var best: Double { max(criticalPath, resourceEnergy) }

    public init(criticalPath: Double, resourceEnergy: Double) {
        self.criticalPath = criticalPath
        self.resourceEnergy = resourceEnergy
    }
}

/// How long and how the search runs.
public struct SchedulerOptions: Sendable {
    /// Wall-clock budget in seconds; the search stops at the first check after it runs out.
    public var timeLimit: Double
    /// Seed of the search's random numbers; the same seed and `maxIterations` give the same schedule.
    public var seed: UInt64
    /// Stop after this many generated schedules (every schedule-generation pass counts one); `nil` for no limit.
    public var maxIterations: Int?
    /// Stop as soon as a schedule is at most this fraction above the lower bound (0: only at the bound). A reconcile
    /// pass needs a good order, not the last percent: searching on would delay every task it is about to start.
    public var targetGap: Double

    public init(timeLimit: Double = 1, seed: UInt64 = 1, maxIterations: Int? = nil, targetGap: Double = 0) {
        self.timeLimit = timeLimit
        self.seed = seed
        self.maxIterations = maxIterations
        self.targetGap = targetGap
    }
}

/// The best schedule found, with how far from optimal it can at most be.
public struct SchedulingResult: Sendable {
    public var schedule: Schedule
    public var bounds: LowerBounds
    /// `(makespan - bounds.best) / bounds.best`; 0 when the makespan meets the bound (optimal) or the bound is 0.
    public var gapBound: Double
    /// Schedules generated (schedule-generation passes, justification passes included).
    public var iterations: Int
    /// Seconds spent.
    public var elapsed: Double

    public init(schedule: Schedule, bounds: LowerBounds, gapBound: Double, iterations: Int, elapsed: Double) {
        self.schedule = schedule
        self.bounds = bounds
        self.gapBound = gapBound
        self.iterations = iterations
        self.elapsed = elapsed
    }
}
