import Foundation

/// A genetic algorithm on activity lists (Hartmann 1998) in which every individual is justified (forward-backward
/// improvement) and replaced by its justified schedule's start order: two-point crossover, adjacent-swap mutation,
/// best-of-both survival without duplicates, and a restart around the best when the population stagnates.
final class GeneticSearch<Profile: ResourceProfile> {
    struct Individual {
        var list: [Int]
        var makespan: Double
        var hash: UInt64
    }

    private let instance: Instance
    private let justifier: Justifier<Profile>
    @exclusivity(unchecked) private var random: Xoshiro256
    private let budget: Budget
    private let target: Double
    @exclusivity(unchecked) private(set) var best: Individual
    @exclusivity(unchecked) private(set) var bestStart: [Double]
    @exclusivity(unchecked) private(set) var bestNode: [Int]
    @exclusivity(unchecked) private var mark: [Int]
    @exclusivity(unchecked) private var stamp = 0

    var populationSize = Int(ProcessInfo.processInfo.environment["POP"] ?? "") ?? 40
    var mutationRate = Double(ProcessInfo.processInfo.environment["MUT"] ?? "") ?? 0.05
    /// Generations without a new best before the population is rebuilt around it.
    var patience = Int(ProcessInfo.processInfo.environment["PAT"] ?? "") ?? 40
    var rounds = Int(ProcessInfo.processInfo.environment["ROUNDS"] ?? "") ?? Int.max

    init(_ instance: Instance, justifier: Justifier<Profile>, seed: UInt64, budget: Budget, target: Double) {
        self.instance = instance
        self.justifier = justifier
        random = Xoshiro256(seed: seed)
        self.budget = budget
        self.target = target
        best = Individual(list: [], makespan: .infinity, hash: 0)
        bestStart = []
        bestNode = []
        mark = [Int](repeating: 0, count: instance.jobCount)
    }

    private var passes: Int { justifier.sgs.passes }
    private var done: Bool { best.makespan <= target || budget.exhausted(passes: passes) }

    /// Seeds with `lists` (already good ones: priority rules), fills up by biased sampling, and evolves until the
    /// budget runs out or the makespan meets the lower bound.
    func run(seeds lists: [[Int]]) {
        var population = [Individual]()
        for list in lists where !done || population.isEmpty { population.append(evaluate(list)) }
        population += initial(count: populationSize - population.count)
        var stale = 0
        while !done {
            let before = best.makespan
            var children = [Individual]()
            while children.count < populationSize, !done {
                let mother = tournament(population), father = tournament(population)
                var (daughter, son) = crossover(mother.list, father.list)
                mutate(&daughter)
                mutate(&son)
                children.append(evaluate(daughter))
                children.append(evaluate(son))
            }
            population = survivors(population + children)
            stale = best.makespan < before ? 0 : stale + 1
            if stale >= patience {
                stale = 0
                population = [best] + initial(count: populationSize - 1)
            }
        }
    }

    private func initial(count: Int) -> [Individual] {
        let values = PriorityRule.latestFinish.values(instance)
        var result = [Individual]()
        while result.count < count, !done {
            result.append(evaluate(ListBuilder.sampled(instance, values: values, using: &random)))
        }
        return result
    }

    private func evaluate(_ list: [Int]) -> Individual {
        var list = list
        let makespan = justifier.improve(&list, rounds: rounds)
        let individual = Individual(list: list, makespan: makespan, hash: Self.hash(list))
        if makespan < best.makespan {
            best = individual
            bestStart = justifier.bestStart
            bestNode = justifier.bestNode
        }
        return individual
    }

    private func tournament(_ population: [Individual]) -> Individual {
        let a = population[random.below(population.count)], b = population[random.below(population.count)]
        return a.makespan <= b.makespan ? a : b
    }

    /// Hartmann's two-point crossover: the child keeps the first parent's head, takes the next jobs in the second
    /// parent's order, and the rest in the first's; precedence-feasible when both parents are.
    private func crossover(_ mother: [Int], _ father: [Int]) -> ([Int], [Int]) {
        let n = mother.count
        var q1 = random.below(n + 1), q2 = random.below(n + 1)
        if q1 > q2 { swap(&q1, &q2) }
        return (child(mother, father, q1, q2), child(father, mother, q1, q2))
    }

    private func child(_ first: [Int], _ second: [Int], _ q1: Int, _ q2: Int) -> [Int] {
        stamp += 1
        var list = [Int]()
        list.reserveCapacity(first.count)
        for j in first[..<q1] {
            list.append(j)
            mark[j] = stamp
        }
        for j in second where list.count < q2 && mark[j] != stamp {
            list.append(j)
            mark[j] = stamp
        }
        for j in first where mark[j] != stamp { list.append(j) }
        return list
    }

    /// Swaps neighbours with probability `mutationRate` unless the first is a predecessor of the second.
    private func mutate(_ list: inout [Int]) {
        guard list.count > 1 else { return }
        for i in 0..<(list.count - 1) where random.unit() < mutationRate {
            let a = list[i], b = list[i + 1]
            let related = (instance.predStart[b]..<instance.predStart[b + 1]).contains { instance.predList[$0] == a }
            if !related { list.swapAt(i, i + 1) }
        }
    }

    /// The best `populationSize` distinct individuals; on equal makespans the newer (later) ones win, to drift.
    private func survivors(_ all: [Individual]) -> [Individual] {
        let order = all.indices.sorted { all[$0].makespan != all[$1].makespan ? all[$0].makespan < all[$1].makespan : $0 > $1 }
        var seen = Set<UInt64>()
        var result = [Individual]()
        for i in order where result.count < populationSize && seen.insert(all[i].hash).inserted {
            result.append(all[i])
        }
        return result
    }

    private static func hash(_ list: [Int]) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for j in list { h = (h ^ UInt64(truncatingIfNeeded: j)) &* 0x0000_0100_0000_01B3 }
        return h
    }
}

/// When a search must stop: a number of schedule-generation passes, or a point in time.
struct Budget {
    let maxPasses: Int
    let deadline: UInt64

    init(timeLimit: Double, maxIterations: Int?, from start: UInt64) {
        maxPasses = maxIterations ?? .max
        deadline = start &+ UInt64(max(0, min(timeLimit, 1e9)) * 1e9)
    }

    func exhausted(passes: Int) -> Bool {
        passes >= maxPasses || DispatchTime.now().uptimeNanoseconds >= deadline
    }
}
