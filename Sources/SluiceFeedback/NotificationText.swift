import Foundation

/// The `text` of a notification: a headline such as
/// `:x: customer-service failed at abc1234 (Fix tokenizer): train failed: exit code 1`, the link on the next line,
/// and the end of each failed task's log in a code block, all within what chat webhooks show in full.
struct NotificationText {
    /// Slack cuts a message's text at 4,000 characters and Mattermost folds long ones; 3,000 leaves room for both.
    static let limit = 3_000
    static let headlineLimit = 600
    static let summaryLimit = 100
    static let linkLimit = 500
    static let linesPerLog = 20
    /// A code block with less room than this would show too little to help; the ones after it are left out.
    static let smallestLog = 80

    let notification: WorkflowNotification

    init(_ notification: WorkflowNotification) {
        self.notification = notification
    }

    func render() -> String {
        var text = headline.cut(to: Self.headlineLimit)
        if let link = notification.link { text += "\n" + link.cut(to: Self.linkLimit) }
        for failed in notification.failedTasks {
            guard let tail = failed.logTail, tail.contains(where: { !$0.isWhitespace }) else { continue }
            let opening = "\n\(failed.task.cut(to: 100)):\n```\n", closing = "\n```"
            let room = Self.limit - text.count - opening.count - closing.count
            guard room >= Self.smallestLog else { break }
            text += opening + Self.end(of: tail, fitting: room) + closing
        }
        return text
    }

    /// One line: what happened, to which commit, and why.
    var headline: String {
        let n = notification
        var line = switch n.event {
        case "workflow.failed": ":x: \(n.workflow) failed"
        case "workflow.recovered": ":white_check_mark: \(n.workflow) recovered"
        case "workflow.succeeded": ":white_check_mark: \(n.workflow) succeeded"
        case "service.unhealthy": ":warning: \(n.workflow): service \(n.task ?? "unknown") is unhealthy"
        default: ":information_source: \(n.workflow) is \(n.phase)"
        }
        if let commit = n.commit {
            line += " at \(commit.prefix(7))"
            if let summary = n.commitSummary { line += " (\(summary.cut(to: Self.summaryLimit)))" }
        }
        let failures = n.failedTasks.map { $0.task + " failed" + ($0.message.map { ": " + $0 } ?? "") }
        if !failures.isEmpty {
            line += ": " + failures.joined(separator: "; ")
        } else if let reason = n.reason {
            line += ": " + reason
        }
        return String(line.map { $0.isNewline ? " " : $0 })
    }

    /// The last lines of `log` that fit in `room` characters: where a task's log says why it ended.
    static func end(of log: String, fitting room: Int) -> String {
        // A fence inside the log would close the block early.
        let log = log.replacingOccurrences(of: "```", with: "'''")
        var lines = log.split(separator: "\n", omittingEmptySubsequences: false)
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        var kept: [Substring] = []
        var size = 0
        for line in lines.suffix(linesPerLog).reversed() {
            let cost = line.count + (kept.isEmpty ? 0 : 1)
            guard size + cost <= room else { break }
            kept.append(line)
            size += cost
        }
        guard !kept.isEmpty else {
            // The last line alone is too long: its end, where a message usually says the most.
            return "…" + String((lines.last ?? "").suffix(room - 1))
        }
        return kept.reversed().joined(separator: "\n")
    }
}
