import Foundation

/// Entry points: a searched schedule within a budget, or a quick first one.
public enum Scheduler {
    /// Searches for a schedule of minimum makespan until the time limit or the iteration limit, whichever comes
    /// first, or until the makespan meets the lower bound. The same seed and `maxIterations` (with a time limit that
    /// is not reached) give the same schedule.
    /// - Throws: ``SchedulingError`` for a malformed problem, a cycle, or a job that fits on no node.
    public static func solve(_ problem: SchedulingProblem, options: SchedulerOptions) throws -> SchedulingResult {
        let began = DispatchTime.now().uptimeNanoseconds
        let instance = try Instance(problem)
        let budget = Budget(timeLimit: options.timeLimit, maxIterations: options.maxIterations, from: began)
        // Each branch names its profile type, so the search is specialized for it.
        let found: Found
        if instance.jobCount == 0 {
            found = .empty
        } else if TimeGridProfile.fits(instance) {
            found = optimize(instance, profile: TimeGridProfile(instance), seed: options.seed, budget: budget, targetGap: options.targetGap)
        } else {
            found = optimize(instance, profile: EventProfile(instance), seed: options.seed, budget: budget, targetGap: options.targetGap)
        }
        return result(problem, instance, found, began: began)
    }

    /// A first feasible schedule only: the serial scheme with the latest-finish-time rule, then one round of
    /// justification. For huge problems, or re-planning on the hot path.
    /// - Throws: ``SchedulingError`` for a malformed problem, a cycle, or a job that fits on no node.
    public static func quick(_ problem: SchedulingProblem) throws -> SchedulingResult {
        let began = DispatchTime.now().uptimeNanoseconds
        let instance = try Instance(problem)
        let found: Found
        if instance.jobCount == 0 {
            found = .empty
        } else if TimeGridProfile.fits(instance) {
            found = firstSchedule(instance, profile: TimeGridProfile(instance))
        } else {
            found = firstSchedule(instance, profile: EventProfile(instance))
        }
        return result(problem, instance, found, began: began)
    }

    struct Found {
        var start: [Double]
        var node: [Int]
        var makespan: Double
        var passes: Int

        static let empty = Found(start: [], node: [], makespan: 0, passes: 0)
    }

    private static func firstSchedule<P: ResourceProfile>(_ instance: Instance, profile: P) -> Found {
        let justifier = Justifier(SerialSGS(instance, profile: profile))
        var list = ListBuilder.deterministic(instance, values: PriorityRule.latestFinish.values(instance))
        let makespan = justifier.improve(&list, rounds: 1)
        return Found(start: justifier.bestStart, node: justifier.bestNode, makespan: makespan, passes: justifier.sgs.passes)
    }

    /// The search itself, generic over the profile: priority-rule lists seed a genetic search with justification.
    private static func optimize<P: ResourceProfile>(_ instance: Instance, profile: P, seed: UInt64, budget: Budget,
                                                     targetGap: Double = 0) -> Found {
        let justifier = Justifier(SerialSGS(instance, profile: profile))
        let bounds = LowerBounds(instance)
        let search = GeneticSearch(instance, justifier: justifier, seed: seed, budget: budget,
                                   target: bounds.best * (1 + max(0, targetGap)))
        let seeds = PriorityRule.allCases.map { ListBuilder.deterministic(instance, values: $0.values(instance)) }
        search.run(seeds: seeds)
        return Found(start: search.bestStart, node: search.bestNode, makespan: search.best.makespan, passes: justifier.sgs.passes)
    }

    /// Turns what a search found into a result: GPU indices, cost, bounds and gap.
    private static func result(_ problem: SchedulingProblem, _ instance: Instance, _ found: Found, began: UInt64) -> SchedulingResult {
        let bounds = LowerBounds(instance)
        let cost = problem.jobs.reduce(0.0) { total, job in
            total + job.duration / 3600 * zip(job.demand, problem.costPerHour).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let schedule = Schedule(
            start: found.start, node: found.node,
            gpuIndices: GPUAssignment.assign(problem, start: found.start, node: found.node),
            makespan: found.makespan, cost: cost)
        let best = bounds.best
        let gap = best > 0 && found.makespan > best * (1 + 1e-12) ? (found.makespan - best) / best : 0
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        return SchedulingResult(schedule: schedule, bounds: bounds, gapBound: gap, iterations: found.passes, elapsed: elapsed)
    }
}
