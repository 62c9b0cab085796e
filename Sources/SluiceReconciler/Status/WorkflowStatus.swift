import Foundation
import SluiceModel
import SluiceStore

/// The status of one workflow as people and programs read it: in `sluice status`, the status branch, the API.
public struct WorkflowStatus: Sendable, Codable, Hashable {
    public var name: String
    /// The source commit whose definition is in force.
    public var commit: String?
    /// `succeeded`, `failed`, `running`, `pending`, `invalid` (never had a valid definition), `removed`, `suspended`.
    public var phase: String
    /// `spec.suspend` of the definition in force: nothing new starts.
    public var suspended = false
    /// The cron schedule in force and its next tick; nil for a workflow without one.
    public var schedule: ScheduleStatus?
    /// Manifest errors at the latest commit, as `file:line:col: message`; the last good version stays in force.
    public var errors: [String]
    public var tasks: [TaskStatus]
    /// What the optimizer predicted for the last pass that ran tasks of this workflow.
    public var planned: PoolSchedule?
    /// The metrics of the tasks that declare them, headline figures first.
    public var metrics: [MetricStatus] = []
    /// How the last run went against its plan; made once the workflow has settled, and when its definition is known.
    public var report: RunReport?
}

public struct ScheduleStatus: Sendable, Codable, Hashable {
    public var cron: String
    /// The IANA time zone the cron fields are read in.
    public var timeZone: String
    public var nextRun: Date?
}

public struct ServiceStatus: Sendable, Codable, Hashable {
    public var address: String
    public var healthy: Bool
}

public struct TaskStatus: Sendable, Codable, Hashable {
    public var name: String
    public var phase: AttemptPhase
    /// The tasks it needs, in the definition in force.
    public var needs: [String] = []
    /// The manifest's estimate of its duration, in seconds.
    public var estimate: Double?
    /// Who asked for the attempt in force with `sluice rerun` (or the API); nil when the reconciler started it.
    public var requestedBy: String?
    public var fingerprint: String
    /// Attempts at this fingerprint, retries included.
    public var attempts: Int
    public var exitCode: Int32?
    public var node: String?
    public var startedAt: Date?
    public var endedAt: Date?
    /// Whole milliseconds: exact in YAML and JSON, where a floating-point number of seconds would print as `1.66e-1`.
    public var durationMilliseconds: Int?
    public var message: String?
    /// The last lines of the log of a failed attempt.
    public var logTail: String?
    public var isService: Bool
    /// For a running service: where it listens and whether its last health check passed.
    public var service: ServiceStatus?
    /// Set while an attempt runs much longer than its history predicts.
    public var anomaly: String?
    /// What was wrong with the metrics files of the run in force (missing, no numbers); the task still succeeded.
    public var metricsWarning: String?

    public var duration: Double? { durationMilliseconds.map { Double($0) / 1000 } }
}

extension WorkflowStatus {
    public var succeeded: Int { tasks.filter { $0.phase == .succeeded || $0.phase == .cached }.count }
    public var failed: Int { tasks.filter { [.failed, .timedOut].contains($0.phase) }.count }
    public var cancelled: Int { tasks.filter { $0.phase == .cancelled }.count }
    public var skipped: Int { tasks.filter { $0.phase == .skipped }.count }

    /// `1 succeeded, 0 failed`, then `, 2 cancelled` and `, 1 skipped` when there are any: tasks that were cancelled or
    /// skipped did not succeed either, so a workflow that has them never reads as "0 failed" alone.
    public var counts: String {
        var counts = "\(succeeded) succeeded, \(failed) failed"
        if cancelled > 0 { counts += ", \(cancelled) cancelled" }
        if skipped > 0 { counts += ", \(skipped) skipped" }
        return counts
    }

