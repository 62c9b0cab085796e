@testable import SluiceOptimizer

/// The hand-checked instance of the SGS tests: one resource of capacity 2 on one node.
///
///     job  duration  demand  predecessors
///      0      3        1
///      1      2        2
///      2      2        1        0
///      3      1        1        1, 2
///      4      4        1
///
/// Jobs 0, 1 and 2 pairwise cannot overlap (1 + 2 > 2, and 0 precedes 2), so they take 7 periods and job 3 one
/// more: the optimum is 8, reached with job 1 first and job 4 beside jobs 0 and 2. Critical path 0-2-3 = 6;
/// energy (3 + 4 + 2 + 1 + 4) / 2 = 7.
func handInstance(nodes: Int = 1) -> SchedulingProblem {
    let spec: [(Double, Double, [Int])] = [(3, 1, []), (2, 2, []), (2, 1, [0]), (1, 1, [1, 2]), (4, 1, [])]
    return SchedulingProblem(
        resources: ["cpu"],
        jobs: spec.enumerated().map { .init(id: $0.offset, duration: $0.element.0, demand: [$0.element.1]) },
        predecessors: spec.map(\.2),
        nodes: (0..<nodes).map { .init(name: "n\($0)", capacity: [2]) })
}

/// Runs the serial scheme on `order` with each profile kind; returns the starts and makespan of each.
func serialSchedules(_ problem: SchedulingProblem, order: [Int]) throws -> [(start: [Double], makespan: Double)] {
    let instance = try Instance(problem)
    func run<P: ResourceProfile>(_ sgs: SerialSGS<P>) -> (start: [Double], makespan: Double) {
        let makespan = sgs.run(order, backward: false)
        return (Array(sgs.start), makespan)
    }
    return [run(SerialSGS(instance, profile: TimeGridProfile(instance))), run(SerialSGS(instance, profile: EventProfile(instance)))]
}
