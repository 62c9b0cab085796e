/// Per-node resource usage over time while a schedule is built: where a job can start, and booking it.
/// The schedule-generation scheme is generic over it so that whole-number problems get a time-indexed array.
protocol ResourceProfile: AnyObject {
    /// Empties every node.
    func reset()
    /// The earliest time `>= from` at which `job` fits on `node` for its whole duration.
    func earliestStart(job: Int, node: Int, from: Double) -> Double
    /// Books `job` on `node` from `start` to `start + duration`.
    func reserve(job: Int, node: Int, start: Double)
}

/// Breakpoint lists: per node, sorted times `t_k` and the usage of each resource on `[t_k, t_{k+1})`; the last
/// segment runs to infinity with zero usage. Works for any real durations; cost grows with the jobs on a node.
final class EventProfile: ResourceProfile {
    private struct Node {
        var times: [Double] = [0]
        var usage: [Double]
    }

    private let instance: Instance
    private let resourceCount: Int
    @exclusivity(unchecked) private var nodes: [Node]
    /// `capacity + tolerance`, per node and resource.
    private let limit: [Double]

    init(_ instance: Instance) {
        self.instance = instance
        resourceCount = instance.resourceCount
        let empty = Node(usage: [Double](repeating: 0, count: instance.resourceCount))
        nodes = [Node](repeating: empty, count: instance.nodeCount)
        limit = instance.capacity.indices.map { instance.capacity[$0] + instance.tolerance[$0 % instance.resourceCount] }
    }

    func reset() {
        for i in nodes.indices {
            nodes[i].times.removeAll(keepingCapacity: true)
            nodes[i].times.append(0)
            nodes[i].usage.removeAll(keepingCapacity: true)
            nodes[i].usage.append(contentsOf: repeatElement(0, count: resourceCount))
        }
    }

    func earliestStart(job: Int, node: Int, from: Double) -> Double {
        let d = instance.duration[job]
        if d == 0 { return from }
        let first = instance.demandStart[job], last = instance.demandStart[job + 1]
        let limitBase = node * resourceCount
        return nodes[node].times.withUnsafeBufferPointer { times in
            nodes[node].usage.withUnsafeBufferPointer { usage in
                var k = Self.segment(containing: from, in: times)
                var t = from
                var i = k
                while i < times.count, times[i] < t + d {
                    var fits = true
                    for e in first..<last {
                        let r = instance.demandResource[e]
                        if usage[i * resourceCount + r] + instance.demandAmount[e] > limit[limitBase + r] {
                            fits = false
                            break
                        }
                    }
                    if fits {
                        i += 1
                    } else {
                        k = i + 1  // the last segment is empty, so a conflict is never in it
                        t = times[k]
                        i = k
                    }
                }
                return t
            }
        }
    }

    func reserve(job: Int, node: Int, start: Double) {
        let d = instance.duration[job]
        let first = instance.demandStart[job], last = instance.demandStart[job + 1]
        if d == 0 || first == last { return }
        let from = split(node: node, at: start)
        let to = split(node: node, at: start + d)
        let r = resourceCount
        nodes[node].usage.withUnsafeMutableBufferPointer { usage in
            for i in from..<to {
                for e in first..<last { usage[i * r + instance.demandResource[e]] += instance.demandAmount[e] }
            }
        }
    }

    /// The index of the segment starting at `time`, splitting the one that contains it if needed.
    private func split(node: Int, at time: Double) -> Int {
        let k = nodes[node].times.withUnsafeBufferPointer { Self.segment(containing: time, in: $0) }
        if nodes[node].times[k] == time { return k }
        nodes[node].times.insert(time, at: k + 1)
        let r = resourceCount
        let copy = Array(nodes[node].usage[(k * r)..<(k * r + r)])
        nodes[node].usage.insert(contentsOf: copy, at: (k + 1) * r)
        return k + 1
    }

    /// The last `k` with `times[k] <= time` (times[0] is 0 and every time asked for is >= 0).
    private static func segment(containing time: Double, in times: UnsafeBufferPointer<Double>) -> Int {
        var low = 0, high = times.count
        while high - low > 1 {
            let mid = (low + high) / 2
            if times[mid] <= time { low = mid } else { high = mid }
        }
        return low
    }
}
