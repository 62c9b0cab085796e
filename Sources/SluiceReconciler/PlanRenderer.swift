import Foundation

/// Prints a plan for people (text) or programs (JSON).
public enum PlanRenderer {
    public static func text(_ plan: Plan, commitSummary: String? = nil) -> String {
        var out = ""
        if !plan.errors.isEmpty {
            out += "Manifest errors (no workflow is pruned while these stand):\n"
            out += plan.errors.map { "  \($0)\n" }.joined()
            out += "\n"
        }
        for workflow in plan.workflows {
            out += "workflow \(workflow.name) @ \(workflow.commit.prefix(7))\(commitSummary.map { " (\($0))" } ?? "")\n"
            for error in workflow.errors {
                out += "  error: \(error)\n"
            }
            let width = max(workflow.tasks.map(\.name.count).max() ?? 0, 4)
            for task in workflow.tasks {
                let action = task.action.label.padding(toLength: 11, withPad: " ", startingAt: 0)
                let name = task.name.padding(toLength: width, withPad: " ", startingAt: 0)
                out += "  \(action) \(name)  \(task.reason)\n"
            }
            out += "\n"
        }
        out += summary(plan) + "\n"
        return out
    }

    /// `Plan: 2 to run, 1 to rerun, 3 up to date.`
    public static func summary(_ plan: Plan) -> String {
        let counts = plan.counts
        let phrases: [(PlanAction, String)] = [
            (.run, "to run"), (.rerun, "to rerun"), (.start, "to start"), (.restart, "to restart"), (.roll, "to roll"),
            (.cancel, "to cancel"), (.stop, "to stop"), (.prune, "to prune"), (.cacheHit, "cache hits"), (.upToDate, "up to date"),
        ]
        let parts = phrases.compactMap { action, phrase in counts[action].map { "\($0) \(phrase)" } }
        let errors = plan.errors.count + plan.workflows.map(\.errors.count).reduce(0, +)
        let errorPart = errors > 0 ? " \(errors) manifest error\(errors == 1 ? "" : "s")." : ""
        return "Plan: " + (parts.isEmpty ? "nothing to do" : parts.joined(separator: ", ")) + "." + errorPart
    }

    public static func json(_ plan: Plan) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(plan), as: UTF8.self)
    }
}
