import SluiceExecution
import Testing

@Suite struct CapacityLedgerTests {
    let pool: [String: [String: Double]] = [
        "node-2": ["cpu": 2, "memory": 8, "gpu": 1],
        "node-1": ["cpu": 4, "memory": 16, "gpu": 3],
    ]

    @Test func reservesUpToCapacityAndNoFurther() {
        var ledger = CapacityLedger(capacities: pool)
        #expect(ledger.reserve(["cpu": 3, "memory": 4], on: "node-1", gpuCount: 0) == [])
        #expect(ledger.canPlace(["cpu": 1], on: "node-1"))
        #expect(!ledger.canPlace(["cpu": 1.5], on: "node-1"))
        #expect(ledger.reserve(["cpu": 1.5], on: "node-1", gpuCount: 0) == nil)
        #expect(ledger.available("cpu", on: "node-1") == 1)

        // A failed reservation takes nothing, not even the resources that did fit.
        #expect(ledger.reserve(["cpu": 1, "memory": 100], on: "node-1", gpuCount: 0) == nil)
        #expect(ledger.available("memory", on: "node-1") == 12)
        #expect(ledger.available("cpu", on: "node-1") == 1)
    }

    @Test func unknownNodesResourcesAndBadAmountsNeverFit() {
        let ledger = CapacityLedger(capacities: pool)
        #expect(!ledger.canPlace(["cpu": 1], on: "node-9"))
        #expect(!ledger.canPlace(["fpga": 1], on: "node-1"))
        #expect(ledger.canPlace(["fpga": 0], on: "node-1"))
        #expect(!ledger.canPlace(["cpu": -1], on: "node-1"))
        #expect(!ledger.canPlace(["cpu": .nan], on: "node-1"))
    }

    @Test func handsOutDistinctLowestFreeGPUs() {
        var ledger = CapacityLedger(capacities: pool)
        let first = ledger.reserve(["gpu": 2], on: "node-1", gpuCount: 2)
        let second = ledger.reserve(["gpu": 1], on: "node-1", gpuCount: 1)
        #expect(first == [0, 1])
        #expect(second == [2])
        #expect(ledger.reserve(["gpu": 1], on: "node-1", gpuCount: 1) == nil)

        ledger.release(["gpu": 2], on: "node-1", gpus: [0, 1])
        #expect(ledger.reserve(["gpu": 1], on: "node-1", gpuCount: 1) == [0])
        #expect(ledger.reserve(["gpu": 1], on: "node-2", gpuCount: 1) == [0])
        // Indices are bounded by the node's GPUs even when the caller under-declares the demand.
        #expect(ledger.reserve([:], on: "node-2", gpuCount: 1) == nil)
    }

    @Test func firstNodeFittingFollowsAStableOrder() {
        var ledger = CapacityLedger(capacities: pool)
        #expect(ledger.nodes == ["node-1", "node-2"])
        #expect(ledger.firstNodeFitting(["cpu": 2]) == "node-1")
        _ = ledger.reserve(["cpu": 3], on: "node-1", gpuCount: 0)
        #expect(ledger.firstNodeFitting(["cpu": 2]) == "node-2")
        #expect(ledger.firstNodeFitting(["cpu": 5]) == nil)
    }

    /// A long random mix of reservations and releases never takes a resource over capacity,
    /// never hands one GPU to two holders, and gives everything back in the end.
    @Test func randomWorkloadNeverOvercommits() {
        var ledger = CapacityLedger(capacities: pool)
        var generator = SplitMix(seed: 42)
        var held: [(demand: [String: Double], node: String, gpus: [Int])] = []
        var placed = 0
        for _ in 0..<2_000 {
            if !held.isEmpty, generator.next() % 3 == 0 {
                let index = Int(generator.next() % UInt64(held.count))
                let holding = held.remove(at: index)
                ledger.release(holding.demand, on: holding.node, gpus: holding.gpus)
            } else {
                let gpus = Int(generator.next() % 3)
                let demand = ["cpu": Double(generator.next() % 5) * 0.5, "memory": Double(generator.next() % 6), "gpu": Double(gpus)]
                let node = generator.next() % 2 == 0 ? "node-1" : "node-2"
                if let given = ledger.reserve(demand, on: node, gpuCount: gpus) {
                    #expect(given.count == gpus)
                    held.append((demand, node, given))
                    placed += 1
                }
            }
            for (node, capacity) in pool {
                for (resource, amount) in capacity {
                    let used = held.filter { $0.node == node }.reduce(0) { $0 + ($1.demand[resource] ?? 0) }
                    #expect(used <= amount + 1e-9)
                    #expect(abs(ledger.available(resource, on: node) - (amount - used)) < 1e-6)
                }
                let indices = held.filter { $0.node == node }.flatMap(\.gpus)
                #expect(Set(indices).count == indices.count)
                #expect(indices.allSatisfy { $0 >= 0 && Double($0) < capacity["gpu"]! })
            }
        }
        #expect(placed > 100)
        for holding in held { ledger.release(holding.demand, on: holding.node, gpus: holding.gpus) }
        #expect(ledger == CapacityLedger(capacities: pool))
    }
}

/// A small deterministic generator, so a failure reproduces.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct CapacityLedgerOccupyTests {
    @Test func occupiedCapacityAndGPUsAreNotHandedOutAgain() {
        var ledger = CapacityLedger(capacities: ["n": ["cpu": 4, "gpu": 2]])
        ledger.occupy(["cpu": 3, "gpu": 1], on: "n", gpus: [0])
        #expect(!ledger.canPlace(["cpu": 2], on: "n"))
        #expect(ledger.reserve(["cpu": 1, "gpu": 1], on: "n", gpuCount: 1) == [1])
        ledger.occupy(["cpu": 10], on: "n", gpus: [])
        #expect(ledger.available("cpu", on: "n") == 0)
    }
}
