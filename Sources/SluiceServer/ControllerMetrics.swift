import Synchronization

/// The controller's Prometheus metrics, rendered at `GET /metrics` in the text exposition format.
///
/// The controller calls the recording methods as things happen; every method is safe to call from any task.
public final class ControllerMetrics: Sendable {
    private let state = Mutex(State())

    private struct State {
        var passes: [String: Int] = ["ok": 0, "failed": 0]
        var passDuration = Histogram(bounds: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600])
        var gitFetchDuration = Histogram(bounds: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60])
        var attemptsStarted = 0
        var queueWait = Histogram(bounds: [0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 1800, 3600])
        var attemptsFinished: [String: Int] = [:]
        var taskFailures = 0
        var tasks: [String: Int] = [:]
        var anomalies = 0
        var webhooks: [String: Int] = ["accepted": 0, "refused": 0]
    }

    public init() {}

    /// A reconcile pass ended after `duration` seconds.
    public func passFinished(duration: Double, failed: Bool) {
        state.withLock {
            $0.passes[failed ? "failed" : "ok", default: 0] += 1
            $0.passDuration.observe(duration)
        }
    }

    /// A fetch of the watched repository took `duration` seconds.
    public func gitFetched(duration: Double) {
        state.withLock { $0.gitFetchDuration.observe(duration) }
    }

    /// An attempt started after waiting `queueWait` seconds for its needs and for room on a node.
    public func attemptStarted(queueWait: Double) {
        state.withLock {
            $0.attemptsStarted += 1
            $0.queueWait.observe(queueWait)
        }
    }

    /// An attempt ended in `phase` (`succeeded`, `failed`, `timedOut`, `cancelled`, …).
    public func attemptFinished(phase: String) {
        state.withLock {
            $0.attemptsFinished[phase, default: 0] += 1
            if phase == "failed" || phase == "timedOut" { $0.taskFailures += 1 }
        }
    }

    /// The number of tasks in each phase now; replaces the previous counts, so a phase left out goes to zero.
    public func setTasks(byPhase counts: [String: Int]) {
        state.withLock { $0.tasks = counts }
    }

    /// The number of running attempts that take far longer than their history says they should.
    public func setAnomalies(_ count: Int) {
        state.withLock { $0.anomalies = count }
    }

    /// A webhook was accepted (verified) or refused.
    public func webhook(accepted: Bool) {
        state.withLock { $0.webhooks[accepted ? "accepted" : "refused", default: 0] += 1 }
    }

    /// Every metric in the Prometheus text exposition format, version 0.0.4.
    public func render() -> String {
        let state = self.state.withLock { $0 }
        var out = ""
        PrometheusText.header("sluice_passes_total", type: "counter", help: "Reconcile passes, by result.", into: &out)
        labelled("sluice_passes_total", "result", state.passes, into: &out)
        PrometheusText.header("sluice_pass_duration_seconds", type: "histogram", help: "Duration of reconcile passes.", into: &out)
        state.passDuration.render(name: "sluice_pass_duration_seconds", into: &out)
        PrometheusText.header("sluice_git_fetch_duration_seconds", type: "histogram", help: "Duration of fetches of the watched repository.", into: &out)
        state.gitFetchDuration.render(name: "sluice_git_fetch_duration_seconds", into: &out)
        PrometheusText.header("sluice_attempts_started_total", type: "counter", help: "Task attempts started.", into: &out)
        out += "sluice_attempts_started_total \(state.attemptsStarted)\n"
        PrometheusText.header("sluice_queue_wait_seconds", type: "histogram", help: "Time a task waited between becoming desired and starting.", into: &out)
        state.queueWait.render(name: "sluice_queue_wait_seconds", into: &out)
        PrometheusText.header("sluice_attempts_finished_total", type: "counter", help: "Task attempts finished, by final phase.", into: &out)
        labelled("sluice_attempts_finished_total", "phase", state.attemptsFinished, into: &out)
        PrometheusText.header("sluice_task_failures_total", type: "counter", help: "Task attempts that failed or timed out.", into: &out)
        out += "sluice_task_failures_total \(state.taskFailures)\n"
        PrometheusText.header("sluice_tasks", type: "gauge", help: "Tasks of all workflows, by phase of their latest attempt.", into: &out)
        labelled("sluice_tasks", "phase", state.tasks, into: &out)
        PrometheusText.header("sluice_anomalous_attempts", type: "gauge", help: "Running attempts far beyond their usual duration.", into: &out)
        out += "sluice_anomalous_attempts \(state.anomalies)\n"
        PrometheusText.header("sluice_webhooks_total", type: "counter", help: "Webhook deliveries, by whether they were verified.", into: &out)
        labelled("sluice_webhooks_total", "result", state.webhooks, into: &out)
        return out
    }

    private func labelled(_ name: String, _ label: String, _ values: [String: Int], into output: inout String) {
        for (value, count) in values.sorted(by: { $0.key < $1.key }) {
            output += "\(name){\(label)=\"\(PrometheusText.label(value))\"} \(count)\n"
        }
    }
}
