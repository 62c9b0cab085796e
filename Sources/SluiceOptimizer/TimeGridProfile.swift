/// A time-indexed profile for whole-number durations: free capacity per node, period and resource in one flat
/// buffer. A serial schedule never ends after the sum of durations, so that many periods always suffice.
final class TimeGridProfile: ResourceProfile {
    /// Cells one grid may take: beyond this the breakpoint lists of ``EventProfile`` are cheaper.
    static let maxCells = 4_000_000

    static func fits(_ instance: Instance) -> Bool {
        instance.integral && (Double(instance.nodeCount) * (instance.horizon + 1) * Double(instance.resourceCount)
            <= Double(maxCells))
    }

    private let resourceCount: Int
    private let periods: Int
    private let capacity: [Double]
    private let free: UnsafeMutablePointer<Double>
    /// Per node, how many leading periods may hold bookings (what `reset` restores).
    @exclusivity(unchecked) private var touched: [Int]
    private let duration: [Int]
    private let demandStart: [Int]
    private let demandResource: [Int]
    private let demandAmount: [Double]
    /// `amount - tolerance`: a period is too full when its free capacity is below this.
    private let demandNeed: [Double]

    init(_ instance: Instance) {
        precondition(Self.fits(instance))
        resourceCount = instance.resourceCount
        periods = Int(instance.horizon) + 1
        capacity = instance.capacity
        let cells = instance.nodeCount * periods * resourceCount
        free = .allocate(capacity: max(cells, 1))
        for node in 0..<instance.nodeCount {
            for p in 0..<periods {
                for r in 0..<resourceCount {
                    free[(node * periods + p) * resourceCount + r] = capacity[node * resourceCount + r]
                }
            }
        }
        touched = [Int](repeating: 0, count: instance.nodeCount)
        duration = instance.duration.map { Int($0) }
        demandStart = instance.demandStart
        demandResource = instance.demandResource
        demandAmount = instance.demandAmount
        demandNeed = instance.demandAmount.indices.map {
            instance.demandAmount[$0] - instance.tolerance[instance.demandResource[$0]]
        }
    }

    deinit { free.deallocate() }

    func reset() {
        let r = resourceCount
        capacity.withUnsafeBufferPointer { capacity in
            for node in touched.indices where touched[node] > 0 {
                let row = capacity.baseAddress! + node * r
                var cell = free + node * periods * r
                for _ in 0..<touched[node] {
                    cell.update(from: row, count: r)
                    cell += r
                }
                touched[node] = 0
            }
        }
    }

    func earliestStart(job: Int, node: Int, from: Double) -> Double {
        let d = duration[job]
        var t = Int(from)
        if d == 0 { return from }
        let first = demandStart[job], last = demandStart[job + 1]
        let r = resourceCount
        let base = free + node * periods * r
        return demandResource.withUnsafeBufferPointer { resource in
            demandNeed.withUnsafeBufferPointer { need in
                // Periods [t, verified) are known to have room: after a conflict at p the search restarts at
                // p + 1 and only the periods past the old end need a look. Scanning backwards jumps furthest.
                var verified = t
                while true {
                    let end = t + d
                    var p = end - 1
                    var conflict = -1
                    scan: while p >= verified {
                        let cell = base + p * r
                        for e in first..<last where cell[resource[e]] < need[e] {
                            conflict = p
                            break scan
                        }
                        p -= 1
                    }
                    if conflict < 0 { return Double(t) }
                    t = conflict + 1
                    verified = end
                }
            }
        }
    }

    func reserve(job: Int, node: Int, start: Double) {
        let d = duration[job]
        if d == 0 { return }
        let t = Int(start)
        let first = demandStart[job], last = demandStart[job + 1]
        let r = resourceCount
        precondition(t + d <= periods, "a serial schedule cannot end after the sum of durations")
        let base = free + node * periods * r
        for p in t..<(t + d) {
            let cell = base + p * r
            for e in first..<last { cell[demandResource[e]] -= demandAmount[e] }
        }
        if t + d > touched[node] { touched[node] = t + d }
    }
}
