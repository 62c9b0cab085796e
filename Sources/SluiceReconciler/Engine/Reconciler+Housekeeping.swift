import Foundation
import SluiceExecution
import SluiceGit
import SluiceModel
import SluiceStore

extension Reconciler {
    /// Saves each workflow's manifest state, and puts the last good version of each rejected workflow back
    /// into `desired`. Returns the workflows whose errors changed.
    func recordWorkflowStates(_ desired: inout DesiredState, loader: DesiredStateLoader) throws -> Set<String> {
        var changed = Set<String>()
        let commit = desired.commit.oid.hex
        for workflow in desired.workflows {
            var state = try store.workflowState(workflow.name) ?? WorkflowState(name: workflow.name, lastGoodCommit: nil, lastSeenCommit: nil, errors: [], removedAt: nil)
            if !state.errors.isEmpty || state.removedAt != nil { changed.insert(workflow.name) }
            state.lastGoodCommit = commit
            state.lastSeenCommit = commit
            state.errors = []
            state.removedAt = nil
            let tasks = workflow.orderedTasks.map(\.name)
            if state.tasks != tasks { changed.insert(workflow.name) }
            state.tasks = tasks
            let shape = WorkflowShape(suspended: workflow.workflow.suspend, schedule: workflow.workflow.schedule?.expression,
                                      timeZone: workflow.workflow.schedule?.timeZone,
                                      needs: Dictionary(workflow.orderedTasks.map { ($0.name, $0.needs) }, uniquingKeysWith: { first, _ in first }),
                                      estimates: workflow.orderedTasks.reduce(into: [:]) { $0[$1.name] = $1.estimate })
            if state.shape != shape { changed.insert(workflow.name) }
            state.shape = shape
            try store.saveWorkflowState(state)
        }
        for name in desired.rejectedWorkflows.sorted() {
            let errors = desired.diagnostics.filter { $0.workflow == name }.map(\.description)
            var state = try store.workflowState(name) ?? WorkflowState(name: name, lastGoodCommit: nil, lastSeenCommit: nil, errors: [], removedAt: nil)
            if state.errors != errors { changed.insert(name) }
            state.errors = errors
            state.lastSeenCommit = commit
            try store.saveWorkflowState(state)
            if let good = state.lastGoodCommit.flatMap(OID.init(hex:)),
               let previous = try loader.load(from: repository, commit: good).workflows.first(where: { $0.name == name }) {
                desired.workflows.append(previous)
                if let index = desired.manifests.pools.firstIndex(where: { $0.name == previous.pool.name }) {
                    // A cluster pool that no valid workflow uses now was not asked for its nodes: the last good
                    // version's load read them.
                    if desired.manifests.pools[index].nodes.isEmpty { desired.manifests.pools[index].nodes = previous.pool.nodes }
                } else {
                    desired.manifests.pools.append(previous.pool)
                }
            }
        }
        return changed
    }

    /// Keeps each workflow's share of the schedule next to the state, so every later status can show plan vs actual.
    func savePlannedSchedules(_ plan: Plan) throws {
        for schedule in plan.schedules {
            for workflow in Set(schedule.tasks.map(\.workflow)) {
                var own = schedule
                own.tasks = schedule.tasks.filter { $0.workflow == workflow }
                let file = layout.plannedSchedule(workflow: workflow)
                try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try JSONEncoder().encode(own).write(to: file, options: .atomic)
            }
        }
    }

    /// Workflows removed from git: their running attempts are cancelled and their status marked removed.
    /// Attempts running at a fingerprint no longer desired are cancelled too (services: once the new version is healthy).
    func prune(_ plan: Plan) throws {
        for workflowPlan in plan.workflows {
            let cancels = Set(workflowPlan.tasks.filter { $0.action == .cancel || $0.action == .stop || $0.action == .prune }.map(\.name))
            guard !cancels.isEmpty else { continue }
            for attempt in try store.unfinishedAttempts() where attempt.workflow == workflowPlan.name && cancels.contains(attempt.task) {
                executor.cancel(AttemptHandle(id: attempt.id, directory: attempt.attemptPath))
            }
            if workflowPlan.tasks.contains(where: { $0.action == .prune }), var state = try store.workflowState(workflowPlan.name) {
                state.removedAt = Date()
                try store.saveWorkflowState(state)
                errorsChanged.insert(workflowPlan.name)
            }
        }
    }
}
