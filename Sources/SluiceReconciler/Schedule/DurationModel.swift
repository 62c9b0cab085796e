import SluiceModel
import SluiceStore

/// Where predicted durations come from: the manifest's `estimate`, else the median of the task's last
/// successful attempts, else a default.
public enum DurationHistory {
    /// - Parameter store: nil when there is no state yet (a plan before any apply).
    public static func model(store: Store?, defaultDuration: Double = 60, history: Int = 20) -> PlanScheduler.DurationModel {
        { workflow, task in
            if let estimate = task.estimate { return estimate }
            let past = (try? store?.successfulDurations(workflow: workflow, task: task.name, limit: history)) ?? []
            guard !past.isEmpty else { return defaultDuration }
            // Clocks of different processes may disagree by a hair; a duration is never negative.
            return max(0, past.sorted()[past.count / 2])
        }
    }
}
