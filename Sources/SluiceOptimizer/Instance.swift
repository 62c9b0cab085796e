/// A ``SchedulingProblem`` checked and flattened for the hot loops: arrays indexed by job id, adjacency in
/// compressed rows, non-zero demands only, and GPUs as one more resource (capacity `gpuCount`, demand `gpus`) so
/// that every schedule leaves room for an index assignment.
struct Instance: Sendable {
    let jobCount: Int
    /// Resources of the problem, plus one for GPUs when any job needs them.
    let resourceCount: Int
    let duration: [Double]
    /// Non-zero demands of job `j`: `demandResource[k], demandAmount[k]` for `k` in `demandStart[j]..<demandStart[j+1]`.
    let demandStart: [Int]
    let demandResource: [Int]
    let demandAmount: [Double]
    let predStart: [Int]
    let predList: [Int]
    let succStart: [Int]
    let succList: [Int]
    let nodeCount: Int
    /// `capacity[node * resourceCount + r]`.
    let capacity: [Double]
    /// Slack allowed for rounding when demands are summed, per resource.
    let tolerance: [Double]
    /// The nodes job `j` fits on, ascending: `fitList[k]` for `k` in `fitStart[j]..<fitStart[j+1]`.
    let fitStart: [Int]
    let fitList: [Int]
    /// Job ids in a topological order, and each job's position in it.
    let topoOrder: [Int]
    let topoRank: [Int]
    /// Every duration is a whole number, so some optimal schedule has whole start times.
    let integral: Bool
    static let largestIntegralHorizon = 10_000_000.0
    /// Sum of durations: no serial schedule ends later.
    let horizon: Double

    init(_ problem: SchedulingProblem) throws(SchedulingError) {
        let n = problem.jobs.count
        let baseR = problem.resources.count
        guard problem.predecessors.count == n else {
            throw .invalidInput("predecessors has \(problem.predecessors.count) rows for \(n) jobs")
        }
        guard !problem.nodes.isEmpty || n == 0 else { throw .invalidInput("no nodes") }
        guard problem.costPerHour.isEmpty || problem.costPerHour.count == baseR else {
            throw .invalidInput("costPerHour has \(problem.costPerHour.count) entries for \(baseR) resources")
        }
        var byId = [Int](repeating: -1, count: n)
        for (position, job) in problem.jobs.enumerated() {
            guard job.id >= 0, job.id < n else { throw .invalidInput("job id \(job.id) is not in 0..<\(n)") }
            guard byId[job.id] < 0 else { throw .invalidInput("job id \(job.id) appears twice") }
            byId[job.id] = position
            guard job.duration.isFinite, job.duration >= 0 else {
                throw .invalidInput("job \(job.id) has duration \(job.duration)")
            }
            guard job.demand.count == baseR else {
                throw .invalidInput("job \(job.id) has \(job.demand.count) demands for \(baseR) resources")
            }
            guard job.demand.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw .invalidInput("job \(job.id) has a negative or non-finite demand")
            }
            guard job.gpus >= 0 else { throw .invalidInput("job \(job.id) needs \(job.gpus) GPUs") }
        }
        for node in problem.nodes {
            guard node.capacity.count == baseR else {
                throw .invalidInput("node \(node.name) has \(node.capacity.count) capacities for \(baseR) resources")
            }
            guard node.capacity.allSatisfy({ $0.isFinite && $0 >= 0 }), node.gpuCount >= 0 else {
                throw .invalidInput("node \(node.name) has a negative or non-finite capacity")
            }
        }
        let jobs = byId.map { problem.jobs[$0] }
        let usesGPUs = jobs.contains { $0.gpus > 0 }
        let r = baseR + (usesGPUs ? 1 : 0)
        jobCount = n
        resourceCount = r
        duration = jobs.map(\.duration)
        nodeCount = problem.nodes.count

        var capacity = [Double]()
        capacity.reserveCapacity(nodeCount * r)
        for node in problem.nodes {
            capacity += node.capacity
            if usesGPUs { capacity.append(Double(node.gpuCount)) }
        }
        self.capacity = capacity
        let tolerance = (0..<r).map { res in
            1e-9 * max(1, (0..<problem.nodes.count).map { capacity[$0 * r + res] }.max() ?? 1)
        }
        self.tolerance = tolerance

        var demandStart = [0], demandResource = [Int](), demandAmount = [Double]()
        var fitStart = [0], fitList = [Int]()
        for job in jobs {
            let demand = usesGPUs ? job.demand + [Double(job.gpus)] : job.demand
            for (res, amount) in demand.enumerated() where amount > 0 {
                demandResource.append(res)
                demandAmount.append(amount)
            }
            demandStart.append(demandResource.count)
            for node in 0..<nodeCount
            where (0..<r).allSatisfy({ demand[$0] <= capacity[node * r + $0] + tolerance[$0] }) {
                fitList.append(node)
            }
            guard fitList.count > fitStart.last! else { throw .doesNotFit(job: job.id) }
            fitStart.append(fitList.count)
        }
        self.demandStart = demandStart
        self.demandResource = demandResource
        self.demandAmount = demandAmount
        self.fitStart = fitStart
        self.fitList = fitList

        var preds = [[Int]](repeating: [], count: n)
        var succs = [[Int]](repeating: [], count: n)
        for (j, list) in problem.predecessors.enumerated() {
            for p in Set(list).sorted() {
                guard p >= 0, p < n else { throw .invalidInput("job \(j) has predecessor \(p), not a job id") }
                guard p != j else { throw .cycle([j]) }
                preds[j].append(p)
                succs[p].append(j)
            }
        }
        predStart = Self.offsets(preds)
        predList = preds.flatMap { $0 }
        succStart = Self.offsets(succs)
        succList = succs.flatMap { $0 }
        topoOrder = try Self.topologicalOrder(preds: preds, succs: succs)
        var rank = [Int](repeating: 0, count: n)
        for (position, j) in topoOrder.enumerated() { rank[j] = position }
        topoRank = rank
        horizon = duration.reduce(0, +)
        // Integral instances keep arrays indexed by time step (the grid profile, the justification buckets, the genetic
        // search's utilization), so a horizon of a year of seconds over many jobs must take the event-based paths instead.
        integral = horizon <= Self.largestIntegralHorizon && duration.allSatisfy { $0 == $0.rounded() }
    }

    private static func offsets(_ lists: [[Int]]) -> [Int] {
        var result = [0]
        result.reserveCapacity(lists.count + 1)
        for list in lists { result.append(result.last! + list.count) }
        return result
    }

    /// Kahn's algorithm; on a cycle, walks back through unfinished predecessors (every unfinished job has one)
    /// until a job repeats.
    private static func topologicalOrder(preds: [[Int]], succs: [[Int]]) throws(SchedulingError) -> [Int] {
        let n = preds.count
        var missing = preds.map(\.count)
        var ready = (0..<n).filter { missing[$0] == 0 }.reversed() as [Int]
        var order = [Int]()
        order.reserveCapacity(n)
        while let j = ready.popLast() {
            order.append(j)
            for s in succs[j] {
                missing[s] -= 1
                if missing[s] == 0 { ready.append(s) }
            }
        }
        guard order.count < n else { return order }
        var seenAt = [Int](repeating: -1, count: n)
        var walk = [Int]()
        var j = (0..<n).first { missing[$0] > 0 }!
        while seenAt[j] < 0 {
            seenAt[j] = walk.count
            walk.append(j)
            j = preds[j].first { missing[$0] > 0 }!
        }
        throw .cycle(Array(walk[seenAt[j]...].reversed()))
    }
}
