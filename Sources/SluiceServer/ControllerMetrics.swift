import CoreMetrics
import Foundation
import Prometheus
import Synchronization

/// The controller's Prometheus metrics, rendered at `GET /metrics`. Sluice's own families are made on a registry of
/// this instance's (with help texts); Hummingbird's HTTP middleware records through `factory`, on the same registry.
/// Labels are bounded: workflows, tasks of services, phases, results; never attempts. (A workflow or service removed
/// from git keeps its last series until the controller restarts.)
public final class ControllerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    /// For swift-metrics users (Hummingbird's `MetricsMiddleware`): bind it with `withMetricsFactory`.
    public let factory: PrometheusMetricsFactory
    private let process = ProcessMetrics()
    static let workflowPhases = ["succeeded", "failed", "running", "pending", "invalid", "removed", "suspended"]

    public init(version: String = "unknown", commit: String = "unknown") {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [.milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250),
                                                   .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(10)]
        self.factory = factory
        gauge("sluice_build_info", "The version and git commit this controller was built from; always 1.",
              labels: [("version", version), ("commit", commit)]).set(to: 1)
        // Families that exist from the start, so a dashboard or an alert sees 0 rather than no series.
        for result in ["ok", "failed"] { passes(result) }
        for result in ["accepted", "refused"] { webhooks(result) }
        _ = attemptsStarted
        _ = anomalies
    }

    // MARK: - Families

    private func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    private func gauge(_ name: String, _ help: String, labels: [(String, String)] = []) -> Prometheus.Gauge {
        labels.isEmpty ? registry.makeGauge(descriptor: descriptor(name, help)) : registry.makeGauge(descriptor: descriptor(name, help), labels: labels)
    }

    private func counter(_ name: String, _ help: String, labels: [(String, String)] = []) -> Prometheus.Counter {
        labels.isEmpty ? registry.makeCounter(descriptor: descriptor(name, help)) : registry.makeCounter(descriptor: descriptor(name, help), labels: labels)
    }

    private func histogram(_ name: String, _ help: String, _ buckets: [Double], labels: [(String, String)] = []) -> ValueHistogram {
        labels.isEmpty ? registry.makeValueHistogram(descriptor: descriptor(name, help), buckets: buckets)
            : registry.makeValueHistogram(descriptor: descriptor(name, help), labels: labels, buckets: buckets)
    }

    @discardableResult
    private func passes(_ result: String) -> Prometheus.Counter {
        counter("sluice_passes_total", "Reconcile passes, by result.", labels: [("result", result)])
    }

    @discardableResult
    private func webhooks(_ result: String) -> Prometheus.Counter {
        counter("sluice_webhooks_total", "Webhook deliveries, by whether they were verified.", labels: [("result", result)])
    }

    private var attemptsStarted: Prometheus.Counter { counter("sluice_attempts_started_total", "Task attempts started.") }
    private var anomalies: Prometheus.Gauge { gauge("sluice_anomalous_attempts", "Running attempts far beyond their usual duration.") }

    // MARK: - Recording

    /// A reconcile pass ended after `duration` seconds.
    public func passFinished(duration: Double, failed: Bool) {
        passes(failed ? "failed" : "ok").increment()
        histogram("sluice_pass_duration_seconds", "Duration of reconcile passes.", [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600])
            .record(max(0, duration))
    }

    /// A fetch of the watched repository took `duration` seconds.
    public func gitFetched(duration: Double) {
        histogram("sluice_git_fetch_duration_seconds", "Duration of fetches of the watched repository.", [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60])
            .record(max(0, duration))
    }

    /// An attempt started after waiting `queueWait` seconds for its needs and for room on a node.
    public func attemptStarted(queueWait: Double) {
        attemptsStarted.increment()
        histogram("sluice_queue_wait_seconds", "Time a task waited between becoming desired and starting.", [0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 1800, 3600])
            .record(max(0, queueWait))
    }

    /// An attempt of `workflow` ended in `phase` (`succeeded`, `failed`, `timedOut`, `cancelled`, …), after `duration`
    /// seconds when it ran.
    public func attemptFinished(workflow: String, phase: String, duration: Double? = nil) {
        counter("sluice_attempts_finished_total", "Task attempts finished, by workflow and final phase.", labels: [("workflow", workflow), ("phase", phase)]).increment()
        if phase == "failed" || phase == "timedOut" {
            counter("sluice_task_failures_total", "Task attempts that failed or timed out, by workflow.", labels: [("workflow", workflow)]).increment()
        }
        if let duration {
            histogram("sluice_task_duration_seconds", "Duration of task attempts that ran to an end, by workflow.",
                      [1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400], labels: [("workflow", workflow)]).record(max(0, duration))
        }
    }

    /// The number of tasks in each phase now; a phase left out goes to zero.
    public func setTasks(byPhase counts: [String: Int]) {
        for phase in ["pending", "running", "succeeded", "failed", "timedOut", "cancelled", "skipped", "cached"] {
            gauge("sluice_tasks", "Tasks of all workflows, by phase of their latest attempt.", labels: [("phase", phase)]).set(to: Double(counts[phase] ?? 0))
        }
    }

    /// The number of running attempts that take far longer than their history says they should.
    public func setAnomalies(_ count: Int) {
        anomalies.set(to: Double(count))
    }

    /// A webhook was accepted (verified) or refused.
    public func webhook(accepted: Bool) {
        webhooks(accepted ? "accepted" : "refused").increment()
    }

    /// What a workflow is now: its phase (1 for it, 0 for the others), and when it last succeeded, for alerts such as
    /// `time() - sluice_workflow_last_success_timestamp_seconds{workflow="nightly"} > 26 * 3600`.
    public func workflow(_ name: String, phase: String, lastSuccess: Date?) {
        for candidate in Self.workflowPhases {
            gauge("sluice_workflow_phase", "Each workflow's phase: 1 for the one it is in.", labels: [("workflow", name), ("phase", candidate)])
                .set(to: candidate == phase ? 1 : 0)
        }
        if let lastSuccess {
            gauge("sluice_workflow_last_success_timestamp_seconds", "When each workflow's run in force last succeeded (Unix time).",
                  labels: [("workflow", name)]).set(to: lastSuccess.timeIntervalSince1970)
        }
    }

    /// Whether a service's last health check passed (1) or not (0).
    public func service(workflow: String, task: String, healthy: Bool) {
        gauge("sluice_service_healthy", "Each running service: 1 while its last health check passed.", labels: [("workflow", workflow), ("task", task)])
            .set(to: healthy ? 1 : 0)
    }

    /// Every family in the Prometheus text exposition format, process figures read now.
    public func render() -> String {
        process.update(self)
        return registry.emitToString()
    }

    fileprivate func processGauge(_ name: String, _ help: String, _ value: Double) {
        gauge(name, help).set(to: value)
    }

    /// A total the kernel keeps (CPU seconds) as a Prometheus counter: it grows by what the total grew since the last scrape.
    fileprivate func processTotal(_ name: String, _ help: String, _ total: Double) {
        let grown = processSeen.withLock { seen in
            defer { seen[name] = total }
            return max(0, total - (seen[name] ?? 0))
        }
        counter(name, help).increment(by: grown)
    }

    private let processSeen = Mutex<[String: Double]>([:])
}

