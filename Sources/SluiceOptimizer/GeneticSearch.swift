/// A genetic algorithm on activity lists (Hartmann 1998) in which every individual is justified (forward-backward
/// improvement) and replaced by its justified schedule's start order: two-point or peak crossover, adjacent-swap
/// mutation, best-of-both survival without duplicates, and a restart (keeping the best) when the population
/// stagnates.
final class GeneticSearch<Profile: ResourceProfile> {
    struct Individual {
        var list: [Int]
        var makespan: Double
        var hash: UInt64
        /// Start per job of the justified schedule.
        var start: [Double]
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

    // Tuned on every 5th J120 instance at 0.25–1 s and 50,000–150,000 schedules (population 40, 80, 150, 250,
    // 300; mutation 0.02, 0.05; patience 15, 40, none; one or unlimited justification rounds; tournaments of 2
    // and 3): 40 and 80 were clearly worse, the other differences within noise.
    /// Individuals kept per generation, and children made per generation.
    let populationSize = 150
    /// Chance per position of swapping neighbours.
    let mutationRate = 0.05
    /// Generations without a new best before the population is rebuilt around it.
    let patience = 40
    /// Chance that a pair of children comes from peak crossover rather than two-point crossover (whole-number
    /// durations only). 0.5 beat 0, 0.25 and 0.75 on every 5th J120 instance at 50,000 schedules.
    let peakRate = 0.5
    /// Per job, its share of the pool per period it runs: Σ demand / total capacity, averaged over resources.
    private let weight: [Double]
    @exclusivity(unchecked) private var utilization: [Double]

    init(_ instance: Instance, justifier: Justifier<Profile>, seed: UInt64, budget: Budget, target: Double) {
        self.instance = instance
        self.justifier = justifier
        random = Xoshiro256(seed: seed)
        self.budget = budget
        self.target = target
        best = Individual(list: [], makespan: .infinity, hash: 0, start: [])
        let r = instance.resourceCount
        let total = (0..<r).map { res in (0..<instance.nodeCount).reduce(0.0) { $0 + instance.capacity[$1 * r + res] } }
        weight = (0..<instance.jobCount).map { j in
            (instance.demandStart[j]..<instance.demandStart[j + 1]).reduce(0.0) {
                $0 + instance.demandAmount[$1] / max(total[instance.demandResource[$1]], 1e-300)
            } / Double(r)
        }
        utilization = instance.integral ? [Double](repeating: 0, count: Int(instance.horizon) + 1) : []
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
                var (daughter, son) = instance.integral && random.unit() < peakRate
                    ? (peakChild(mother, father), peakChild(father, mother))
                    : crossover(mother.list, father.list)
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
        let makespan = justifier.improve(&list) { budget.exhausted(passes: passes) }
        let individual = Individual(list: list, makespan: makespan, hash: Self.hash(list), start: justifier.bestStart)
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

    /// Peak crossover (after Valls, Ballestín & Quintanilla 2008): the child keeps, in the mother's order, the jobs
    /// she starts in her most resource-dense time window; the jobs she starts before it come first and the rest
    /// last, both in the father's order. Precedence-feasible, since a predecessor never starts later.
    private func peakChild(_ mother: Individual, _ father: Individual) -> [Int] {
        let span = Int(mother.makespan)
        guard span > 1 else { return mother.list }
        for t in 0..<span { utilization[t] = 0 }
        for j in 0..<instance.jobCount {
            let s = Int(mother.start[j]), w = weight[j]
            for t in s..<(s + Int(instance.duration[j])) { utilization[t] += w }
        }
        // Windows of 10–50% of the makespan: 5–30% and 20–70% did worse on every 5th J120 instance.
        let length = max(1, Int(Double(span) * (0.1 + 0.4 * random.unit())))
        var sum = (0..<length).reduce(0.0) { $0 + utilization[$1] }
        var bestSum = sum, bestFrom = 0
        for a in 1...(span - length) {
            sum += utilization[a + length - 1] - utilization[a - 1]
            if sum > bestSum { bestSum = sum; bestFrom = a }
        }
        let low = Double(bestFrom), high = Double(bestFrom + length)
        var list = [Int]()
        list.reserveCapacity(instance.jobCount)
        for j in father.list where mother.start[j] < low { list.append(j) }
        for j in mother.list where mother.start[j] >= low && mother.start[j] < high { list.append(j) }
        for j in father.list where mother.start[j] >= high { list.append(j) }
        return list
    }

    /// Swaps neighbours with probability `mutationRate` unless the first is a predecessor of the second.
    private func mutate(_ list: inout [Int]) {
        guard list.count > 1 else { return }
        for i in 0..<(list.count - 1) where random.unit() < mutationRate {
            let a = list[i], b = list[i + 1]
            if !isPredecessor(a, of: b) { list.swapAt(i, i + 1) }
        }
    }

    private func isPredecessor(_ a: Int, of b: Int) -> Bool {
        (instance.predStart[b]..<instance.predStart[b + 1]).contains { instance.predList[$0] == a }
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
