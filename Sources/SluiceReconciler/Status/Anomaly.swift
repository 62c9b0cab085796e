import Foundation
import SluiceModel
import SluiceStore

/// Flags attempts that run much longer than the task's history predicts.
public enum Anomaly {
    /// Successful runs needed before a task's duration is trusted.
    public static let minimumHistory = 5
    /// How many median absolute deviations above the median count as anomalous.
    public static let deviations = 3.0

    /// Median + k·MAD is robust to the odd slow run in the history, unlike mean + k·σ. The spread is floored at 10%
    /// of the median and one second, so a very regular task is not flagged for a few seconds of noise.
    public static func threshold(history: [Double]) -> Double? {
        guard history.count >= minimumHistory else { return nil }
        let median = Self.median(history)
        let mad = Self.median(history.map { abs($0 - median) })
        return median + deviations * max(mad, 0.1 * median, 1)
    }

    /// - Parameter history: the task's recent successful durations, newest first.
    static func check(_ attempt: Attempt, history: [Double], now: Date) -> String? {
        guard attempt.phase == .running, !attempt.isService, let started = attempt.startedAt else { return nil }
        guard let limit = threshold(history: history) else { return nil }
        let elapsed = now.timeIntervalSince(started)
        guard elapsed > limit else { return nil }
        return "running \(Durations.format(elapsed)), beyond its usual \(Durations.format(limit)) (median \(Durations.format(median(history)))+ \(Int(deviations))×MAD of \(history.count) runs)"
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
