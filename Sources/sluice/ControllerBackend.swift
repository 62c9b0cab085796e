import Foundation
import SluiceReconciler
import SluiceServer
import SluiceStore

/// What the HTTP server reads from a running controller: statuses and logs from the store, readiness and wake-ups
/// from the loop.
struct ControllerBackend: ServerBackend {
    let controller: Controller
    let store: Store
    let layout: StateLayout

    private func statuses() throws -> [WorkflowStatus] {
        try WorkflowStatus.collect(from: store, layout: layout, healthy: controller.healthyServices)
    }

    private static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Self.timestamp.string(from: date))
        }
        return try encoder.encode(value)
    }

    private static let timestamp: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()

    func workflowsJSON() async throws -> Data {
        try await Self.offload { try Self.encode(try statuses()) }
    }

    func workflowJSON(named name: String) async throws -> Data? {
        try await Self.offload { try statuses().first { $0.name == name }.map(Self.encode) }
    }

    func logs(workflow: String, task: String, attempt: Int?) async throws -> String? {
        try await Self.offload {
            do {
                return try AttemptLogs.text(store: store, workflow: workflow, task: task, attempt: attempt)
            } catch is AttemptLogs.Problem {
                return nil
            }
        }
    }

    /// Runs blocking work (SQLite reads, log files) on a dispatch queue, so the cooperative pool that serves HTTP
    /// never waits on it.
    private static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Result { try work() }) }
        }
    }

    func isReady() async -> Bool { controller.isReady }

    func wake(reason: String, ref: String?) async {
        controller.wake(reason: reason + (ref.map { " (\($0))" } ?? ""))
    }
}

extension ISO8601DateFormatter: @retroactive @unchecked Sendable {}

/// Feeds the metrics from what passes report.
enum MetricsObserver {
    static func observer(_ metrics: ControllerMetrics, then next: @escaping PassObserver) -> PassObserver {
        let passStarted = PassClock()
        return { event in
            switch event {
            case .planned: passStarted.reset()
            case .started: metrics.attemptStarted(queueWait: passStarted.elapsed)
            case .succeeded, .retired: metrics.attemptFinished(phase: "succeeded")
            case .failed(_, _, let summary, _, _): metrics.attemptFinished(phase: summary.hasPrefix("timed out") ? "timedOut" : "failed")
            case .skipped: metrics.attemptFinished(phase: "skipped")
            case .cached: metrics.attemptFinished(phase: "cached")
            case .fetched(let duration): metrics.gitFetched(duration: duration)
            case .passFinished(let duration, let failed): metrics.passFinished(duration: duration, failed: failed)
            case .summary(let phases, let anomalies):
                metrics.setTasks(byPhase: phases)
                metrics.setAnomalies(anomalies)
            case .serviceHealthy, .serviceUnhealthy, .statusCommitted, .statuses: break
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
