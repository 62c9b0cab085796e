import SluiceModel

/// Desired × actual → plan. Pure: the same two inputs always give the same plan, which is what makes
/// reconcile passes level-triggered and idempotent.
public enum Planner {
    /// - Parameter servicesStayUp: true for the controller, which keeps services running; false for `sluice apply`,
    ///   which stops them when it ends, so a service that was healthy at its current fingerprint counts as up to date.
    public static func plan(desired: DesiredState, actual: ActualState, servicesStayUp: Bool = true) -> Plan {
        let rejected = desired.rejectedWorkflows
        var workflows = desired.workflows.map { workflow in
            var plan = plan(workflow, actual: actual.workflows[workflow.name], cache: actual.succeededFingerprints, servicesStayUp: servicesStayUp)
            // A workflow both desired and rejected is the last good version standing in for a bad new one.
            plan.errors = desired.diagnostics.filter { $0.workflow == workflow.name }.map(\.description)
            return plan
        }
        for name in rejected.sorted() where !desired.workflows.contains(where: { $0.name == name }) {
            let errors = desired.diagnostics.filter { $0.workflow == name }.map(\.description)
            let kept = actual.workflows[name] == nil
                ? "it has never run, so nothing runs until it is fixed"
                : "its last good version stays in force"
            let tasks = actual.workflows[name].map { record in
                record.tasks.values.sorted { $0.name < $1.name }.map {
                    TaskPlan(name: $0.name, action: .upToDate, reason: "the new definition has errors; \(kept)",
                             fingerprint: $0.lastSuccess?.fingerprint ?? "", needs: $0.lastSuccess.map { Array($0.needs.keys).sorted() } ?? [])
                }
            } ?? []
            workflows.append(WorkflowPlan(name: name, commit: desired.commit.oid.hex, tasks: tasks, errors: errors))
        }
        // A syntax error may hide a workflow's definition: it must not be pruned for being absent.
        let mayPrune = !desired.manifests.hasUnattributedErrors
        let desiredNames = Set(desired.workflows.map(\.name)).union(rejected)
        for record in actual.workflows.values.sorted(by: { $0.name < $1.name }) where !desiredNames.contains(record.name) && mayPrune {
            workflows.append(prune(record, commit: desired.commit.oid.hex))
        }
        let unattributed = desired.diagnostics.filter { $0.workflow == nil }.map(\.description)
        return Plan(workflows: workflows, errors: unattributed)
    }

    private static func plan(_ workflow: DesiredWorkflow, actual: WorkflowRecord?, cache: Set<String>, servicesStayUp: Bool) -> WorkflowPlan {
        var tasks: [TaskPlan] = []
        var executing = Set<String>()
        for task in workflow.orderedTasks {
            let inputs = workflow.fingerprints[task.name]!
            let record = actual?.tasks[task.name]
            let (action, reason) = task.kind.isService
                ? serviceAction(inputs, record: record, executing: executing, servicesStayUp: servicesStayUp)
                : batchAction(inputs, record: record, cache: cache, executing: executing)
            if action.executes { executing.insert(task.name) }
            tasks.append(TaskPlan(name: task.name, action: action, reason: reason, fingerprint: inputs.fingerprint, needs: task.needs))
        }
        // Tasks that left the workflow but still run.
        let desiredTasks = Set(workflow.workflow.tasks.map(\.name))
        for record in (actual?.tasks.values ?? [:].values).sorted(by: { $0.name < $1.name }) where !desiredTasks.contains(record.name) {
            guard let running = record.running else { continue }
            let action: PlanAction = record.isService ? .stop : .cancel
            tasks.append(TaskPlan(name: record.name, action: action, reason: "task '\(record.name)' was removed from the workflow in git",
                                  fingerprint: running.inputs.fingerprint, needs: []))
        }
        if workflow.workflow.suspend {
            // Nothing new starts and nothing is stopped: what runs finishes, services stay up at their version.
            for index in tasks.indices where tasks[index].action.executes || tasks[index].action == .stop {
                tasks[index].reason = "the workflow is suspended (spec.suspend: true); when resumed: \(tasks[index].action.label), \(tasks[index].reason)"
                tasks[index].action = .suspended
            }
        }
        return WorkflowPlan(name: workflow.name, commit: workflow.commit.hex, tasks: tasks)
    }

