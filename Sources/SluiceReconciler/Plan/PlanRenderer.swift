import Foundation
import SluiceModel

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
                let action = task.action.label.padded(to: 11)
                let name = task.name.padded(to: width)
                out += "  \(action) \(name)  \(task.reason)\n"
            }
            out += "\n"
        }
        for schedule in plan.schedules {
            out += scheduleText(schedule) + "\n"
        }
        out += summary(plan) + "\n"
        return out
    }

    /// The plan as a Markdown page, for `plans/<branch>.md` on the status branch: what merging a branch would run.
    public static func markdown(_ plan: Plan, title: String) -> String {
        var out = "# \(title)\n\n" + summary(plan) + "\n\n"
        if !plan.errors.isEmpty {
            out += "Manifest errors:\n\n```\n" + plan.errors.joined(separator: "\n") + "\n```\n\n"
        }
        for workflow in plan.workflows {
            out += "## \(workflow.name) @ `\(workflow.commit.prefix(7))`\n\n"
            if !workflow.errors.isEmpty { out += "```\n" + workflow.errors.joined(separator: "\n") + "\n```\n\n" }
            out += "| task | action | why |\n|---|---|---|\n"
            for task in workflow.tasks {
                out += "| \(task.name) | \(task.action.label) | \(task.reason.replacingOccurrences(of: "|", with: "\\|")) |\n"
            }
            out += "\n"
        }
        for schedule in plan.schedules { out += "```\n" + scheduleText(schedule) + "```\n" }
        return out
    }

    /// The predicted schedule: makespan against the lower bound, cost, and when and where each task starts.
    public static func scheduleText(_ schedule: PoolSchedule) -> String {
        let optimal = schedule.gap <= 1e-9 ? " (optimal: it meets the bound)" : String(format: " (at most %.1f%% above optimal)", schedule.gap * 100)
        var out = "schedule on pool \(schedule.pool): makespan \(Durations.format(schedule.makespan)), lower bound \(Durations.format(schedule.lowerBound))\(optimal), cost \(String(format: "%.4f", schedule.cost))\n"
        let width = max(schedule.tasks.map { $0.workflow.count + $0.task.count + 1 }.max() ?? 0, 4)
        for task in schedule.tasks {
            let span = "\(Durations.format(task.start).leftPadded(to: 7)) → \(Durations.format(task.end).leftPadded(to: 7))"
            let gpus = task.gpus.isEmpty ? "" : "  gpus \(task.gpus.map(String.init).joined(separator: ","))"
            out += "  \(span)  \("\(task.workflow)/\(task.task)".padded(to: width))  \(task.node)\(gpus)\n"
        }
        return out
    }

    /// The predicted schedule as a Mermaid gantt chart, times in seconds from the start of the pass.
    public static func scheduleGantt(_ schedule: PoolSchedule, workflow: String? = nil) -> String {
        var out = "```mermaid\ngantt\n    title Planned on \(schedule.pool): makespan \(Durations.format(schedule.makespan)), lower bound \(Durations.format(schedule.lowerBound))\n"
        out += "    dateFormat X\n    axisFormat %M:%S\n"
        let tasks = schedule.tasks.filter { workflow == nil || $0.workflow == workflow }
        for node in Set(tasks.map(\.node)).sorted() {
            out += "    section \(node)\n"
            for task in tasks where task.node == node {
                // Mermaid's X format is whole seconds; a bar needs a length.
                let start = Int(task.start.rounded(.down)), end = max(Int(task.end.rounded(.up)), start + 1)
                out += "    \(task.task) :\(start), \(end)\n"
            }
        }
        return out + "```\n"
    }

    /// `Plan: 2 to run, 1 to rerun, 3 up to date.`
    public static func summary(_ plan: Plan) -> String {
        let counts = plan.counts
        let phrases: [(PlanAction, String)] = [
            (.run, "to run"), (.rerun, "to rerun"), (.start, "to start"), (.restart, "to restart"), (.roll, "to roll"),
            (.cancel, "to cancel"), (.stop, "to stop"), (.prune, "to prune"), (.cacheHit, "cache hit"), (.upToDate, "up to date"),
        ]
        let parts = phrases.compactMap { action, phrase in
            counts[action].map { "\($0) \(phrase)\(action == .cacheHit && $0 != 1 ? "s" : "")" }
        }
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

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

extension String {
    /// Padded with spaces, or cut, to `width` characters (Foundation's `padding(toLength:)` without its NSString
    /// round trip, which dominated rendering a plan of 50,000 tasks).
    func padded(to width: Int) -> String {
        let length = count
        if length >= width { return length == width ? self : String(prefix(width)) }
        return self + String(repeating: " ", count: width - length)
    }
}
