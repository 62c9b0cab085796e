/// The serial schedule-generation scheme: takes jobs in the order of a precedence-feasible list and starts each at
/// the earliest time its predecessors allow and some node has room for its whole duration; among nodes, the one
/// where it starts earliest, the lowest index on ties.
///
/// Run `backward`, it schedules the reversed project (successors as predecessors): times then count back from the
/// end, and a job's `finish` is how long before the end it starts. That is the backward half of justification.
final class SerialSGS<Profile: ResourceProfile> {
    let instance: Instance
    let profile: Profile
    /// Per job, of the last pass, in that pass's own time frame.
    let start: UnsafeMutableBufferPointer<Double>
    let finish: UnsafeMutableBufferPointer<Double>
    let node: UnsafeMutableBufferPointer<Int>
    /// Passes run so far.
    @exclusivity(unchecked) private(set) var passes = 0

    init(_ instance: Instance, profile: Profile) {
        self.instance = instance
        self.profile = profile
        let n = instance.jobCount
        start = .allocate(capacity: n)
        start.initialize(repeating: 0)
        finish = .allocate(capacity: n)
        finish.initialize(repeating: 0)
        node = .allocate(capacity: n)
        node.initialize(repeating: 0)
    }

    deinit {
        start.deallocate()
        finish.deallocate()
        node.deallocate()
    }

    /// Schedules the jobs in `order` (precedence-feasible for the direction) and returns the makespan.
    @discardableResult
    func run(_ order: UnsafeBufferPointer<Int>, backward: Bool) -> Double {
        passes += 1
        profile.reset()
        let adjStart = backward ? instance.succStart : instance.predStart
        let adjList = backward ? instance.succList : instance.predList
        let duration = instance.duration, fitStart = instance.fitStart, fitList = instance.fitList
        var makespan = 0.0
        for j in order {
            var est = 0.0
            for k in adjStart[j]..<adjStart[j + 1] {
                let f = finish[adjList[k]]
                if f > est { est = f }
            }
            var bestStart = Double.infinity, bestNode = 0
            for k in fitStart[j]..<fitStart[j + 1] {
                let candidate = fitList[k]
                let s = profile.earliestStart(job: j, node: candidate, from: est)
                if s < bestStart {
                    bestStart = s
                    bestNode = candidate
                    if s <= est { break }
                }
            }
            profile.reserve(job: j, node: bestNode, start: bestStart)
            let f = bestStart + duration[j]
            start[j] = bestStart
            finish[j] = f
            node[j] = bestNode
            if f > makespan { makespan = f }
        }
        return makespan
    }

    @discardableResult
    func run(_ order: [Int], backward: Bool) -> Double {
        order.withUnsafeBufferPointer { run($0, backward: backward) }
    }
}