    private static func batchAction(_ inputs: FingerprintInputs, record: TaskRecord?, cache: Set<String>,
                                    executing: Set<String>) -> (PlanAction, String) {
        let fingerprint = inputs.fingerprint
        if let running = record?.running {
            if running.inputs.fingerprint == fingerprint {
                return (.upToDate, "attempt \(running.attempt) is running at this fingerprint")
            }
            return (.cancel, "the running attempt is for an old fingerprint (\(whyChanged(inputs, since: running.inputs, executing: executing))); it is cancelled and the task runs again")
        }
        if let rerun = record?.rerun, rerun.fingerprint == fingerprint {
            return (.rerun, "asked for by \(rerun.by) at \(rerun.at.formatted(.iso8601)) (sluice rerun): a new attempt at the same fingerprint")
        }
        if let record, let last = record.lastSuccess, last.fingerprint == fingerprint {
            return (.upToDate, record.base?.reason ?? "succeeded at this fingerprint")
        }
        if cache.contains(fingerprint) {
            let context = record?.lastSuccess.map { "; since then " + whyChanged(inputs, since: $0, executing: executing) + ", and changed back" } ?? ""
            return (.cacheHit, "an earlier run at this fingerprint succeeded; its outputs are reused, nothing runs\(context)")
        }
        let retry = record?.lastFailure.flatMap { failure in
            failure.fingerprint == fingerprint ? " (the last attempt failed: \(failure.reason); it is tried again)" : nil
        } ?? ""
        guard let last = record?.lastSuccess else {
            return (.run, (record == nil ? "new task: it has never run" : "it has never succeeded") + retry)
        }
        return (.rerun, whyChanged(inputs, since: last, executing: executing) + retry)
    }

    private static func serviceAction(_ inputs: FingerprintInputs, record: TaskRecord?, executing: Set<String>,
                                      servicesStayUp: Bool) -> (PlanAction, String) {
        let fingerprint = inputs.fingerprint
        if let running = record?.running {
            if running.inputs.fingerprint == fingerprint {
                return running.healthy
                    ? (.upToDate, "running and healthy at this fingerprint")
                    : (.restart, "running at this fingerprint but failing its health check")
            }
            return (.roll, "new version: \(whyChanged(inputs, since: running.inputs, executing: executing)); the new one starts and the old one stops once it is healthy")
        }
        guard let last = record?.lastSuccess else { return (.start, "new service: it has never run") }
        if last.fingerprint == fingerprint {
            if let base = record?.base { return (.upToDate, base.reason) }
            return servicesStayUp
                ? (.restart, "not running; it is started again at the same fingerprint")
                : (.upToDate, "was healthy at this fingerprint (`sluice controller` keeps services running)")
        }
        return (.rerun, whyChanged(inputs, since: last, executing: executing) + "; the service starts at the new fingerprint")
    }

    /// Every change since `old`: own fields first, then each upstream that reruns or changed.
    static func whyChanged(_ inputs: FingerprintInputs, since old: FingerprintInputs, executing: Set<String>) -> String {
        var reasons = inputs.changes(since: old)
        for need in Set(inputs.needs.keys).union(old.needs.keys).sorted() where inputs.needs[need] != old.needs[need] {
            switch (old.needs[need], inputs.needs[need]) {
            case (nil, _): reasons.append("new upstream \(need)")
            case (_, nil): reasons.append("upstream \(need) is no longer needed")
            default: reasons.append(executing.contains(need) ? "upstream \(need) reruns" : "upstream \(need) changed")
            }
        }
        return reasons.isEmpty ? "its fingerprint changed" : reasons.joined(separator: "; ")
    }

    private static func prune(_ record: WorkflowRecord, commit: String) -> WorkflowPlan {
        let tasks = record.tasks.values.sorted { $0.name < $1.name }.map { task in
            TaskPlan(name: task.name, action: .prune,
                     reason: "workflow '\(record.name)' was removed from git" + (task.running != nil ? "; its running attempt is cancelled" : ""),
                     fingerprint: task.running?.inputs.fingerprint ?? task.lastSuccess?.fingerprint ?? "", needs: [])
        }
        return WorkflowPlan(name: record.name, commit: commit, tasks: tasks)
    }
}
