import Foundation
import SluiceModel
import SluiceStore

/// Where predicted durations come from: the manifest's `estimate`, else the median of the task's last
/// successful attempts, else a default.
public enum DurationHistory {
    /// - Parameter store: nil when there is no state yet (a plan before any apply).
    /// Each workflow's history is read once, in one query, the first time one of its tasks is asked about.
    public static func model(store: Store?, defaultDuration: Double = 60, history: Int = 20) -> PlanScheduler.DurationModel {
        let cache = HistoryCache()
        return { workflow, task in
            if let estimate = task.estimate { return estimate }
            let past = cache.durations(workflow) { (try? store?.successfulDurations(workflow: workflow, limit: history)) ?? [:] }[task.name] ?? []
            guard !past.isEmpty else { return defaultDuration }
            // Clocks of different processes may disagree by a hair; a duration is never negative.
            return max(0, past.sorted()[past.count / 2])
        }
    }
}

/// Durations by workflow, read on first use.
private final class HistoryCache: @unchecked Sendable {
    private let lock = NSLock()
    private var byWorkflow: [String: [String: [Double]]] = [:]

    func durations(_ workflow: String, read: () -> [String: [Double]]) -> [String: [Double]] {
        lock.lock()
        defer { lock.unlock() }
        if let known = byWorkflow[workflow] { return known }
        let found = read()
        byWorkflow[workflow] = found
        return found
    }
}