    /// Reads the status of every workflow the store knows, tasks in `order` (workflow → task names) where given.
    /// - Parameter healthy: attempt ids of services whose last health check passed.
    /// - Parameter definitions: the workflows in force, by name: their pools' capacities and prices make the run report.
    public static func collect(from store: Store, layout: StateLayout? = nil, order: [String: [String]] = [:], healthy: Set<Int64> = [],
                               definitions: [String: DesiredWorkflow] = [:], reports: ReportCache = ReportCache(), only: String? = nil,
                               now: Date = Date(), logTail: (Attempt) -> String? = { _ in nil }) throws -> [WorkflowStatus] {
        try store.workflowStates().filter { only == nil || $0.name == only }.sorted { $0.name < $1.name }.map { state in
            // A task renamed or deleted in git leaves the status with its definition; its attempts stay in the history.
            let defined = state.tasks.map(Set.init)
            let latest = try store.latestAttempts(workflow: state.name).filter { defined?.contains($0.task) ?? true }
            let counts = try store.attemptCounts(workflow: state.name)
            // Read only when some task runs: the anomaly check needs its history.
            let history = latest.contains { $0.phase == .running && !$0.isService } ? try store.successfulDurations(workflow: state.name, limit: 20) : [:]
            let rank = Dictionary((order[state.name] ?? state.tasks ?? []).enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            let sorted = latest.sorted { (rank[$0.task] ?? Int.max, $0.createdAt, $0.task) < (rank[$1.task] ?? Int.max, $1.createdAt, $1.task) }
            var tasks = try sorted.map { attempt in
                let count = counts[attempt.task]?[attempt.fingerprint] ?? 0
                let failed = [.failed, .timedOut].contains(attempt.phase)
                return TaskStatus(name: attempt.task, phase: attempt.phase, fingerprint: attempt.fingerprint, attempts: count,
                                  exitCode: attempt.exitCode, node: attempt.node, startedAt: attempt.startedAt, endedAt: attempt.endedAt,
                                  durationMilliseconds: attempt.duration.map { Int(($0 * 1000).rounded()) }, message: attempt.message, logTail: failed ? logTail(attempt) : nil,
                                  isService: attempt.isService,
                                  service: attempt.isService && !attempt.phase.isFinal
                                      ? LaunchedSpec.read(attempt.attemptPath)?.port.map { ServiceStatus(address: "http://127.0.0.1:\($0)", healthy: healthy.contains(attempt.id)) }
                                      : nil,
                                  anomaly: Anomaly.check(attempt, history: history[attempt.task] ?? [], now: now))
            }
            let reruns = try store.rerunRequests(workflow: state.name)
            for index in tasks.indices {
                tasks[index].needs = state.shape?.needs[tasks[index].name] ?? []
                tasks[index].estimate = state.shape?.estimates[tasks[index].name]
                // The attempt in force was made after the newest request at its fingerprint: that person asked for it.
                if let request = reruns[tasks[index].name], request.fingerprint == tasks[index].fingerprint,
                   let latest = latest.first(where: { $0.task == tasks[index].name }), latest.createdAt >= request.requestedAt {
                    tasks[index].requestedBy = request.requestedBy
                }
            }
            var runs = try store.metricRuns(workflow: state.name, limit: MetricStatus.trendLength)
            // A cache hit reuses a run made under another name (a preview, a twin): its numbers are this task's now.
            let reusing = tasks.filter { task in task.phase == .cached && runs[task.name]?.contains { $0.fingerprint == task.fingerprint } != true }
            let reused = try store.metricRuns(fingerprints: Set(reusing.map(\.fingerprint)))
            for task in reusing {
                if let run = reused[task.fingerprint] { runs[task.name, default: []].insert(run, at: 0) }
            }
            for index in tasks.indices {
                tasks[index].metricsWarning = runs[tasks[index].name]?.first { $0.fingerprint == tasks[index].fingerprint }?.warning
            }
            let planned = layout.flatMap { try? Data(contentsOf: $0.plannedSchedule(workflow: state.name)) }
                .flatMap { try? JSONDecoder().decode(PoolSchedule.self, from: $0) }
            var status = WorkflowStatus(name: state.name, commit: state.lastGoodCommit, phase: phase(of: state, tasks: tasks),
                                        errors: state.errors, tasks: tasks, planned: planned,
                                        metrics: MetricStatus.build(tasks, runs: runs))
            status.suspended = state.shape?.suspended ?? false
            if status.suspended, !["removed", "invalid"].contains(status.phase) { status.phase = "suspended" }
            if let cron = state.shape?.schedule, state.removedAt == nil, case .success(var parsed) = CronSchedule.parse(cron) {
                parsed.timeZone = state.shape?.timeZone ?? "UTC"
                status.schedule = ScheduleStatus(cron: cron, timeZone: parsed.timeZone, nextRun: parsed.nextTick(after: now))
            }
            // Made once the batch work has settled (services may run on), and again only when the tasks change: the
            // controller sums statuses every few seconds while anything runs.
            let settled = !tasks.contains { !$0.isService && !$0.phase.isFinal }
            if let definition = definitions[state.name], settled, !["removed", "invalid"].contains(status.phase) {
                status.report = try reports.report(for: status) {
                    try RunReport.build(status, attempts: lastRun(of: state.name, tasks: tasks, in: store),
                                        history: try store.successfulDurations(workflow: state.name, limit: 21), desired: definition, now: now)
                }
            }
            return status
        }
    }

    /// The attempts of the last run: at the fingerprints in force, for the commit of the newest one that started. A task
    /// unchanged since an older commit ran then, not in this run.
    private static func lastRun(of workflow: String, tasks: [TaskStatus], in store: Store) throws -> [Attempt] {
        let inForce = Set(tasks.map { $0.name + "\u{0}" + $0.fingerprint })
        let attempts = try store.attempts(workflow: workflow, fingerprints: Set(tasks.map(\.fingerprint)))
            .filter { inForce.contains($0.task + "\u{0}" + $0.fingerprint) }
        guard let newest = attempts.filter({ $0.startedAt != nil && !$0.isService }).max(by: { $0.id < $1.id }) else { return [] }
        return attempts.filter { $0.commit == newest.commit }
    }

    private static func phase(of state: WorkflowState, tasks: [TaskStatus]) -> String {
        if state.removedAt != nil { return "removed" }
        if state.lastGoodCommit == nil { return "invalid" }
        // A service up and healthy is where it should be: it does not keep its workflow "running".
        let phases = Set(tasks.filter { !($0.isService && $0.service?.healthy == true) }.map(\.phase))
        if phases.contains(.running) || phases.contains(.pending) { return "running" }
        if !phases.isDisjoint(with: [.failed, .timedOut, .skipped, .cancelled]) { return "failed" }
        return tasks.isEmpty ? "pending" : "succeeded"
    }
}

/// Run reports by workflow with the task statuses they were made from: a report is made again only when those change.
public final class ReportCache: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [String: (tasks: [TaskStatus], planned: PoolSchedule?, report: RunReport?)] = [:]

    public init() {}

    func report(for status: WorkflowStatus, make: () throws -> RunReport?) rethrows -> RunReport? {
        if let known = lock.withLock({ reports[status.name] }), known.tasks == status.tasks, known.planned == status.planned { return known.report }
        let report = try make()
        lock.withLock { reports[status.name] = (status.tasks, status.planned, report) }
        return report
    }
}
