import ArgumentParser
import Foundation
import SluiceOptimizer

/// Random multi-node problems shaped like Sluice's: real durations in seconds, cpu/memory/gpu/bandwidth demands,
/// a random DAG (up to two predecessors each, drawn from all earlier jobs: shallow, so resources bind), a mixed
/// pool of nodes. The same arguments give the same problem.
enum SyntheticInstance {
    static func make(jobs n: Int, nodes nodeCount: Int, seed: UInt64, wholeDurations: Bool = false) -> SchedulingProblem {
        var random = SplitMix(seed)
        let resources = ["cpu", "memory", "gpu", "bandwidth"]
        let nodes = (0..<nodeCount).map { i -> SchedulingProblem.Node in
            let gpus = [0, 0, 4, 8][random.below(4)]
            return .init(name: "node-\(i)",
                         capacity: [Double(16 << random.below(3)), Double(64 << random.below(4)), Double(gpus), Double(10 + random.below(31))],
                         gpuCount: gpus)
        }
        let maxGPUs = nodes.map(\.gpuCount).max() ?? 0
        var jobs = [SchedulingProblem.Job]()
        var predecessors = [[Int]](repeating: [], count: n)
        for j in 0..<n {
            let duration = wholeDurations ? Double(1 + random.below(20)) : 30 + random.unit() * 3570
            let gpus = maxGPUs > 0 && random.below(5) == 0 ? 1 + random.below(min(4, maxGPUs)) : 0
            let demand = [1 + random.unit() * 15, random.unit() * 64, Double(gpus), random.unit() * 10]
            jobs.append(.init(id: j, duration: duration, demand: demand, gpus: gpus))
            if j > 0 {
                for _ in 0..<random.below(3) { predecessors[j].append(random.below(j)) }
            }
        }
        // Ids in any order is part of the contract: shuffle the array.
        for i in stride(from: n - 1, to: 0, by: -1) { jobs.swapAt(i, random.below(i + 1)) }
        return SchedulingProblem(resources: resources, jobs: jobs, predecessors: predecessors, nodes: nodes,
                                 costPerHour: [0.02, 0.005, 1.5, 0])
    }

    /// Reproducible numbers of its own, so that the problems stay the same whatever the optimizer uses.
    struct SplitMix {
        var state: UInt64
        init(_ seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
    }
}

/// `sluice-bench synthetic`: times `Scheduler.quick` (and optionally `solve`) on a large random problem.
struct SyntheticCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthetic",
        abstract: "Time the quick schedule (and optionally the search) on a random multi-node problem."
    )

    @Option(help: "Jobs.") var jobs = 10_000
    @Option(help: "Nodes.") var nodes = 50
    @Option(help: "Seed of the problem.") var seed: UInt64 = 1
    @Option(help: "Also run the search for this many seconds.") var timeLimit: Double?

    func validate() throws {
        guard jobs >= 1, nodes >= 1 else { throw ValidationError("--jobs and --nodes must be at least 1") }
    }

    func run() throws {
        let problem = SyntheticInstance.make(jobs: jobs, nodes: nodes, seed: seed)
        let quick = try Scheduler.quick(problem)
        func line(_ label: String, _ result: SchedulingResult) -> String {
            let violations = ScheduleValidator.violations(result.schedule, for: problem)
            return String(format: "%@: %.3f s, makespan %.0f, bound %.0f (gap %.1f%%), %@", label, result.elapsed,
                          result.schedule.makespan, result.bounds.best, result.gapBound * 100,
                          violations.isEmpty ? "feasible" : "\(violations.count) VIOLATIONS")
        }
        print("\(jobs) jobs, \(nodes) nodes, seed \(seed)")
        print(line("quick", quick))
        if let timeLimit {
            print(line("solve", try Scheduler.solve(problem, options: SchedulerOptions(timeLimit: timeLimit, seed: seed))))
        }
    }
}
