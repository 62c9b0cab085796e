/// Forward-backward improvement (double justification, Valls, Ballestín & Quintanilla 2005): decode a list, then
/// shift every job as late as possible in order of decreasing finish time, then as early as possible in order of
/// increasing start time, and repeat while the makespan shrinks. On one node a round never makes a schedule longer.
final class Justifier<Profile: ResourceProfile> {
    let sgs: SerialSGS<Profile>
    private let instance: Instance
    /// The best schedule of the last `improve`: start and node per job.
    @exclusivity(unchecked) private(set) var bestStart: [Double]
    @exclusivity(unchecked) private(set) var bestNode: [Int]
    @exclusivity(unchecked) private var scratch: [Int]
    /// Counting-sort buckets for whole-number times.
    @exclusivity(unchecked) private var bucketCount: [Int]

    init(_ sgs: SerialSGS<Profile>) {
        self.sgs = sgs
        instance = sgs.instance
        let n = instance.jobCount
        bestStart = [Double](repeating: 0, count: n)
        bestNode = [Int](repeating: 0, count: n)
        scratch = [Int](repeating: 0, count: n)
        bucketCount = instance.integral ? [Int](repeating: 0, count: Int(instance.horizon) + 2) : []
    }

    /// Decodes `order` and justifies it for at most `rounds` rounds, fewer if `stop` says so (checked before each
    /// round: a round of a huge problem takes a while). Returns the best makespan; `order` becomes that schedule's
    /// jobs by start time, and `bestStart`/`bestNode` hold it.
    @discardableResult
    func improve(_ order: inout [Int], rounds: Int = .max, stop: () -> Bool = { false }) -> Double {
        var best = sgs.run(order, backward: false)
        save()
        var round = 0
        while round < rounds, !stop() {
            round += 1
            // Latest-first by finish; on ties successors first, so the list stays feasible backwards.
            sortByFinishDescending(into: &scratch, topoAscendingOnTies: false)
            sgs.run(scratch, backward: true)
            // A backward pass's finish is how long before the end a job starts: descending is earliest start first.
            sortByFinishDescending(into: &scratch, topoAscendingOnTies: true)
            let makespan = sgs.run(scratch, backward: false)
            guard makespan < best else { break }
            best = makespan
            save()
        }
        sortBestByStart(into: &order)
        return best
    }

    private func save() {
        for j in 0..<instance.jobCount {
            bestStart[j] = sgs.start[j]
            bestNode[j] = sgs.node[j]
        }
    }

    /// Jobs by decreasing `sgs.finish`; ties in topological order, ascending or descending.
    private func sortByFinishDescending(into list: inout [Int], topoAscendingOnTies: Bool) {
        let finish = sgs.finish
        if instance.integral {
            countingSort(into: &list, descending: true, topoAscendingOnTies: topoAscendingOnTies) { Int(finish[$0]) }
        } else {
            let rank = instance.topoRank
            list = instance.topoOrder
            list.sort { a, b in
                if finish[a] != finish[b] { return finish[a] > finish[b] }
                return topoAscendingOnTies ? rank[a] < rank[b] : rank[a] > rank[b]
            }
        }
    }

    private func sortBestByStart(into list: inout [Int]) {
        if instance.integral {
            let start = bestStart
            countingSort(into: &list, descending: false, topoAscendingOnTies: true) { Int(start[$0]) }
        } else {
            let rank = instance.topoRank
            list = instance.topoOrder
            list.sort { a, b in bestStart[a] != bestStart[b] ? bestStart[a] < bestStart[b] : rank[a] < rank[b] }
        }
    }

    /// Stable counting sort of all jobs by an integer key in `0...horizon`, ties in topological order.
    private func countingSort(
        into list: inout [Int], descending: Bool, topoAscendingOnTies: Bool, key: (Int) -> Int
    ) {
        let n = instance.jobCount
        if list.count != n { list = [Int](repeating: 0, count: n) }
        let top = bucketCount.count - 1
        bucketCount.withUnsafeMutableBufferPointer { count in
            instance.topoOrder.withUnsafeBufferPointer { topo in
                var minKey = top, maxKey = 0
                for j in topo {
                    let k = descending ? top - key(j) : key(j)
                    count[k] += 1
                    if k > maxKey { maxKey = k }
                    if k < minKey { minKey = k }
                }
                var sum = 0
                for k in minKey...maxKey {
                    let c = count[k]
                    count[k] = sum
                    sum += c
                }
                list.withUnsafeMutableBufferPointer { out in
                    for i in 0..<n {
                        let j = topoAscendingOnTies ? topo[i] : topo[n - 1 - i]
                        let k = descending ? top - key(j) : key(j)
                        out[count[k]] = j
                        count[k] += 1
                    }
                }
                for k in minKey...maxKey { count[k] = 0 }
            }
        }
    }
}
