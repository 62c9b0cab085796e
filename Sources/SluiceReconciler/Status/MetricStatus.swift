import Foundation
import SluiceStore

/// One metric of one task as the status shows it: its value at the task's fingerprint in force, the previous successful
/// run's, and a trend over the recent runs.
public struct MetricStatus: Sendable, Codable, Hashable {
    public var task: String
    public var name: String
    /// At the task's current fingerprint; nil while it has not succeeded there.
    public var value: Double?
    /// Of the successful run before the one that gave `value` (the newest one when `value` is nil).
    public var previous: Double?
    /// The source commit of that previous run, as hex.
    public var previousCommit: String?
    public var change: Double?
    /// Oldest first, the runs that recorded this metric among the task's last `MetricStatus.trendLength`.
    public var trend: [MetricPoint]

    /// How many runs the trend covers.
    public static let trendLength = 20
}

public struct MetricPoint: Sendable, Codable, Hashable {
    /// The source commit of the run, as hex.
    public var commit: String
    public var value: Double
}

extension MetricStatus {
    /// The metrics of `tasks` from their recent runs (newest first, by task).
    static func build(_ tasks: [TaskStatus], runs: [String: [MetricRun]]) -> [MetricStatus] {
        tasks.flatMap { task -> [MetricStatus] in
            guard let recent = runs[task.name], !recent.isEmpty else { return [] }
            let currentIndex = recent.firstIndex { $0.fingerprint == task.fingerprint }
            let current = currentIndex.map { recent[$0] }
            let previous = currentIndex.map { recent.indices.contains($0 + 1) ? recent[$0 + 1] : nil } ?? recent.first
            let names = Set(current?.values.keys ?? [:].keys).union(previous?.values.keys ?? [:].keys)
            return MetricOrder.sorted(names).map { name in
                let value = current?.values[name], before = previous?.values[name]
                let trend = recent.reversed().compactMap { run in run.values[name].map { MetricPoint(commit: run.commit, value: $0) } }
                return MetricStatus(task: task.name, name: name, value: value, previous: before, previousCommit: before == nil ? nil : previous?.commit,
                                    change: MetricChange.between(before, value), trend: trend)
            }
        }
    }
}

/// Top-level names (`accuracy`) before nested ones (`per_class.billing.f1`), each group in name order: the headline
/// figures come first in tables and charts.
public enum MetricOrder {
    public static func sorted<S: Sequence>(_ names: S) -> [String] where S.Element == String {
        names.sorted { ($0.contains(".") ? 1 : 0, $0) < ($1.contains(".") ? 1 : 0, $1) }
    }
}

/// `new − old`, rounded to twelve significant digits of the larger value, so `0.85 − 0.80` reads `0.05` and not
/// `0.04999999999999993`; nil when either side is missing.
public enum MetricChange {
    public static func between(_ old: Double?, _ new: Double?) -> Double? {
        guard let old, let new else { return nil }
        let magnitude = max(abs(old), abs(new))
        guard magnitude > 0 else { return 0 }
        let scale = pow(10, 12 - (log10(magnitude)).rounded(.up))
        // Near the smallest doubles the scale overflows; NaN would make every status unencodable.
        guard scale.isFinite, scale > 0 else { return new - old }
        let rounded = ((new - old) * scale).rounded() / scale
        return rounded.isFinite ? rounded : new - old
    }

    /// A number for people: at most six significant digits, no exponent in everyday ranges, `+` on a signed change.
    public static func format(_ value: Double, signed: Bool = false) -> String {
        var text: String
        if value != 0, abs(value) < 1e-4 || abs(value) >= 1e9 {
            text = String(format: "%.4g", value)
        } else {
            text = String(format: "%.6g", value)
            if text.contains("e") { text = String(format: "%.0f", value) }
        }
        return signed && value > 0 ? "+" + text : text
    }
}
