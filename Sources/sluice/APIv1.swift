import Foundation
import SluiceReconciler
import SluiceStore

/// The objects of `/api/v1` (Sources/SluiceServer/Resources/openapi.json): plain values built from the statuses and
/// the store, every key always present (`null` when absent), times RFC 3339 in UTC, durations in seconds.
enum APIv1 {
    struct CommitRef: Encodable {
        var id: String
        var message: Nullable<String>
    }

    struct Schedule: Encodable {
        var cron: String
        var timezone: String
        var nextRun: Nullable<Date>
    }

    struct Service: Encodable {
        var address: String
        var healthy: Bool
    }

    struct Task: Encodable {
        var name: String
        var phase: String
        var needs: [String]
        var isService: Bool
        var fingerprint: String
        var attempts: Int
        var exitCode: Nullable<Int32>
        var node: Nullable<String>
        var startedAt: Nullable<Date>
        var endedAt: Nullable<Date>
        var durationSeconds: Nullable<Double>
        var estimateSeconds: Nullable<Double>
        var message: Nullable<String>
        var requestedBy: Nullable<String>
        var service: Nullable<Service>
        var anomaly: Nullable<String>
        var metricsWarning: Nullable<String>
    }

    struct RunTask: Encodable {
        var name: String
        var phase: String
        var isService: Bool
        var node: Nullable<String>
        var attempt: Int
        var startedAt: Date
        var endedAt: Nullable<Date>
    }

    struct Run: Encodable {
        var commit: CommitRef
        var outcome: String
        var startedAt: Date
        var endedAt: Nullable<Date>
        var durationSeconds: Nullable<Double>
        var tasks: [RunTask]
    }

    struct Metric: Encodable {
        var task: String
        var metric: String
        var value: Nullable<Double>
        var previous: Nullable<Double>
        /// `value - previous`.
        var change: Nullable<Double>
        var trend: [Double]
    }

    struct Workflow: Encodable {
        var name: String
        var phase: String
        var suspended: Bool
        var commit: Nullable<CommitRef>
        var observedCommit: Nullable<CommitRef>
        var errors: [String]
        var schedule: Nullable<Schedule>
        var tasks: [Task]
        var lastRun: Nullable<Run>
        var metrics: [Metric]
        var report: Nullable<RunReport>
    }

    struct Plan: Encodable {
        var branch: String
        var markdown: String
    }

    struct Rerun: Encodable {
        var workflow: String
        var tasks: [String]
        var requestedBy: String
        var requestedAt: Date
    }

    static func commit(_ hex: String?, store: Store) -> Nullable<CommitRef> {
        Nullable(hex.map { CommitRef(id: $0, message: Nullable((try? store.commit($0))?.summary)) })
    }

    static func workflow(_ status: WorkflowStatus, store: Store) throws -> Workflow {
        let state = try store.workflowState(status.name)
        let runs = try RunHistory.runs(store: store, workflow: status.name, limit: 200)
        return Workflow(
            name: status.name, phase: status.phase, suspended: status.suspended,
            commit: commit(status.commit, store: store), observedCommit: commit(state?.lastSeenCommit, store: store),
            errors: status.errors,
            schedule: Nullable(status.schedule.map { Schedule(cron: $0.cron, timezone: $0.timeZone, nextRun: Nullable($0.nextRun)) }),
            tasks: status.tasks.map(task), lastRun: Nullable(runs.first.map { run($0, store: store) }),
            metrics: status.metrics.map { metric in
                Metric(task: metric.task, metric: metric.name, value: Nullable(metric.value), previous: Nullable(metric.previous),
                       change: Nullable(metric.change), trend: metric.trend.map(\.value))
            },
            report: Nullable(status.report))
    }

    static func task(_ task: TaskStatus) -> Task {
        Task(name: task.name, phase: task.phase.rawValue, needs: task.needs, isService: task.isService, fingerprint: task.fingerprint,
             attempts: task.attempts, exitCode: Nullable(task.exitCode), node: Nullable(task.node), startedAt: Nullable(task.startedAt),
             endedAt: Nullable(task.endedAt), durationSeconds: Nullable(task.duration), estimateSeconds: Nullable(task.estimate),
             message: Nullable(task.message), requestedBy: Nullable(task.requestedBy),
             service: Nullable(task.service.map { Service(address: $0.address, healthy: $0.healthy) }),
             anomaly: Nullable(task.anomaly), metricsWarning: Nullable(task.metricsWarning))
    }

    static func run(_ run: WorkflowRun, store: Store) -> Run {
        Run(commit: CommitRef(id: run.commit, message: Nullable((try? store.commit(run.commit))?.summary)), outcome: run.outcome,
            startedAt: run.startedAt, endedAt: Nullable(run.endedAt),
            durationSeconds: Nullable(run.endedAt.map { $0.timeIntervalSince(run.startedAt) }),
            tasks: run.attempts.map { attempt in
                RunTask(name: attempt.task, phase: attempt.phase.rawValue, isService: attempt.isService, node: Nullable(attempt.node),
                        attempt: attempt.number, startedAt: attempt.startedAt ?? attempt.createdAt, endedAt: Nullable(attempt.endedAt))
            })
    }

    /// Encoded as the API answers: keys sorted, times RFC 3339 in UTC (to the millisecond).
    static func encode<Value: Encodable>(_ value: Value) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamps.milliseconds(date))
        }
        return try encoder.encode(value)
    }

}
