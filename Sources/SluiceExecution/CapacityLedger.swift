/// What each node has and what the running attempts hold of it, so the dispatcher never runs more
/// at once on a node than the node offers. A pure value: the caller decides when to reserve.
///
/// Resources are named as in manifests (`cpu`, `memory`, `gpu`, `bandwidth`, custom ones); a
/// resource a node does not list has capacity 0 there. `gpu` is also handed out as indices
/// `0..<capacity` for `CUDA_VISIBLE_DEVICES`.
public struct CapacityLedger: Sendable, Hashable {
    /// node → resource → amount offered.
    public let capacities: [String: [String: Double]]
    /// node → resource → amount reserved; never above capacity.
    public private(set) var reserved: [String: [String: Double]] = [:]
    /// node → GPU indices handed out.
    public private(set) var gpusInUse: [String: Set<Int>] = [:]

    /// Absorbs rounding in sums such as 0.1 + 0.2 cpu, far below any real quantity.
    private static let tolerance = 1e-9

    public init(capacities: [String: [String: Double]]) {
        self.capacities = capacities
    }

    /// Node names in a stable (sorted) order.
    public var nodes: [String] { capacities.keys.sorted() }

    /// What is still free of `resource` on `node`.
    public func available(_ resource: String, on node: String) -> Double {
        (capacities[node]?[resource] ?? 0) - (reserved[node]?[resource] ?? 0)
    }

    /// Whether `demand` fits into what `node` has free in every resource. Negative or non-finite
    /// amounts never fit: they would let a later reservation exceed the capacity.
    public func canPlace(_ demand: [String: Double], on node: String) -> Bool {
        guard capacities[node] != nil else { return false }
        return demand.allSatisfy { resource, amount in
            amount.isFinite && amount >= 0 && amount <= available(resource, on: node) + Self.tolerance
        }
    }

    /// Reserves `demand` on `node` and hands out `gpuCount` GPU indices, the lowest free ones.
    ///
    /// - Returns: the GPU indices given (empty when `gpuCount` is 0), or `nil`, reserving
    ///   nothing, when the demand or the GPUs do not fit.
    public mutating func reserve(_ demand: [String: Double], on node: String, gpuCount: Int) -> [Int]? {
        guard canPlace(demand, on: node), gpuCount >= 0 else { return nil }
        let taken = gpusInUse[node] ?? []
        let slots = Int(((capacities[node]?["gpu"] ?? 0) + Self.tolerance).rounded(.down))
        let free = (0..<max(0, slots)).filter { !taken.contains($0) }
        guard free.count >= gpuCount else { return nil }
        let given = Array(free.prefix(gpuCount))
        for (resource, amount) in demand where amount > 0 {
            reserved[node, default: [:]][resource, default: 0] += amount
        }
        gpusInUse[node, default: []].formUnion(given)
        return given
    }

    /// Records what an attempt that is already running holds (found again after a restart), with the GPU indices it
    /// was given. Amounts are clamped at the capacity, so a pool that shrank in git meanwhile shows as full, never as
    /// more than full.
    public mutating func occupy(_ demand: [String: Double], on node: String, gpus: [Int]) {
        guard let capacity = capacities[node] else { return }
        for (resource, amount) in demand where amount.isFinite && amount > 0 {
            let held = (reserved[node]?[resource] ?? 0) + amount
            reserved[node, default: [:]][resource] = min(held, capacity[resource] ?? 0)
        }
        gpusInUse[node, default: []].formUnion(gpus)
    }

    /// Gives back what `reserve` took. Releasing more than is held clamps at zero rather than
    /// creating phantom capacity.
    public mutating func release(_ demand: [String: Double], on node: String, gpus: [Int]) {
        for (resource, amount) in demand where amount.isFinite && amount > 0 {
            let left = (reserved[node]?[resource] ?? 0) - amount
            reserved[node, default: [:]][resource] = left > Self.tolerance ? left : nil
        }
        if reserved[node]?.isEmpty == true { reserved[node] = nil }
        gpusInUse[node]?.subtract(gpus)
        if gpusInUse[node]?.isEmpty == true { gpusInUse[node] = nil }
    }

    /// The first node, in `nodes` order, where `demand` fits now.
    public func firstNodeFitting(_ demand: [String: Double]) -> String? {
        nodes.first { canPlace(demand, on: $0) }
    }
}
