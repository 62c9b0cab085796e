import Foundation
import SluiceModel
import SluiceGit
import SluiceStore

/// Renders the files of the status branch (DESIGN.md §7) from workflow statuses. Pure: same input, same bytes,
/// so an unchanged status makes no commit.
public enum StatusRenderer {
    /// Path → contents of the whole status tree.
    /// - Parameter cache: the pages of workflows rendered before; a workflow whose status did not change is not
    ///   rendered again (with a thousand workflows, rendering was most of a status commit).
    public static func files(_ workflows: [WorkflowStatus], repositoryName: String, cache: RenderCache = RenderCache()) throws -> [String: Data] {
        var files = ["README.md": Data(overview(workflows, repositoryName: repositoryName).utf8)]
        for workflow in workflows {
            let pages = try cache.pages(of: workflow) {
                (Data(try statusYAML(workflow).utf8), Data(workflowPage(workflow).utf8))
            }
            files["workflows/\(workflow.name)/status.yaml"] = pages.status
            files["workflows/\(workflow.name)/README.md"] = pages.readme
        }
        return files
    }

    static func overview(_ workflows: [WorkflowStatus], repositoryName: String) -> String {
        var out = "# Sluice status: \(repositoryName)\n\n"
        out += "Written by Sluice after each reconcile pass that changed something. Do not edit: the next pass rewrites it.\n\n"
        out += "| workflow | phase | tasks | source commit | errors |\n|---|---|---|---|---|\n"
        for workflow in workflows {
            let tasks = "\(workflow.succeeded)/\(workflow.tasks.count) succeeded" + (workflow.failed > 0 ? ", \(workflow.failed) failed" : "")
            out += "| [\(workflow.name)](workflows/\(workflow.name)/README.md) | \(badge(workflow.phase)) | \(tasks) | `\(workflow.commit.map { String($0.prefix(7)) } ?? "—")` | \(workflow.errors.count) |\n"
        }
        return out
    }

    static func workflowPage(_ workflow: WorkflowStatus) -> String {
        var out = "# \(workflow.name)\n\n"
        out += "Phase: \(badge(workflow.phase)) · source commit `\(workflow.commit ?? "none")`\n\n"
        if !workflow.errors.isEmpty {
            out += "## Manifest errors\n\nThe latest commit's definition was rejected; the last good version stays in force.\n\n```\n"
            out += workflow.errors.joined(separator: "\n") + "\n```\n\n"
        }
        out += "## Tasks\n\n| task | phase | duration | attempts | exit code | node | fingerprint |\n|---|---|---|---|---|---|---|\n"
        for task in workflow.tasks {
            let duration = task.duration.map(Durations.format) ?? "—"
            let exit = task.exitCode.map(String.init) ?? "—"
            out += "| \(task.name)\(task.isService ? " (service)" : "") | \(badge(task.phase.rawValue)) | \(duration) | \(task.attempts) | \(exit) | \(task.node ?? "—") | `\(task.fingerprint.prefix(12))` |\n"
        }
        for task in workflow.tasks {
            if let service = task.service { out += "\n- \(task.name) listens at \(service.address): \(service.healthy ? "healthy" : "not healthy")\n" }
            if let anomaly = task.anomaly { out += "\n- ⚠️ \(task.name) is anomalous: \(anomaly)\n" }
        }
        for task in workflow.tasks where task.message != nil || task.logTail != nil {
            out += "\n### \(task.name): \(task.phase.rawValue)\n\n"
            if let message = task.message { out += message + "\n\n" }
            if let tail = task.logTail, !tail.isEmpty { out += "Last lines of its log:\n\n```\n\(tail.hasSuffix("\n") ? tail : tail + "\n")```\n" }
        }
        out += metricsSection(workflow)
        if let chart = gantt(workflow) { out += "\n## Last run\n\n" + chart }
        if let report = workflow.report { out += "\n" + report.markdown() }
        if let planned = workflow.planned {
            out += "\n### Planned schedule\n\n" + PlanRenderer.scheduleGantt(planned, workflow: workflow.name)
        }
        return out
    }

    /// A Mermaid gantt of the attempts that ran, one section per node, times in milliseconds since the epoch.
    static func gantt(_ workflow: WorkflowStatus) -> String? {
        let ran = workflow.tasks.filter { $0.startedAt != nil }
        guard !ran.isEmpty else { return nil }
        var out = "```mermaid\ngantt\n    title \(workflow.name) @ \(workflow.commit.map { String($0.prefix(7)) } ?? "")\n"
        out += "    dateFormat x\n    axisFormat %H:%M:%S\n"
        for node in Set(ran.map { $0.node ?? "local" }).sorted() {
            out += "    section \(node)\n"
            for task in ran where (task.node ?? "local") == node {
                let start = Int64(task.startedAt!.timeIntervalSince1970 * 1000)
                // Mermaid cannot draw a zero-length bar, and a running task has no end yet.
                let end = max(task.endedAt.map { Int64($0.timeIntervalSince1970 * 1000) } ?? start + 1000, start + 1)
                let tag: String
                switch task.phase {
                case .failed, .timedOut: tag = "crit, "
                case .running, .pending: tag = "active, "
                default: tag = "done, "
                }
                out += "    \(task.name) :\(tag)\(start), \(end)\n"
            }
        }
        return out + "```\n"
    }

    static func statusYAML(_ workflow: WorkflowStatus) throws -> String {
        try StatusYAML.encode(workflow)
    }

    static func badge(_ phase: String) -> String {
        switch phase {
        case "succeeded", "cached": "✅ \(phase)"
        case "failed", "timedOut", "invalid": "❌ \(phase)"
        case "running", "pending": "⏳ \(phase)"
        case "skipped", "cancelled", "removed": "⏭️ \(phase)"
        default: phase
        }
    }
}

/// The rendered pages of each workflow with the status they were rendered from. Rendering is pure, so an equal status
/// gives the same bytes.
public final class RenderCache: @unchecked Sendable {
    private let lock = NSLock()
    private var pages: [String: (status: WorkflowStatus, files: (status: Data, readme: Data))] = [:]
    /// What the last status commit of this writer said; read from the branch's tip after a restart.
    private var last: StatusMessage.Previous?

    func remember(_ previous: StatusMessage.Previous) { lock.withLock { last = previous } }

    /// The previous status commit: remembered, else its source and first line from the tip of `branch`.
    func previous(in repository: Repository, branch: String) throws -> StatusMessage.Previous {
        if let last = lock.withLock({ last }) { return last }
        guard let tip = try repository.branchTip(branch) else { return StatusMessage.Previous(phases: [:]) }
        let info = try repository.commitInfo(tip)
        let source = info.message.split(separator: "\n").first { $0.hasPrefix("Sluice-Source: ") }.map { String($0.dropFirst("Sluice-Source: ".count)) }
        return StatusMessage.Previous(source: source, summary: info.summary, phases: [:], statusDigest: nil)
    }

    public init() {}

    func pages(of workflow: WorkflowStatus, render: () throws -> (Data, Data)) rethrows -> (status: Data, readme: Data) {
        if let known = lock.withLock({ pages[workflow.name] }), known.status == workflow { return known.files }
        let rendered = try render()
        lock.withLock { pages[workflow.name] = (workflow, (rendered.0, rendered.1)) }
        return (rendered.0, rendered.1)
    }
}
