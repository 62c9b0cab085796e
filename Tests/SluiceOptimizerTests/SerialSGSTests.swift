import Testing
@testable import SluiceOptimizer

@Suite struct SerialSGSTests {
    @Test func listOrderDecidesTheSchedule() throws {
        // 0,1,2,3 go in sequence; job 4 cannot sit beside job 1 (1 + 2 > 2), so it waits until 5.
        for (start, makespan) in try serialSchedules(handInstance(), order: [0, 1, 2, 3, 4]) {
            #expect(start == [0, 3, 5, 7, 5])
            #expect(makespan == 9)
        }
        // Job 1 first: job 4 fits beside job 0 from 2 on, and the schedule is optimal.
        for (start, makespan) in try serialSchedules(handInstance(), order: [1, 0, 2, 3, 4]) {
            #expect(start == [2, 0, 5, 7, 2])
            #expect(makespan == 8)
        }
    }

    @Test func justificationNeverLengthensOnOneNode() throws {
        let instance = try Instance(handInstance())
        let justifier = Justifier(SerialSGS(instance, profile: TimeGridProfile(instance)))
        var order = [0, 1, 2, 3, 4]
        let makespan = justifier.improve(&order)
        #expect(makespan <= 9)
        #expect(order.count == 5)
        #expect(Set(order) == Set(0..<5))
    }

    @Test func searchFindsTheHandOptimum() throws {
        let result = try Scheduler.solve(handInstance(), options: SchedulerOptions(timeLimit: 5, seed: 7, maxIterations: 2000))
        #expect(result.schedule.makespan == 8)
        #expect(ScheduleValidator.violations(result.schedule, for: handInstance()).isEmpty)
        #expect(result.bounds.best == 7)
        #expect(abs(result.gapBound - 1.0 / 7) < 1e-12)
    }

    @Test func zeroDurationJobsAndRealDurations() throws {
        let problem = SchedulingProblem(
            resources: ["cpu"],
            jobs: [.init(id: 0, duration: 0.5, demand: [1]), .init(id: 1, duration: 0, demand: [1]),
                   .init(id: 2, duration: 1.25, demand: [1]), .init(id: 3, duration: 0.75, demand: [1])],
            predecessors: [[], [0], [1], []],
            nodes: [.init(name: "n", capacity: [1])])
        let result = try Scheduler.solve(problem, options: SchedulerOptions(maxIterations: 300))
        #expect(ScheduleValidator.violations(result.schedule, for: problem).isEmpty)
        #expect(result.schedule.start[1] == 0.5)  // right after its predecessor, taking no room
        #expect(result.schedule.makespan == 2.5)  // one unit of cpu: the durations add up
    }

    @Test func emptyProblem() throws {
        let result = try Scheduler.solve(SchedulingProblem(resources: [], jobs: [], predecessors: [], nodes: []), options: .init())
        #expect(result.schedule.makespan == 0)
        #expect(result.schedule.start.isEmpty)
    }
}
