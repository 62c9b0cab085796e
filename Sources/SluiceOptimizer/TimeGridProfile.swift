/// A time-indexed profile for whole-number durations: the free capacity of every node and period, four resources
/// to a SIMD lane group, so a period is checked with one vector comparison per group. A serial schedule never ends
/// after the sum of durations, so that many periods always suffice.
final class TimeGridProfile: ResourceProfile {
    typealias Lanes = SIMD4<Double>

    /// Lane groups one grid may take: beyond this the breakpoint lists of ``EventProfile`` are cheaper.
    static let maxCells = 1_000_000

    static func fits(_ instance: Instance) -> Bool {
        instance.integral && (Double(instance.nodeCount) * (instance.horizon + 1) * Double((instance.resourceCount + 3) / 4)
            <= Double(maxCells))
    }

    private let groups: Int
    private let periods: Int
    private let capacity: UnsafeMutableBufferPointer<Lanes>
    private let free: UnsafeMutableBufferPointer<Lanes>
    /// Per node, how many leading periods may hold bookings (what `reset` restores).
    private let touched: UnsafeMutableBufferPointer<Int>
    private let duration: UnsafeMutableBufferPointer<Int>
    /// Per job and group: the demand, and `demand - tolerance` (-1 where there is no demand), below which free
    /// capacity is too little.
    private let amount: UnsafeMutableBufferPointer<Lanes>
    private let need: UnsafeMutableBufferPointer<Lanes>
    private let idle: UnsafeMutableBufferPointer<Bool>

    init(_ instance: Instance) {
        precondition(Self.fits(instance))
        let r = instance.resourceCount, g = max(1, (r + 3) / 4), n = instance.jobCount
        groups = g
        periods = Int(instance.horizon) + 1
        func lanes(_ count: Int, _ value: (Int, Int) -> Double) -> UnsafeMutableBufferPointer<Lanes> {
            let buffer = UnsafeMutableBufferPointer<Lanes>.allocate(capacity: max(count * g, 1))
            for i in 0..<count {
                for k in 0..<g {
                    var v = Lanes(repeating: 0)
                    for lane in 0..<4 where k * 4 + lane < r { v[lane] = value(i, k * 4 + lane) }
                    buffer[i * g + k] = v
                }
            }
            return buffer
        }
        capacity = lanes(instance.nodeCount) { instance.capacity[$0 * r + $1] }
        var demand = [Double](repeating: 0, count: n * r)
        for j in 0..<n {
            for e in instance.demandStart[j]..<instance.demandStart[j + 1] {
                demand[j * r + instance.demandResource[e]] = instance.demandAmount[e]
            }
        }
        amount = lanes(n) { demand[$0 * r + $1] }
        need = lanes(n) { demand[$0 * r + $1] > 0 ? demand[$0 * r + $1] - instance.tolerance[$1] : -1 }
        idle = .allocate(capacity: max(n, 1))
        for j in 0..<n { idle[j] = instance.demandStart[j] == instance.demandStart[j + 1] || instance.duration[j] == 0 }
        duration = .allocate(capacity: max(n, 1))
        for j in 0..<n { duration[j] = Int(instance.duration[j]) }
        free = .allocate(capacity: max(instance.nodeCount * periods * g, 1))
        for node in 0..<instance.nodeCount {
            for p in 0..<periods {
                for k in 0..<g { free[(node * periods + p) * g + k] = capacity[node * g + k] }
            }
        }
        touched = .allocate(capacity: max(instance.nodeCount, 1))
        touched.initialize(repeating: 0)
    }

    deinit {
        for buffer in [capacity, free, amount, need] { buffer.deallocate() }
        touched.deallocate()
        duration.deallocate()
        idle.deallocate()
    }

    func reset() {
        let g = groups
        for node in touched.indices where touched[node] > 0 {
            let row = capacity.baseAddress! + node * g
            var cell = free.baseAddress! + node * periods * g
            for _ in 0..<touched[node] {
                cell.update(from: row, count: g)
                cell += g
            }
            touched[node] = 0
        }
    }

    @inline(__always)
    func earliestStart(job: Int, node: Int, from: Double) -> Double {
        if idle[job] { return from }
        let d = duration[job], g = groups
        var t = Int(from)
        let base = free.baseAddress! + node * periods * g
        let jobNeed = need.baseAddress! + job * g
        // Periods [t, verified) are known to have room: after a conflict at p the search restarts at p + 1 and
        // only the periods past the old end need a look. Scanning backwards jumps furthest.
        var verified = t
        while true {
            let end = t + d
            var p = end - 1
            var conflict = -1
            scan: while p >= verified {
                let cell = base + p * g
                for k in 0..<g where any(cell[k] .< jobNeed[k]) {
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

    @inline(__always)
    func reserve(job: Int, node: Int, start: Double) {
        if idle[job] { return }
        let d = duration[job], g = groups
        let t = Int(start)
        precondition(t + d <= periods, "a serial schedule cannot end after the sum of durations")
        var cell = free.baseAddress! + (node * periods + t) * g
        let jobAmount = amount.baseAddress! + job * g
        for _ in 0..<d {
            for k in 0..<g { cell[k] -= jobAmount[k] }
            cell += g
        }
        if t + d > touched[node] { touched[node] = t + d }
    }
}
