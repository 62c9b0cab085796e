import Testing
@testable import SluiceOptimizer

@Suite struct LowerBoundsTests {
    @Test func criticalPathAndEnergyOfTheHandInstance() throws {
        let bounds = try Scheduler.lowerBounds(handInstance())
        #expect(bounds.criticalPath == 6)  // 0 -> 2 -> 3
        #expect(bounds.resourceEnergy == 7)  // 14 unit-periods over capacity 2
        #expect(bounds.best == 7)
    }

    @Test func energyIsSharedAcrossNodesAndRoundedUpForWholeDurations() throws {
        // 14 unit-periods over 2 + 2: 3.5, rounded up to 4 since some optimal schedule starts at whole times.
        #expect(try Scheduler.lowerBounds(handInstance(nodes: 2)).resourceEnergy == 4)
        var real = handInstance(nodes: 2)
        real.jobs[4].duration = 4.5  // 14.5 over 4 = 3.625, not rounded: durations are no longer whole
        #expect(try Scheduler.lowerBounds(real).resourceEnergy == 3.625)
    }

    @Test func gpusCountAsAResource() throws {
        let problem = SchedulingProblem(
            resources: ["cpu"],
            jobs: (0..<4).map { .init(id: $0, duration: 10, demand: [0], gpus: 2) },
            predecessors: [[], [], [], []],
            nodes: [.init(name: "a", capacity: [1], gpuCount: 4)])
        let bounds = try Scheduler.lowerBounds(problem)
        #expect(bounds.criticalPath == 10)
        #expect(bounds.resourceEnergy == 20)  // 4 jobs x 2 GPUs x 10 over 4 GPUs
    }
}
