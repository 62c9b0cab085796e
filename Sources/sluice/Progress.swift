import Foundation
import SluiceModel
import SluiceReconciler

/// Prints a pass's progress: on a terminal one live line per task, redrawn in place; otherwise plain lines.
final class Progress: @unchecked Sendable {
    private let live: Bool
    private let lock = NSLock()
    private var order: [String] = []
    private var lines: [String: String] = [:]
    private var drawn = 0

    init(live: Bool = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb") {
        self.live = live
    }

    var observer: PassObserver { { [self] event in self.handle(event) } }

    private func handle(_ event: PassEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .planned(let plan):
            for workflow in plan.workflows {
                for error in workflow.errors { emit(nil, "! \(error)") }
                for task in workflow.tasks where task.action != .upToDate {
                    emit("\(workflow.name)/\(task.name)", "· \(workflow.name)/\(task.name)  \(task.action.label): \(task.reason)")
                }
            }
            for error in plan.errors { emit(nil, "! \(error)") }
        case .started(let workflow, let task, let attempt, let node):
            emit("\(workflow)/\(task)", "▶ \(workflow)/\(task)  running on \(node)" + (attempt > 1 ? " (attempt \(attempt))" : ""))
        case .succeeded(let workflow, let task, let duration):
            emit("\(workflow)/\(task)", "✔ \(workflow)/\(task)  succeeded in \(Durations.format(duration))")
        case .failed(let workflow, let task, let summary, let attempt, let retryIn):
            let retry = retryIn.map { "; retrying in \(Durations.format($0))" } ?? ""
            emit("\(workflow)/\(task)", "✘ \(workflow)/\(task)  attempt \(attempt) failed: \(summary)\(retry)")
        case .skipped(let workflow, let task, let reason):
            emit("\(workflow)/\(task)", "⏭ \(workflow)/\(task)  skipped: \(reason)")
        case .cached(let workflow, let task):
            emit("\(workflow)/\(task)", "♻ \(workflow)/\(task)  cache hit: earlier outputs reused")
        case .serviceHealthy(let workflow, let task, let address):
            emit("\(workflow)/\(task)", "● \(workflow)/\(task)  healthy at \(address)")
        case .serviceUnhealthy(let workflow, let task, let reason):
            emit("\(workflow)/\(task)", "✘ \(workflow)/\(task)  \(reason)")
        case .retired(let workflow, let task, let attempt):
            emit("\(workflow)/\(task)#\(attempt)", "↻ \(workflow)/\(task)  attempt \(attempt) retired: a newer version is healthy")
        case .statusCommitted(let commit):
            emit(nil, "⇢ status commit \(commit.short) on sluice/status")
        case .fetched, .passFinished, .summary, .statuses:
            break
        }
    }

    /// On a terminal a keyed line replaces its earlier version; otherwise every line is printed once, in order.
    private func emit(_ key: String?, _ line: String) {
        guard live else {
            // Unbuffered, so progress shows up at once even when piped.
            Output.line(line)
            return
        }
        let key = key ?? "#\(order.count)"
        if lines[key] == nil { order.append(key) }
        lines[key] = line
        var out = drawn > 0 ? "\u{1B}[\(drawn)A" : ""
        for key in order { out += "\u{1B}[2K" + lines[key]! + "\n" }
        drawn = order.count
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}
