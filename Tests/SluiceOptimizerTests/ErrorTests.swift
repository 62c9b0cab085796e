import Testing
@testable import SluiceOptimizer

@Suite struct ErrorTests {
    @Test func cycleIsReportedAlongItsEdges() {
        let problem = SchedulingProblem(
            resources: ["cpu"],
            jobs: (0..<4).map { .init(id: $0, duration: 1, demand: [1]) },
            predecessors: [[], [0, 3], [1], [2]],  // 1 -> 2 -> 3 -> 1
            nodes: [.init(name: "n", capacity: [1])])
        #expect {
            try Scheduler.solve(problem, options: .init())
        } throws: { error in
            guard case .cycle(let jobs) = error as? SchedulingError, jobs.count == 3, Set(jobs) == [1, 2, 3] else { return false }
            // each is a predecessor of the next, the last of the first
            return jobs.indices.allSatisfy { problem.predecessors[jobs[($0 + 1) % 3]].contains(jobs[$0]) }
        }
        var selfLoop = problem
        selfLoop.predecessors = [[0], [], [], []]
        #expect(throws: SchedulingError.cycle([0])) { try Scheduler.quick(selfLoop) }
    }

    @Test func jobThatFitsNowhere() {
        let problem = SchedulingProblem(
            resources: ["cpu", "memory"],
            jobs: [.init(id: 0, duration: 1, demand: [1, 1]), .init(id: 1, duration: 1, demand: [2, 64])],
            predecessors: [[], []],
            nodes: [.init(name: "a", capacity: [4, 32]), .init(name: "b", capacity: [1, 128])])
        #expect(throws: SchedulingError.doesNotFit(job: 1)) { try Scheduler.quick(problem) }
        var gpuless = problem
        gpuless.jobs[1] = .init(id: 1, duration: 1, demand: [1, 1], gpus: 1)
        #expect(throws: SchedulingError.doesNotFit(job: 1)) { try Scheduler.quick(gpuless) }
    }

    @Test func malformedInput() {
        var problem = handInstance()
        problem.jobs[2].demand = [1, 1]
        #expect(throws: SchedulingError.self) { try Scheduler.quick(problem) }
        problem = handInstance()
        problem.jobs[0].duration = -1
        #expect(throws: SchedulingError.invalidInput("job 0 has duration -1.0")) { try Scheduler.quick(problem) }
        problem = handInstance()
        problem.jobs[1].id = 0
        #expect(throws: SchedulingError.invalidInput("job id 0 appears twice")) { try Scheduler.quick(problem) }
        problem = handInstance()
        problem.predecessors[3] = [9]
        #expect(throws: SchedulingError.invalidInput("job 3 has predecessor 9, not a job id")) { try Scheduler.quick(problem) }
    }
}
