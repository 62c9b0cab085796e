import Testing
@testable import SluiceOptimizer
@testable import sluice_bench

@Suite struct PropertyTests {
    /// Random DAGs, demands and pools, whole and real durations, zero durations and GPUs: every schedule of both
    /// entry points passes the independent validator.
    @Test(arguments: 0..<200)
    func randomProblemsGetFeasibleSchedules(seed: UInt64) throws {
        var random = SyntheticInstance.SplitMix(seed &* 7919 &+ 1)
        let n = 1 + random.below(40)
        let resourceCount = 1 + random.below(4)
        let nodes = (0..<(1 + random.below(3))).map { i in
            SchedulingProblem.Node(name: "n\(i)", capacity: (0..<resourceCount).map { _ in Double(1 + random.below(10)) },
                                   gpuCount: random.below(3))
        }
        let whole = seed % 2 == 0
        let jobs = (0..<n).map { j -> SchedulingProblem.Job in
            let home = nodes[random.below(nodes.count)]  // demands within one node, so every job fits somewhere
            let duration = random.below(6) == 0 ? 0 : whole ? Double(1 + random.below(9)) : 0.1 + random.unit() * 9
            return .init(id: j, duration: duration,
                         demand: home.capacity.map { random.below(3) == 0 ? 0 : ($0 * random.unit()).rounded(.down) + (whole ? 0 : 0.5) }
                            .enumerated().map { min($0.element, home.capacity[$0.offset]) },
                         gpus: random.below(home.gpuCount + 1))
        }
        let predecessors = (0..<n).map { j in j == 0 ? [] : (0..<random.below(3)).map { _ in random.below(j) } }
        let problem = SchedulingProblem(resources: (0..<resourceCount).map { "r\($0)" }, jobs: jobs.shuffled(using: &random),
                                        predecessors: predecessors, nodes: nodes, costPerHour: [Double](repeating: 0.5, count: resourceCount))
        let quick = try Scheduler.quick(problem)
        let solved = try Scheduler.solve(problem, options: .init(timeLimit: 10, seed: seed, maxIterations: 300))
        for result in [quick, solved] {
            #expect(ScheduleValidator.violations(result.schedule, for: problem) == [])
            #expect(result.schedule.makespan >= result.bounds.best - 1e-9)
        }
        // The search starts from the quick schedule's list (latest finish time), so it never ends worse.
        #expect(solved.schedule.makespan <= quick.schedule.makespan)
    }

    @Test func sameSeedAndIterationsGiveTheSameSchedule() throws {
        let problem = SyntheticInstance.make(jobs: 60, nodes: 3, seed: 5, wholeDurations: true)
        let options = SchedulerOptions(timeLimit: 60, seed: 42, maxIterations: 3000)
        let first = try Scheduler.solve(problem, options: options)
        let second = try Scheduler.solve(problem, options: options)
        #expect(first.schedule == second.schedule)
        #expect(first.iterations == second.iterations)
        let real = SyntheticInstance.make(jobs: 60, nodes: 3, seed: 6)
        #expect(try Scheduler.solve(real, options: options).schedule == Scheduler.solve(real, options: options).schedule)
    }

    @Test(arguments: [false, true])
    func searchOnAMidSizedPoolStaysFeasible(wholeDurations: Bool) throws {
        let problem = SyntheticInstance.make(jobs: 400, nodes: 8, seed: 11, wholeDurations: wholeDurations)
        let quick = try Scheduler.quick(problem)
        let solved = try Scheduler.solve(problem, options: .init(timeLimit: 60, seed: 3, maxIterations: 40))
        #expect(ScheduleValidator.violations(solved.schedule, for: problem) == [])
        #expect(solved.schedule.makespan <= quick.schedule.makespan)
        #expect(solved.iterations >= 40)
    }

    /// The scale of the issue: 10,000 jobs on 50 nodes. Only feasibility here; the time is in docs/benchmarks.md.
    @Test func tenThousandJobsOnFiftyNodes() throws {
        let problem = SyntheticInstance.make(jobs: 10_000, nodes: 50, seed: 1)
        let result = try Scheduler.quick(problem)
        #expect(ScheduleValidator.violations(result.schedule, for: problem) == [])
        #expect(result.schedule.makespan >= result.bounds.best)
    }
}

extension SyntheticInstance.SplitMix: RandomNumberGenerator {}
