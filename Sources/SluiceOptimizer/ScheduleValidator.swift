/// Checks a schedule against a problem from scratch, sharing no code with the scheduler: sizes and ranges,
/// precedences, every resource of every node at every moment, GPU indices, makespan and cost.
public enum ScheduleValidator {
    /// Every way the schedule breaks the problem's rules, as sentences; empty when it is feasible.
    public static func violations(_ schedule: Schedule, for problem: SchedulingProblem) -> [String] {
        let n = problem.jobs.count
        guard schedule.start.count == n, schedule.node.count == n, schedule.gpuIndices.count == n else {
            return ["the schedule has \(schedule.start.count) starts, \(schedule.node.count) nodes and "
                + "\(schedule.gpuIndices.count) GPU lists for \(n) jobs"]
        }
        var job = [SchedulingProblem.Job?](repeating: nil, count: n)
        for j in problem.jobs where j.id >= 0 && j.id < n { job[j.id] = j }
        guard job.allSatisfy({ $0 != nil }) else { return ["job ids are not 0..<\(n)"] }
        let jobs = job.map { $0! }
        var problems = [String]()
        var placed = [Bool](repeating: false, count: n)
        for j in jobs {
            let s = schedule.start[j.id], nd = schedule.node[j.id]
            guard s.isFinite, s >= 0 else { problems.append("job \(j.id) starts at \(s)"); continue }
            guard nd >= 0, nd < problem.nodes.count else {
                problems.append("job \(j.id) is on node \(nd), which does not exist")
                continue
            }
            placed[j.id] = true
            let node = problem.nodes[nd]
            for r in problem.resources.indices where j.demand[r] > node.capacity[r] + slack(node.capacity[r]) {
                problems.append("job \(j.id) needs \(j.demand[r]) \(problem.resources[r]) but node \(node.name) has \(node.capacity[r])")
            }
            let indices = schedule.gpuIndices[j.id]
            if indices.count != j.gpus || Set(indices).count != indices.count
                || indices.contains(where: { $0 < 0 || $0 >= node.gpuCount }) {
                problems.append("job \(j.id) needs \(j.gpus) distinct GPUs of node \(node.name) (0..<\(node.gpuCount)) but holds \(indices)")
            }
        }
        if problems.contains(where: { $0.contains("starts at") || $0.contains("does not exist") }) { return problems }
        for (j, preds) in problem.predecessors.enumerated() where j < n {
            for p in preds where p >= 0 && p < n {
                let ready = schedule.start[p] + jobs[p].duration
                if schedule.start[j] < ready - slack(ready) {
                    problems.append("job \(j) starts at \(schedule.start[j]) before its predecessor \(p) finishes at \(ready)")
                }
            }
        }
        problems += overloads(schedule, problem, jobs)
        problems += gpuClashes(schedule, problem, jobs)
        let makespan = jobs.reduce(0.0) { max($0, schedule.start[$1.id] + $1.duration) }
        if abs(schedule.makespan - makespan) > slack(makespan) {
            problems.append("makespan is \(schedule.makespan) but the last job finishes at \(makespan)")
        }
        let cost = jobs.reduce(0.0) { total, j in
            total + j.duration / 3600 * zip(j.demand, problem.costPerHour).reduce(0) { $0 + $1.0 * $1.1 }
        }
        if abs(schedule.cost - cost) > slack(cost) { problems.append("cost is \(schedule.cost) but the jobs cost \(cost)") }
        return problems
    }

    private static func slack(_ value: Double) -> Double { 1e-7 * max(1, abs(value)) }

    /// A sweep over each node's start and end events; usage only rises at a start, so it is checked there.
    private static func overloads(_ schedule: Schedule, _ problem: SchedulingProblem, _ jobs: [SchedulingProblem.Job]) -> [String] {
        var problems = [String]()
        var events = [[(time: Double, job: Int, isStart: Bool)]](repeating: [], count: problem.nodes.count)
        for j in jobs where j.duration > 0 {
            events[schedule.node[j.id]].append((schedule.start[j.id], j.id, true))
            events[schedule.node[j.id]].append((schedule.start[j.id] + j.duration, j.id, false))
        }
        for (index, var list) in events.enumerated() {
            let node = problem.nodes[index]
            list.sort { $0.time != $1.time ? $0.time < $1.time : (!$0.isStart && $1.isStart) }
            var usage = [Double](repeating: 0, count: problem.resources.count)
            var gpus = 0
            var i = 0
            while i < list.count {
                let time = list[i].time
                var started = false
                while i < list.count, list[i].time == time {
                    let e = list[i]
                    let sign: Double = e.isStart ? 1 : -1
                    for r in usage.indices { usage[r] += sign * jobs[e.job].demand[r] }
                    gpus += e.isStart ? jobs[e.job].gpus : -jobs[e.job].gpus
                    started = started || e.isStart
                    i += 1
                }
                guard started else { continue }
                for r in usage.indices where usage[r] > node.capacity[r] + slack(node.capacity[r]) {
                    problems.append("node \(node.name) uses \(usage[r]) of \(node.capacity[r]) \(problem.resources[r]) at \(time)")
                }
                if gpus > node.gpuCount { problems.append("node \(node.name) runs jobs needing \(gpus) of \(node.gpuCount) GPUs at \(time)") }
            }
        }
        return problems
    }

    /// Jobs on one node that overlap in time must hold disjoint GPU indices.
    private static func gpuClashes(_ schedule: Schedule, _ problem: SchedulingProblem, _ jobs: [SchedulingProblem.Job]) -> [String] {
        var problems = [String]()
        for index in problem.nodes.indices {
            let onNode = jobs.filter { schedule.node[$0.id] == index && $0.duration > 0 && !schedule.gpuIndices[$0.id].isEmpty }
                .sorted { schedule.start[$0.id] < schedule.start[$1.id] }
            var holder = [Int: (job: Int, end: Double)]()
            for j in onNode {
                let s = schedule.start[j.id]
                for g in schedule.gpuIndices[j.id] {
                    if let h = holder[g], h.end > s + slack(s) {
                        problems.append("jobs \(h.job) and \(j.id) overlap on node \(problem.nodes[index].name) and both hold GPU \(g)")
                    }
                    if holder[g].map({ $0.end < s + j.duration }) ?? true { holder[g] = (j.id, s + j.duration) }
                }
            }
        }
        return problems
    }
}
