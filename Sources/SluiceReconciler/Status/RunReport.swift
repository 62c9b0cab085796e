import Foundation
import SluiceModel
import SluiceStore

/// How a workflow's last run went against its plan: makespan and cost predicted and measured, how busy each node was,
/// the slowest tasks against their history, and what looked wrong. The run is every attempt that started at the
/// fingerprints in force (retries included: they cost too).
public struct RunReport: Sendable, Codable, Hashable {
    public var workflow: String
    public var commit: String?
    public var startedAt: Date?
    public var endedAt: Date?
    /// Seconds.
    public var plannedMakespan: Double?
    public var actualMakespan: Double?
    /// The optimizer's lower bound for the planned schedule: no schedule could be shorter.
    public var lowerBound: Double?
    /// From the pool's `cost` rates: the planned schedule's tasks for their predicted time, and every attempt for its
    /// measured time.
    public var plannedCost: Double?
    public var actualCost: Double?
    /// Per node, per resource: the share of its capacity that the run's attempts held, averaged over the run.
    public var utilisation: [NodeUtilisation]
    public var slowest: [TaskTiming]
    public var anomalies: [String]
    public var attempts: Int

    /// How many of the slowest tasks the report lists.
    public static let slowestCount = 5
}

public struct NodeUtilisation: Sendable, Codable, Hashable {
    public var node: String
    /// Resource → fraction of capacity, 0…1, for the resources the node offers.
    public var resources: [String: Double]
}

public struct TaskTiming: Sendable, Codable, Hashable {
    public var task: String
    public var duration: Double
    /// Median of the task's earlier successful runs; nil without history.
    public var usual: Double?
    public var earlierRuns: Int
}

extension RunReport {
    /// - Parameters:
    ///   - attempts: the attempts of the workflow at its fingerprints in force.
    ///   - history: earlier successful durations by task, newest first, the run's own attempt included.
    ///   - desired: the workflow as in force, for its pool's capacities and prices; nil when unknown.
    static func build(_ status: WorkflowStatus, attempts: [Attempt], history: [String: [Double]], desired: DesiredWorkflow?,
                      now: Date = Date()) -> RunReport? {
        let ran = attempts.filter { $0.startedAt != nil && !$0.isService }
        guard let first = ran.compactMap(\.startedAt).min() else { return nil }
        let last = ran.map { $0.endedAt ?? now }.max() ?? now
        let window = max(last.timeIntervalSince(first), 0.001)
        let demands = Dictionary(ran.map { ($0.id, Self.demand(of: $0)) }, uniquingKeysWith: { a, _ in a })
        var report = RunReport(workflow: status.name, commit: status.commit, startedAt: first, endedAt: ran.contains { $0.endedAt == nil } ? nil : last,
                               plannedMakespan: nil, actualMakespan: last.timeIntervalSince(first), lowerBound: nil,
                               plannedCost: nil, actualCost: nil, utilisation: [], slowest: [], anomalies: [], attempts: ran.count)
        if let planned = status.planned {
            let tasks = planned.tasks.filter { $0.workflow == status.name }
            if let start = tasks.map(\.start).min(), let end = tasks.map(\.end).max() { report.plannedMakespan = end - start }
            report.lowerBound = planned.lowerBound
            if let desired {
                report.plannedCost = tasks.reduce(0) { sum, task in
                    sum + Self.cost(desired.workflow.task(named: task.task)?.resources.amounts ?? [:], seconds: task.end - task.start, pool: desired.pool)
                }
            }
        }
        if let pool = desired?.pool {
            report.actualCost = ran.reduce(0) { $0 + Self.cost(demands[$1.id] ?? [:], seconds: ($1.endedAt ?? now).timeIntervalSince($1.startedAt!), pool: pool) }
            report.utilisation = pool.nodes.sorted { $0.name < $1.name }.compactMap { node in
                let here = ran.filter { $0.node == node.name }
                guard !here.isEmpty else { return nil }
                var shares: [String: Double] = [:]
                for (resource, capacity) in node.capacity.amounts where capacity > 0 {
                    let held = here.reduce(0) { $0 + (demands[$1.id]?[resource] ?? 0) * ($1.endedAt ?? now).timeIntervalSince($1.startedAt!) }
                    shares[resource] = min(held / (capacity * window), 1)
                }
                return NodeUtilisation(node: node.name, resources: shares)
            }
        }
        report.slowest = Self.slowest(ran, history: history, now: now)
        report.anomalies = Self.anomalies(status, ran: ran, history: history, now: now)
        if let planned = report.plannedMakespan, let actual = report.actualMakespan, planned > 0, actual > 2 * planned, actual - planned > 10 {
            report.anomalies.append("the run took \(Durations.format(actual)), more than twice the planned \(Durations.format(planned))")
        }
        return report
    }