/// The standard `process_*` figures, from /proc/self, read when Prometheus scrapes.
struct ProcessMetrics: Sendable {
    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    private static let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
    private static let bootTime: Double = {
        let text = (try? String(contentsOfFile: "/proc/stat", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").first { $0.hasPrefix("btime ") }.flatMap { Double($0.dropFirst(6).trimmingCharacters(in: .whitespaces)) } ?? 0
    }()

    func update(_ metrics: ControllerMetrics) {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return }
        // Fields after the command name, which may hold spaces: field 3 (state) is index 0 here.
        let fields = stat[stat.index(after: close)...].split(separator: " ").map(String.init)
        guard fields.count > 22, let user = Double(fields[11]), let system = Double(fields[12]), let start = Double(fields[19]),
              let virtual = Double(fields[20]), let resident = Double(fields[21]) else { return }
        metrics.processTotal("process_cpu_seconds_total", "User and system CPU time of the controller, in seconds.", (user + system) / Self.ticksPerSecond)
        metrics.processGauge("process_start_time_seconds", "When the controller started (Unix time).", Self.bootTime + start / Self.ticksPerSecond)
        metrics.processGauge("process_virtual_memory_bytes", "Virtual memory of the controller.", virtual)
        metrics.processGauge("process_resident_memory_bytes", "Resident memory of the controller.", resident * Self.pageSize)
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        metrics.processGauge("process_open_fds", "Open file descriptors of the controller.", Double(descriptors))
    }
}

enum PrometheusText {
    /// The content type of the text exposition format.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
