import Foundation
import SluiceGit

/// The message of a status commit, so that `git log sluice/status` reads as a history rather than a stream of
/// identical lines: `Synced to <commit> (<its summary>)` when a new source commit is observed, `Plans of other
/// branches` when only those pages changed, and otherwise the counts (DESIGN.md §7) with what changed when the counts
/// alone would repeat the previous commit's first line.
struct StatusMessage {
    /// What the previous status commit said, as the writer remembers it.
    struct Previous {
        var source: String?
        var summary: String?
        var phases: [String: String]
        var statusDigest: Int?
    }

    static func make(_ all: [WorkflowStatus], changed: [WorkflowStatus], source: OID, sourceSummary: String?, previous: Previous,
                     statusDigest: Int, planBranches: [String]) -> String {
        let counts = StatusWriter.counts(changed.isEmpty ? all : changed)
        var summary: String
        if previous.source != nil, previous.source != source.hex {
            summary = "Synced to \(source.short)" + (sourceSummary.map { " (\($0.cut(60)))" } ?? "") + ": \(counts)"
        } else if previous.statusDigest == statusDigest, !planBranches.isEmpty {
            summary = "Plans of other branches at \(source.short): " + planBranches.joined(separator: ", ").cut(120)
        } else {
            summary = "\(counts) @ \(source.short)"
            if summary == previous.summary {
                let moved = phases(all).filter { previous.phases[$0.key] != $0.value }.sorted { $0.key < $1.key }
                    .map { "\($0.key) \(previous.phases[$0.key] ?? "new") → \($0.value)" }
                summary += "; " + (moved.isEmpty ? "details updated (durations, health, reports)" : moved.joined(separator: ", ").cut(160))
            }
        }
        var message = summary + "\n\n"
        message += "Sluice-Source: \(source.hex)\n"
        message += (changed.isEmpty ? all : changed).map { "Sluice-Workflow: \($0.name)\n" }.joined()
        return message
    }

    /// `workflow/task` → the phase a person reads (services: healthy or not; anomalies flagged).
    static func phases(_ all: [WorkflowStatus]) -> [String: String] {
        var phases: [String: String] = [:]
        for workflow in all {
            for task in workflow.tasks {
                var phase = task.phase.rawValue
                if let service = task.service { phase = service.healthy ? "healthy" : "unhealthy" }
                if task.anomaly != nil { phase += " (running long)" }
                phases["\(workflow.name)/\(task.name)"] = phase
            }
        }
        return phases
    }
}

extension String {
    /// At most `length` characters, the cut marked with an ellipsis.
    func cut(_ length: Int) -> String { count <= length ? self : String(prefix(length - 1)) + "…" }
}
