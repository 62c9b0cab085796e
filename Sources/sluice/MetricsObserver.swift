import Foundation
import SluiceReconciler
import SluiceServer

/// Feeds the metrics from what passes report.
enum MetricsObserver {
    static func observer(_ metrics: ControllerMetrics, then next: @escaping PassObserver) -> PassObserver {
        let passStarted = PassClock()
        return { event in
            switch event {
            case .planned: passStarted.reset()
            case .started: metrics.attemptStarted(queueWait: passStarted.elapsed)
            case .succeeded(let workflow, _, let duration): metrics.attemptFinished(workflow: workflow, phase: "succeeded", duration: duration)
            case .retired(let workflow, _, _): metrics.attemptFinished(workflow: workflow, phase: "succeeded")
            case .failed(let workflow, _, let summary, _, _):
                // The event carries the supervisor's summary: "timed out after …", "cancelled", "exit code 1", …
                let phase = summary.hasPrefix("timed out") ? "timedOut" : summary.contains("cancelled") ? "cancelled" : "failed"
                metrics.attemptFinished(workflow: workflow, phase: phase)
            case .skipped(let workflow, _, _): metrics.attemptFinished(workflow: workflow, phase: "skipped")
            case .cached(let workflow, _): metrics.attemptFinished(workflow: workflow, phase: "cached")
            case .fetched(let duration): metrics.gitFetched(duration: duration)
            case .passFinished(let duration, let failed): metrics.passFinished(duration: duration, failed: failed)
            case .summary(let phases, let anomalies):
                metrics.setTasks(byPhase: phases)
                metrics.setAnomalies(anomalies)
            case .statuses(let statuses, _):
                for status in statuses {
                    // The run in force succeeded when its newest batch task ended: that is its last success.
                    let lastSuccess = status.phase == "succeeded"
                        ? status.tasks.filter { !$0.isService }.compactMap(\.endedAt).max() : nil
                    metrics.workflow(status.name, phase: status.phase, lastSuccess: lastSuccess)
                    for task in status.tasks where task.isService {
                        metrics.service(workflow: status.name, task: task.name, healthy: task.service?.healthy == true)
                    }
                }
            case .serviceHealthy, .serviceUnhealthy, .statusCommitted: break
            }
            next(event)
        }
    }
}

/// When the current pass was planned: queue wait is measured from there.
final class PassClock: @unchecked Sendable {
    private let lock = NSLock()
    private var start = Date()
    func reset() { lock.withLock { start = Date() } }
    var elapsed: Double { lock.withLock { Date().timeIntervalSince(start) } }
}
