import Foundation
import SluiceModel
import SluiceOptimizer

/// One task's place in the predicted schedule.
public struct ScheduledTask: Sendable, Codable, Hashable {
    public var workflow: String
    public var task: String
    /// Seconds after the pass starts.
    public var start: Double
    public var end: Double
    public var node: String
    /// The node's GPU indices the schedule gives the task (the dispatcher hands out free ones at start time).
    public var gpus: [Int]
}

/// The schedule of the tasks a plan runs on one pool, with how far from optimal it can at most be.
public struct PoolSchedule: Sendable, Codable, Hashable {
    public var pool: String
    /// Predicted seconds from the first start to the last end.
    public var makespan: Double
    /// The larger of the critical-path and resource-energy bounds: no schedule can be shorter.
    public var lowerBound: Double
    public var criticalPath: Double
    public var resourceEnergy: Double
    /// `(makespan - lowerBound) / lowerBound`: at most this much above the optimum.
    public var gap: Double
    /// Predicted cost of the run from the pool's `cost` rates.
    public var cost: Double
    public var tasks: [ScheduledTask]
}

/// Builds the scheduling problem of a plan and solves it with the optimizer, pool by pool.
public enum PlanScheduler {
    /// Predicted seconds of a task: `estimate`, else the median of its past successes, else a default.
    public typealias DurationModel = (_ workflow: String, _ task: TaskSpec) -> Double

    /// A service counts in the schedule for its start-up only: the resources it holds afterwards are not modelled.
    public static let serviceStartup = 5.0

    public static func schedule(_ plan: Plan, desired: DesiredState, duration: DurationModel,
                                options: SchedulerOptions = SchedulerOptions(timeLimit: 1)) throws -> [PoolSchedule] {
        var byPool: [String: [(DesiredWorkflow, TaskSpec)]] = [:]
        var pools: [String: ResourcePool] = [:]
        for workflow in desired.workflows {
            guard let workflowPlan = plan.workflow(named: workflow.name) else { continue }
            for task in workflow.orderedTasks where workflowPlan.task(named: task.name)?.action.startsProcess == true {
                byPool[workflow.pool.name, default: []].append((workflow, task))
                pools[workflow.pool.name] = workflow.pool
            }
        }
        return try byPool.keys.sorted().map { name in
            try schedule(byPool[name]!, on: pools[name]!, duration: duration, options: options)
        }
    }

    static func schedule(_ entries: [(DesiredWorkflow, TaskSpec)], on pool: ResourcePool, duration: DurationModel,
                                 options: SchedulerOptions) throws -> PoolSchedule {
        let resources = Array(Set(entries.flatMap { $0.1.resources.names } + pool.nodes.flatMap { $0.capacity.names })).sorted()
        let index = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ("\($1.0.name)/\($1.1.name)", $0) })
        let jobs = entries.enumerated().map { id, entry in
            SchedulingProblem.Job(id: id, duration: entry.1.kind.isService ? min(serviceStartup, duration(entry.0.name, entry.1)) : duration(entry.0.name, entry.1),
                                  demand: resources.map { entry.1.resources[$0] }, gpus: Int(entry.1.resources["gpu"]))
        }
        // Needs outside this pass are already satisfied, so only needs among the jobs are precedences.
        let predecessors = entries.map { workflow, task in task.needs.compactMap { index["\(workflow.name)/\($0)"] } }
        let nodes = pool.nodes.map { node in
            SchedulingProblem.Node(name: node.name, capacity: resources.map { node.capacity[$0] }, gpuCount: Int(node.capacity["gpu"]))
        }
        // Memory is priced per GiB-hour and measured in bytes.
        let costs = resources.map { name in (pool.cost[name] ?? 0) / (name == "memory" ? 1_073_741_824 : 1) }
        let problem = SchedulingProblem(resources: resources, jobs: jobs, predecessors: predecessors, nodes: nodes, costPerHour: costs)
        let result = try Scheduler.solve(problem, options: options)
        let tasks = entries.enumerated().map { id, entry in
            ScheduledTask(workflow: entry.0.name, task: entry.1.name, start: result.schedule.start[id],
                          end: result.schedule.start[id] + jobs[id].duration, node: pool.nodes[result.schedule.node[id]].name,
                          gpus: result.schedule.gpuIndices[id])
        }.sorted { ($0.start, $0.workflow, $0.task) < ($1.start, $1.workflow, $1.task) }
        return PoolSchedule(pool: pool.name, makespan: result.schedule.makespan, lowerBound: result.bounds.best,
                            criticalPath: result.bounds.criticalPath, resourceEnergy: result.bounds.resourceEnergy,
                            gap: result.gapBound, cost: result.schedule.cost, tasks: tasks)
    }
}

extension PlanAction {
    /// The actions that start a process in this pass and so take a place in the schedule.
    public var startsProcess: Bool {
        switch self {
        case .run, .rerun, .start, .restart, .roll: true
        default: false
        }
    }
}