    /// The newest attempt of each task, longest first, against the median of the task's earlier successes.
    private static func slowest(_ ran: [Attempt], history: [String: [Double]], now: Date) -> [TaskTiming] {
        let newest = Dictionary(ran.map { ($0.task, $0) }, uniquingKeysWith: { a, b in a.id > b.id ? a : b })
        return newest.values.map { attempt in
            let earlier = Self.earlier(history[attempt.task] ?? [], excluding: attempt)
            return TaskTiming(task: attempt.task, duration: (attempt.endedAt ?? now).timeIntervalSince(attempt.startedAt!),
                              usual: earlier.isEmpty ? nil : Anomaly.median(earlier), earlierRuns: earlier.count)
        }.sorted { ($0.duration, $1.task) > ($1.duration, $0.task) }.prefix(slowestCount).map { $0 }
    }

    private static func anomalies(_ status: WorkflowStatus, ran: [Attempt], history: [String: [Double]], now: Date) -> [String] {
        var found = status.tasks.compactMap { task in task.anomaly.map { "\(task.name) is \($0)" } }
        let newest = Dictionary(ran.map { ($0.task, $0) }, uniquingKeysWith: { a, b in a.id > b.id ? a : b })
        for attempt in newest.values.sorted(by: { $0.task < $1.task }) where attempt.phase.isFinal {
            let earlier = Self.earlier(history[attempt.task] ?? [], excluding: attempt)
            let took = (attempt.endedAt ?? now).timeIntervalSince(attempt.startedAt!)
            if let limit = Anomaly.threshold(history: earlier), took > limit {
                found.append("\(attempt.task) took \(Durations.format(took)), beyond its usual \(Durations.format(limit)) (median \(Durations.format(Anomaly.median(earlier))) + \(Int(Anomaly.deviations))×MAD of \(earlier.count) runs)")
            }
        }
        let retried = Dictionary(grouping: ran, by: \.task).filter { $0.value.count > 1 }
        for (task, attempts) in retried.sorted(by: { $0.key < $1.key }) {
            found.append("\(task) needed \(attempts.count) attempts")
        }
        return found
    }

    /// The history without the run's own success: the history query includes it when it is the newest.
    private static func earlier(_ durations: [Double], excluding attempt: Attempt) -> [Double] {
        attempt.phase == .succeeded && !durations.isEmpty ? Array(durations.dropFirst()) : durations
    }

    /// The resources the attempt asked for, in canonical units, from its fingerprint inputs.
    static func demand(of attempt: Attempt) -> [String: Double] {
        (try? JSONDecoder().decode(FingerprintInputs.self, from: Data(attempt.inputsJSON.utf8)))?.resources ?? [:]
    }

    /// Pool rates are per unit-hour, memory per GiB-hour.
    static func cost(_ demand: [String: Double], seconds: Double, pool: ResourcePool) -> Double {
        demand.reduce(0) { sum, entry in
            let rate = (pool.cost[entry.key] ?? 0) / (entry.key == "memory" ? 1_073_741_824 : 1)
            return sum + entry.value * rate * seconds / 3600
        }
    }
}
