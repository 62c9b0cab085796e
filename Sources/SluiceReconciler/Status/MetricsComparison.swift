import Foundation
import SluiceModel
import SluiceStore

/// One line of `sluice metrics`: a metric of a task at the fingerprint a ref asks for, optionally against a base ref.
public struct MetricRow: Sendable, Codable, Hashable {
    public var workflow: String
    public var task: String
    /// Nil when neither side has run the task yet, so no metric name is known.
    public var metric: String?
    public var value: Double?
    public var base: Double?
    public var change: Double?
    /// Why a side has no number ("not run yet at HEAD (1a2b3c4)"); a missing side is never a number.
    public var note: String?

    private enum CodingKeys: String, CodingKey { case workflow, task, metric, value, base, change, note }

    /// Every key is written, `null` included: a program reading the list finds the same fields on every row.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(workflow, forKey: .workflow)
        try container.encode(task, forKey: .task)
        try container.encode(metric, forKey: .metric)
        try container.encode(value, forKey: .value)
        try container.encode(base, forKey: .base)
        try container.encode(change, forKey: .change)
        try container.encode(note, forKey: .note)
    }
}

/// The metrics each task has at the fingerprints a ref asks for, from the store: a task's numbers are found by
/// fingerprint, so a branch whose tasks ran as a preview, or at another commit with the same inputs, has them too.
public enum MetricsComparison {
    /// A side of the comparison: the desired state at a ref, and how to name it to people.
    public struct Side {
        public var desired: DesiredState
        public var label: String

        public init(desired: DesiredState, label: String) {
            self.desired = desired
            self.label = label
        }

        public var name: String { "\(label) (\(desired.commit.oid.short))" }
    }

    public enum Problem: Error, CustomStringConvertible {
        case noSuchWorkflow(String, String, known: [String])

        public var description: String {
            switch self {
            case .noSuchWorkflow(let name, let side, let known):
                "no workflow '\(name)' at \(side)" + (known.isEmpty ? "" : "; it has \(known.joined(separator: ", "))")
            }
        }
    }

    /// - Parameter store: nil when the state directory has no database yet: nothing has run.
    public static func rows(store: Store?, side: Side, base: Side?, workflow only: String? = nil) throws -> [MetricRow] {
        let names = side.desired.workflows.map(\.name)
        if let only, !names.contains(only), base?.desired.workflows.contains(where: { $0.name == only }) != true {
            throw Problem.noSuchWorkflow(only, side.name, known: names.sorted())
        }
        var rows: [MetricRow] = []
        for workflow in side.desired.workflows.sorted(by: { $0.name < $1.name }) where only == nil || workflow.name == only {
            let baseWorkflow = base?.desired.workflows.first { $0.name == workflow.name }
            for task in workflow.orderedTasks {
                let baseTask = baseWorkflow?.workflow.task(named: task.name)
                guard !task.metrics.isEmpty || !(baseTask?.metrics.isEmpty ?? true) else { continue }
                let here = try run(store, at: workflow.fingerprints[task.name]?.fingerprint)
                let there = base == nil ? nil : try run(store, at: baseWorkflow?.fingerprints[task.name]?.fingerprint)
                rows += compare(workflow: workflow.name, task: task.name, here: here, there: there,
                                side: side, base: base, baseHasTask: baseTask != nil)
            }
        }
        return rows
    }

    private static func run(_ store: Store?, at fingerprint: String?) throws -> MetricRun? {
        guard let store, let fingerprint else { return nil }
        return try store.metricRun(fingerprint: fingerprint)
    }

    private static func compare(workflow: String, task: String, here: MetricRun?, there: MetricRun?,
                                side: Side, base: Side?, baseHasTask: Bool) -> [MetricRow] {
        let hereMissing = here == nil ? "not run yet at \(side.name)" : nil
        let thereMissing: String? = base.flatMap { base in
            guard there == nil else { return nil }
            return baseHasTask ? "not run yet at \(base.name)" : "no such task at \(base.name)"
        }
        let names = MetricOrder.sorted(Set(here?.values.keys ?? [:].keys).union(there?.values.keys ?? [:].keys))
        guard !names.isEmpty else {
            let why = [hereMissing, thereMissing].compactMap { $0 } + [here?.warning, there?.warning].compactMap { $0 }
            return [MetricRow(workflow: workflow, task: task, metric: nil, value: nil, base: nil, change: nil,
                              note: why.isEmpty ? "no metrics recorded" : why.joined(separator: "; "))]
        }
        return names.map { name in
            let value = here?.values[name], before = there?.values[name]
            var notes: [String] = []
            if value == nil { notes.append(hereMissing ?? "\(side.name) did not record it") }
            if let base, before == nil { notes.append(thereMissing ?? "\(base.name) did not record it") }
            return MetricRow(workflow: workflow, task: task, metric: name, value: value, base: base == nil ? nil : before,
                             change: MetricChange.between(before, value), note: notes.isEmpty ? nil : notes.joined(separator: "; "))
        }
    }

    /// An aligned table: `workflow/task  metric  value [base  change]`, missing sides in words.
    public static func text(_ rows: [MetricRow], side: Side, base: Side?) -> String {
        guard !rows.isEmpty else { return "No task declares metrics at \(side.name).\n" }
        var table: [[String]] = [["task", "metric", side.name] + (base.map { [$0.name, "change"] } ?? [])]
        for row in rows {
            var line = ["\(row.workflow)/\(row.task)", row.metric ?? "—", row.value.map { MetricChange.format($0) } ?? "—"]
            if base != nil {
                line += [row.base.map { MetricChange.format($0) } ?? "—", row.change.map { MetricChange.format($0, signed: true) } ?? "—"]
            }
            table.append(line)
        }
        let widths = table[0].indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        var out = table.map { line in
            line.enumerated().map { $1.padded(to: widths[$0]) }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
        let notes = rows.compactMap { row in row.note.map { "  \(row.workflow)/\(row.task)\(row.metric.map { " \($0)" } ?? ""): \($0)" } }
        if !notes.isEmpty { out += "\n" + Array(Set(notes)).sorted().joined(separator: "\n") + "\n" }
        return out
    }
}
