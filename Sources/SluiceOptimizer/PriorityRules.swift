/// Priority rules for the serial scheme: each gives every job a value, lower is more urgent, and a list takes at
/// every step the most urgent job whose predecessors are all listed.
enum PriorityRule: CaseIterable {
    /// Latest finish time (backward critical-path pass).
    case latestFinish
    /// Latest start time.
    case latestStart
    /// Most total successors (transitive); falls back to most immediate successors on big problems.
    case mostTotalSuccessors
    /// Greatest rank positional weight: own duration plus the durations of the immediate successors.
    case greatestRankPositionalWeight

    func values(_ instance: Instance) -> [Double] {
        switch self {
        case .latestFinish: return TimeWindows(instance).latestFinish
        case .latestStart:
            let windows = TimeWindows(instance)
            return (0..<instance.jobCount).map { windows.latestFinish[$0] - instance.duration[$0] }
        case .mostTotalSuccessors: return Self.totalSuccessors(instance).map { -Double($0) }
        case .greatestRankPositionalWeight:
            return (0..<instance.jobCount).map { j in
                -(instance.duration[j]
                    + (instance.succStart[j]..<instance.succStart[j + 1]).reduce(0) { $0 + instance.duration[instance.succList[$1]] })
            }
        }
    }

    /// Transitive successor counts with bit sets, in reverse topological order; immediate counts past 4,000 jobs.
    private static func totalSuccessors(_ instance: Instance) -> [Int] {
        let n = instance.jobCount
        guard n <= 4000 else { return (0..<n).map { instance.succStart[$0 + 1] - instance.succStart[$0] } }
        let words = (n + 63) / 64
        var bits = [UInt64](repeating: 0, count: n * words)
        for j in instance.topoOrder.reversed() {
            for k in instance.succStart[j]..<instance.succStart[j + 1] {
                let s = instance.succList[k]
                bits[j * words + s / 64] |= 1 << UInt64(s % 64)
                for w in 0..<words { bits[j * words + w] |= bits[s * words + w] }
            }
        }
        return (0..<n).map { j in (0..<words).reduce(0) { $0 + bits[j * words + $1].nonzeroBitCount } }
    }
}

/// Earliest and latest times without resources, against the critical-path length as deadline.
struct TimeWindows {
    var earliestStart: [Double]
    var latestFinish: [Double]
    var criticalPath: Double

    init(_ instance: Instance) {
        let n = instance.jobCount
        var earliestStart = [Double](repeating: 0, count: n)
        for j in instance.topoOrder {
            for k in instance.predStart[j]..<instance.predStart[j + 1] {
                let p = instance.predList[k]
                earliestStart[j] = max(earliestStart[j], earliestStart[p] + instance.duration[p])
            }
        }
        let criticalPath = (0..<n).reduce(0) { max($0, earliestStart[$1] + instance.duration[$1]) }
        var latestFinish = [Double](repeating: criticalPath, count: n)
        for j in instance.topoOrder.reversed() {
            for k in instance.succStart[j]..<instance.succStart[j + 1] {
                let s = instance.succList[k]
                latestFinish[j] = min(latestFinish[j], latestFinish[s] - instance.duration[s])
            }
        }
        self.earliestStart = earliestStart
        self.latestFinish = latestFinish
        self.criticalPath = criticalPath
    }
}

/// Turns priority values into precedence-feasible lists.
enum ListBuilder {
    /// Always the most urgent eligible job (ties: lower id): a binary heap, O(n log n).
    static func deterministic(_ instance: Instance, values: [Double]) -> [Int] {
        let n = instance.jobCount
        var missing = (0..<n).map { instance.predStart[$0 + 1] - instance.predStart[$0] }
        var heap = [Int]()
        func before(_ a: Int, _ b: Int) -> Bool { values[a] != values[b] ? values[a] < values[b] : a < b }
        func push(_ j: Int) {
            heap.append(j)
            var i = heap.count - 1
            while i > 0, before(heap[i], heap[(i - 1) / 2]) {
                heap.swapAt(i, (i - 1) / 2)
                i = (i - 1) / 2
            }
        }
        func pop() -> Int {
            let top = heap[0]
            heap[0] = heap[heap.count - 1]
            heap.removeLast()
            var i = 0
            while true {
                var m = i
                for c in [2 * i + 1, 2 * i + 2] where c < heap.count && before(heap[c], heap[m]) { m = c }
                if m == i { return top }
                heap.swapAt(i, m)
                i = m
            }
        }
        for j in 0..<n where missing[j] == 0 { push(j) }
        var list = [Int]()
        list.reserveCapacity(n)
        while !heap.isEmpty {
            let j = pop()
            list.append(j)
            for k in instance.succStart[j]..<instance.succStart[j + 1] {
                let s = instance.succList[k]
                missing[s] -= 1
                if missing[s] == 0 { push(s) }
            }
        }
        return list
    }

    /// Regret-based biased random sampling (Drexl 1991): an eligible job is drawn with weight
    /// `(regret + 1)^2`, its regret being how much more urgent it is than the least urgent eligible job.
    static func sampled(_ instance: Instance, values: [Double], using random: inout Xoshiro256) -> [Int] {
        let n = instance.jobCount
        var missing = (0..<n).map { instance.predStart[$0 + 1] - instance.predStart[$0] }
        var eligible = (0..<n).filter { missing[$0] == 0 }
        var weights = [Double]()
        var list = [Int]()
        list.reserveCapacity(n)
        while !eligible.isEmpty {
            let worst = eligible.reduce(-Double.infinity) { max($0, values[$1]) }
            weights.removeAll(keepingCapacity: true)
            var total = 0.0
            for j in eligible {
                let w = (worst - values[j] + 1) * (worst - values[j] + 1)
                weights.append(w)
                total += w
            }
            var pick = random.unit() * total
            var index = eligible.count - 1
            for i in weights.indices {
                pick -= weights[i]
                if pick < 0 { index = i; break }
            }
            let j = eligible[index]
            eligible.swapAt(index, eligible.count - 1)
            eligible.removeLast()
            list.append(j)
            for k in instance.succStart[j]..<instance.succStart[j + 1] {
                let s = instance.succList[k]
                missing[s] -= 1
                if missing[s] == 0 { eligible.append(s) }
            }
        }
        return list
    }
}
