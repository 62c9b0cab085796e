/// Gives each job its GPU indices after scheduling: per node, an interval-graph colouring in order of start time,
/// lowest free indices first. The GPU count is a resource of the scheme, so at every moment the jobs running on a
/// node need at most `gpuCount` indices and a job always finds enough free ones.
enum GPUAssignment {
    static func assign(_ problem: SchedulingProblem, start: [Double], node: [Int]) -> [[Int]] {
        let n = problem.jobs.count
        var gpus = [Int](repeating: 0, count: n)
        var duration = [Double](repeating: 0, count: n)
        for job in problem.jobs {
            gpus[job.id] = job.gpus
            duration[job.id] = job.duration
        }
        var result = [[Int]](repeating: [], count: n)
        var byNode = [[Int]](repeating: [], count: problem.nodes.count)
        for j in 0..<n where gpus[j] > 0 {
            if duration[j] == 0 {
                result[j] = Array(0..<gpus[j])  // occupies no moment, so overlaps nothing
            } else {
                byNode[node[j]].append(j)
            }
        }
        for (index, jobs) in byNode.enumerated() where !jobs.isEmpty {
            // Every index is busy until the end of its current holder; on equal times ends come before starts.
            var busyUntil = [Double](repeating: -.infinity, count: problem.nodes[index].gpuCount)
            for j in jobs.sorted(by: { start[$0] != start[$1] ? start[$0] < start[$1] : $0 < $1 }) {
                var taken = [Int]()
                for g in busyUntil.indices where busyUntil[g] <= start[j] {
                    taken.append(g)
                    if taken.count == gpus[j] { break }
                }
                precondition(taken.count == gpus[j], "GPU capacity exceeded on node \(index)")
                for g in taken { busyUntil[g] = start[j] + duration[j] }
                result[j] = taken
            }
        }
        return result
    }
}
