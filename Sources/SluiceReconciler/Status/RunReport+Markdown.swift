import Foundation
import SluiceModel

extension RunReport {
    /// The report as Markdown, for the status branch and `sluice report --output markdown`. `heading` is the level of
    /// its title (`##` inside a workflow's page).
    public func markdown(heading: String = "##") -> String {
        var out = "\(heading) Run report\n\n"
        let when = startedAt.map { " started \(Self.timestamp($0))" } ?? ""
        out += "Run of `\(workflow)` at `\(commit.map { String($0.prefix(7)) } ?? "?")`\(when): \(attempts) attempt\(attempts == 1 ? "" : "s")"
        out += endedAt == nil ? ", still running.\n\n" : ".\n\n"
        out += "| | planned | actual |\n|---|---|---|\n"
        out += "| makespan | \(plannedMakespan.map(Durations.format) ?? "—") | \(actualMakespan.map(Durations.format) ?? "—") |\n"
        out += "| lower bound | \(lowerBound.map(Durations.format) ?? "—") | |\n"
        out += "| cost | \(plannedCost.map(Self.money) ?? "—") | \(actualCost.map(Self.money) ?? "—") |\n"
        if !utilisation.isEmpty {
            let resources = Self.resourceOrder(Set(utilisation.flatMap(\.resources.keys)))
            out += "\nTime-weighted utilisation of each node over the run:\n\n"
            out += "| node | " + resources.joined(separator: " | ") + " |\n|---|" + resources.map { _ in "---|" }.joined() + "\n"
            for node in utilisation {
                out += "| \(node.node) | " + resources.map { node.resources[$0].map { String(format: "%.0f%%", $0 * 100) } ?? "—" }.joined(separator: " | ") + " |\n"
            }
        }
        if !slowest.isEmpty {
            out += "\nSlowest tasks:\n\n| task | took | usual | earlier runs |\n|---|---|---|---|\n"
            for timing in slowest {
                out += "| \(timing.task) | \(Durations.format(timing.duration)) | \(timing.usual.map(Durations.format) ?? "—") | \(timing.earlierRuns) |\n"
            }
        }
        out += anomalies.isEmpty ? "\nNo anomalies.\n" : "\nAnomalies:\n\n" + anomalies.map { "- ⚠️ \($0)\n" }.joined()
        return out
    }

    /// cpu, memory, gpu, bandwidth first, then custom resources by name.
    static func resourceOrder(_ names: Set<String>) -> [String] {
        Quantity.wellKnown.filter(names.contains) + names.subtracting(Quantity.wellKnown).sorted()
    }

    static func money(_ value: Double) -> String { String(format: "%.4f", value) }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
