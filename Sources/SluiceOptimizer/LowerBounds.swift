extension LowerBounds {
    /// The critical path, and for each resource (GPUs included) the total demand × duration over the pool's total
    /// capacity, rounded up when durations are whole (some optimal schedule then has whole start times).
    init(_ instance: Instance) {
        let criticalPath = TimeWindows(instance).criticalPath
        let r = instance.resourceCount
        var energy = [Double](repeating: 0, count: r)
        for j in 0..<instance.jobCount {
            for e in instance.demandStart[j]..<instance.demandStart[j + 1] {
                energy[instance.demandResource[e]] += instance.demandAmount[e] * instance.duration[j]
            }
        }
        var bound = 0.0
        for res in 0..<r where energy[res] > 0 {
            let total = (0..<instance.nodeCount).reduce(0.0) { $0 + instance.capacity[$1 * r + res] }
            var b = energy[res] / total
            if instance.integral { b = (b - 1e-9 * max(1, b)).rounded(.up) }
            bound = max(bound, b)
        }
        self.init(criticalPath: criticalPath, resourceEnergy: bound)
    }
}

extension Scheduler {
    /// The lower bounds of a problem without scheduling it.
    /// - Throws: ``SchedulingError`` for a malformed problem, a cycle, or a job that fits nowhere.
    public static func lowerBounds(_ problem: SchedulingProblem) throws -> LowerBounds {
        LowerBounds(try Instance(problem))
    }
}
