import Foundation
import SluiceStore

/// `sluice rerun` and the API's rerun: a new attempt of a task at the fingerprint in force (Airflow's "clear", Argo's
/// "retry"), recorded with who asked. The next pass plans it as `rerun` and the dispatcher runs it even though an
/// earlier attempt succeeded there.
public enum Reruns {
    public struct Problem: Error, CustomStringConvertible {
        public enum Kind: Sendable { case unknown, refused }
        /// `unknown`: no such workflow or task; `refused`: the task cannot be rerun (it never ran, or is a service).
        public var kind: Kind
        public var description: String
    }

    /// Records the request for `task` (and, with `downstream`, every task that needs it, directly or not) and returns
    /// their names in dependency order.
    @discardableResult
    public static func request(store: Store, workflow: String, task: String, downstream: Bool, by person: String, at time: Date = Date()) throws -> [String] {
        guard let state = try store.workflowState(workflow), state.removedAt == nil else {
            let known = try store.workflowStates().filter { $0.removedAt == nil }.map(\.name)
            throw Problem(kind: .unknown, description: "no workflow '\(workflow)' in the state directory" + (known.isEmpty ? "" : "; it has \(known.joined(separator: ", "))"))
        }
        let latest = Dictionary(try store.latestAttempts(workflow: workflow).map { ($0.task, $0) }, uniquingKeysWith: { first, _ in first })
        let order = state.tasks ?? latest.keys.sorted()
        guard order.contains(task) else {
            throw Problem(kind: .unknown, description: "workflow '\(workflow)' has no task '\(task)'; its tasks are \(order.joined(separator: ", "))")
        }
        var chosen: Set<String> = [task]
        if downstream, let needs = state.shape?.needs {
            // Dependency order: a task's needs come before it, so one sweep reaches every dependent.
            for name in order where needs[name]?.contains(where: chosen.contains) == true { chosen.insert(name) }
        }
        if latest[task]?.isService == true {
            throw Problem(kind: .refused, description: "'\(task)' is a service: it is kept up, not rerun; a change to its definition in git restarts it")
        }
        // Services downstream stay up: their fingerprint is the same, so the rerun changes nothing they serve from.
        let tasks = order.filter { chosen.contains($0) && latest[$0]?.isService != true }
        let never = tasks.filter { latest[$0] == nil }
        guard never.isEmpty else {
            throw Problem(kind: .refused, description: "\(never.map { "'\($0)'" }.joined(separator: ", ")) of workflow '\(workflow)' never ran, so there is nothing to rerun: `sluice apply` runs it")
        }
        try store.requestRerun(workflow: workflow, tasks: tasks.map { ($0, latest[$0]!.fingerprint) }, by: person, at: time)
        return tasks
    }
}
