import Foundation

/// The metrics part of a workflow's page: a table with the change since the previous successful run, and a trend chart per
/// headline metric as a Mermaid `xychart-beta`, which GitHub and GitLab draw.
extension StatusRenderer {
    /// Charts per workflow page: beyond this, per-class figures would bury the page.
    static let chartLimit = 6

    static func metricsSection(_ workflow: WorkflowStatus) -> String {
        var out = ""
        let warnings = workflow.tasks.compactMap { task in task.metricsWarning.map { "- ⚠️ \(task.name): \($0)\n" } }
        guard !workflow.metrics.isEmpty || !warnings.isEmpty else { return "" }
        out += "\n## Metrics\n\n"
        if !workflow.metrics.isEmpty {
            out += "| task | metric | value | previous run | change |\n|---|---|---|---|---|\n"
            for metric in workflow.metrics {
                let value = metric.value.map { MetricChange.format($0) } ?? "not run yet"
                let previous = metric.previous.map { MetricChange.format($0) + (metric.previousCommit.map { " (`\($0.prefix(7))`)" } ?? "") } ?? "—"
                let change = metric.change.map { MetricChange.format($0, signed: true) } ?? "—"
                out += "| \(metric.task) | \(metric.name) | \(value) | \(previous) | \(change) |\n"
            }
        }
        if !warnings.isEmpty { out += "\n" + warnings.joined() }
        let charted = workflow.metrics.filter { $0.trend.count >= 2 }
        if !charted.isEmpty {
            out += "\n### Trend over the last \(MetricStatus.trendLength) runs\n\n"
            for metric in charted.prefix(chartLimit) { out += trendChart(metric) }
            if charted.count > chartLimit {
                out += "\n\(charted.count - chartLimit) more metrics have a trend: see `status.yaml` or `sluice metrics`.\n"
            }
        }
        return out
    }

    /// One line chart; x is each run's source commit, y spans the values with a margin so a flat line is visible.
    static func trendChart(_ metric: MetricStatus) -> String {
        let values = metric.trend.map(\.value)
        let low = values.min() ?? 0, high = values.max() ?? 0
        let margin = high > low ? (high - low) * 0.1 : max(abs(high) * 0.1, 1)
        let labels = metric.trend.map { "\"\($0.commit.prefix(7))\"" }.joined(separator: ", ")
        var out = "```mermaid\nxychart-beta\n"
        out += "    title \"\(metric.task): \(metric.name)\"\n"
        out += "    x-axis [\(labels)]\n"
        out += "    y-axis \"\(metric.name)\" \(MetricChange.format(low - margin)) --> \(MetricChange.format(high + margin))\n"
        out += "    line [\(values.map { MetricChange.format($0) }.joined(separator: ", "))]\n"
        return out + "```\n"
    }
}
