import Foundation

/// What happened to one instance.
struct InstanceOutcome: Codable {
    var name: String
    var makespan: Double
    /// The file's MPM-Time: the critical-path lower bound.
    var criticalPath: Int
    /// Optimum (`*opt.sm`) or best known upper bound (`*hrs.sm`), when the folder has one.
    var reference: Int?
    /// Lower bound from `*lb.sm`, when the folder has one.
    var lowerBound: Int?
    var violations: [String]
    var seconds: Double
    var iterations: Int

    var feasible: Bool { violations.isEmpty }
}

/// The figures the literature reports, over all instances of a folder.
struct Summary: Codable {
    var instances: Int
    var feasible: Int
    /// Mean % above the critical-path bound.
    var meanDeviationFromCriticalPath: Double
    /// Mean % above the optimum or best known, over the instances that have one.
    var meanDeviationFromReference: Double?
    var referenceKind: String?
    var equalToReference: Int?
    var withReference: Int?
    var meanDeviationFromLowerBound: Double?
    var meanSeconds: Double
    var maxSeconds: Double
    var meanIterations: Double

    init(_ outcomes: [InstanceOutcome], referenceKind: String?) {
        func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
        func percent(_ makespan: Double, _ bound: Int) -> Double { (makespan - Double(bound)) / Double(bound) * 100 }
        instances = outcomes.count
        feasible = outcomes.filter(\.feasible).count
        meanDeviationFromCriticalPath = mean(outcomes.map { percent($0.makespan, $0.criticalPath) })
        let referenced = outcomes.filter { $0.reference != nil }
        self.referenceKind = referenced.isEmpty ? nil : referenceKind
        if !referenced.isEmpty {
            meanDeviationFromReference = mean(referenced.map { percent($0.makespan, $0.reference!) })
            equalToReference = referenced.filter { $0.makespan <= Double($0.reference!) }.count
            withReference = referenced.count
        }
        let bounded = outcomes.filter { $0.lowerBound != nil }
        if !bounded.isEmpty { meanDeviationFromLowerBound = mean(bounded.map { percent($0.makespan, $0.lowerBound!) }) }
        meanSeconds = mean(outcomes.map(\.seconds))
        maxSeconds = outcomes.map(\.seconds).max() ?? 0
        meanIterations = mean(outcomes.map { Double($0.iterations) })
    }

    var text: String {
        func f(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }
        var lines = [
            "instances                        \(instances)",
            "feasible                         \(feasible)",
            "mean % above critical path       \(f(meanDeviationFromCriticalPath))",
        ]
        if let deviation = meanDeviationFromReference, let kind = referenceKind {
            lines.append("mean % above \(kind.padding(toLength: 20, withPad: " ", startingAt: 0))\(f(deviation, 3))")
            lines.append("equal to \(kind.padding(toLength: 24, withPad: " ", startingAt: 0))\(equalToReference!) of \(withReference!)")
        }
        if let deviation = meanDeviationFromLowerBound {
            lines.append("mean % above lower bound (lb.sm) \(f(deviation))")
        }
        lines.append("seconds per instance, mean / max \(f(meanSeconds, 3)) / \(f(maxSeconds, 3))")
        lines.append("schedules per instance, mean     \(Int(meanIterations))")
        return lines.joined(separator: "\n")
    }
}

/// The JSON document of `--output json`.
struct Report: Codable {
    var directory: String
    var timeLimit: Double
    var seed: UInt64
    var summary: Summary
    var instances: [InstanceOutcome]

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }
}
