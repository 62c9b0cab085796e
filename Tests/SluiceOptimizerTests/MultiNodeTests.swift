import Testing
@testable import SluiceOptimizer

@Suite struct MultiNodeTests {
    /// Two jobs of 3 cpu each cannot share a 4-cpu node: split across two nodes they run at once.
    @Test func jobsThatOnlyFitTogetherWhenSplit() throws {
        let problem = SchedulingProblem(
            resources: ["cpu", "memory"],
            jobs: [.init(id: 0, duration: 5, demand: [3, 1]), .init(id: 1, duration: 5, demand: [3, 1])],
            predecessors: [[], []],
            nodes: [.init(name: "a", capacity: [4, 8]), .init(name: "b", capacity: [4, 8])])
        for result in [try Scheduler.quick(problem), try Scheduler.solve(problem, options: .init(maxIterations: 100))] {
            #expect(result.schedule.makespan == 5)
            #expect(result.schedule.start == [0, 0])
            #expect(Set(result.schedule.node) == [0, 1])
            #expect(ScheduleValidator.violations(result.schedule, for: problem).isEmpty)
        }
    }

    @Test func aJobGoesWhereItFitsAndTiesGoToTheLowestIndex() throws {
        let problem = SchedulingProblem(
            resources: ["cpu", "memory"],
            jobs: [.init(id: 0, duration: 2, demand: [1, 16]), .init(id: 1, duration: 2, demand: [1, 1])],
            predecessors: [[], []],
            nodes: [.init(name: "small", capacity: [4, 8]), .init(name: "big", capacity: [4, 32])])
        let result = try Scheduler.quick(problem)
        #expect(result.schedule.node == [1, 0])
        #expect(result.schedule.start == [0, 0])
    }

    @Test func overlappingJobsGetDistinctGPUsAndReuseThemAfterwards() throws {
        // a holds both GPUs; b and c run together after it, one GPU each, reusing a's indices.
        let problem = SchedulingProblem(
            resources: ["cpu"],
            jobs: [.init(id: 0, duration: 3, demand: [1], gpus: 2), .init(id: 1, duration: 2, demand: [1], gpus: 1),
                   .init(id: 2, duration: 2, demand: [1], gpus: 1)],
            predecessors: [[], [0], [0]],
            nodes: [.init(name: "g", capacity: [8], gpuCount: 2)])
        let result = try Scheduler.solve(problem, options: .init(maxIterations: 50))
        #expect(result.schedule.start == [0, 3, 3])
        #expect(result.schedule.gpuIndices[0] == [0, 1])
        #expect(Set(result.schedule.gpuIndices[1] + result.schedule.gpuIndices[2]) == [0, 1])
        #expect(ScheduleValidator.violations(result.schedule, for: problem).isEmpty)
    }

    @Test func gpuCountLimitsConcurrencyEvenWithoutAGPUResource() throws {
        let problem = SchedulingProblem(
            resources: ["cpu"],
            jobs: (0..<3).map { .init(id: $0, duration: 4, demand: [1], gpus: 1) },
            predecessors: [[], [], []],
            nodes: [.init(name: "g", capacity: [8], gpuCount: 2)])
        let result = try Scheduler.quick(problem)
        #expect(result.schedule.makespan == 8)
        #expect(ScheduleValidator.violations(result.schedule, for: problem).isEmpty)
    }

    @Test func validatorCatchesSharedGPUsAndOverloads() {
        let problem = SchedulingProblem(
            resources: ["cpu"],
            jobs: [.init(id: 0, duration: 3, demand: [2], gpus: 1), .init(id: 1, duration: 3, demand: [2], gpus: 1)],
            predecessors: [[], [0]],
            nodes: [.init(name: "g", capacity: [3], gpuCount: 2)])
        let bad = Schedule(start: [0, 1], node: [0, 0], gpuIndices: [[0], [0]], makespan: 4, cost: 0)
        let violations = ScheduleValidator.violations(bad, for: problem)
        #expect(violations.contains { $0.contains("predecessor 0") })
        #expect(violations.contains { $0.contains("uses 4.0 of 3.0 cpu") })
        #expect(violations.contains { $0.contains("both hold GPU 0") })
        let good = Schedule(start: [0, 3], node: [0, 0], gpuIndices: [[0], [0]], makespan: 6, cost: 0)
        #expect(ScheduleValidator.violations(good, for: problem).isEmpty)
    }
}
