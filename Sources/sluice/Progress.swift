import Foundation
import SluiceModel
import SluiceReconciler

/// Prints a pass's progress. On a terminal: one line per task, redrawn in place, a running task's elapsed time against
/// its estimate ticking every second, and a last line with how much of the pass is done. Otherwise (a CI log, a pipe):
/// each event once, as a plain line with its UTC time, and the count of tasks done on the lines that end one.
final class Progress: @unchecked Sendable {
    private let output: FileHandle
    private let live: Bool
    private let lock = NSLock()
    private var order: [String] = []
    private var lines: [String: String] = [:]
    private var drawn = 0
    /// Tasks the plan gives work to, and those of them that have ended for this pass.
    private var pending = Set<String>()
    private var ended = Set<String>()
    /// The optimizer's estimate of each task's duration, from the plan's schedule.
    private var estimates: [String: Double] = [:]
    /// Batch tasks running now: when they started and on which node, for the ticking elapsed time.
    private var running: [String: (since: Date, node: String, attempt: Int)] = [:]
    private var ticker: DispatchSourceTimer?

    /// Redrawn in place when `output` is a terminal (and `TERM` is not `dumb`), plain lines otherwise.
    init(to output: FileHandle = .standardOutput) {
        self.output = output
        live = isatty(output.fileDescriptor) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    deinit { ticker?.cancel() }

    var observer: PassObserver { { [self] event in self.handle(event) } }

    private func handle(_ event: PassEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .planned(let plan):
            for schedule in plan.schedules {
                for task in schedule.tasks { estimates["\(task.workflow)/\(task.task)"] = task.end - task.start }
            }
            for workflow in plan.workflows {
                for error in workflow.errors { emit(nil, "! \(error)") }
                for task in workflow.tasks where task.action != .upToDate {
                    let key = "\(workflow.name)/\(task.name)"
                    if ![.cancel, .prune, .stop, .suspended].contains(task.action) { pending.insert(key) }
                    emit(key, "· \(key)  \(task.action.label): \(task.reason)")
                }
            }
            for error in plan.errors { emit(nil, "! \(error)") }
        case .started(let workflow, let task, let attempt, let node):
            let key = "\(workflow)/\(task)"
            running[key] = (Date(), node, attempt)
            emit(key, runningLine(key))
            startTicking()
        case .succeeded(let workflow, let task, let duration):
            let key = finish("\(workflow)/\(task)")
            let estimate = estimates[key].map { " (estimate \(Durations.format($0)))" } ?? ""
            emit(key, "✔ \(key)  succeeded in \(Durations.format(duration))\(estimate)\(count)")
        case .failed(let workflow, let task, let summary, let attempt, let retryIn):
            let key = "\(workflow)/\(task)"
            running[key] = nil
            if retryIn == nil { ended.insert(key) }
            let retry = retryIn.map { "; retrying in \(Durations.format($0))" } ?? ""
            emit(key, "✘ \(key)  attempt \(attempt) failed: \(summary)\(retry)\(retryIn == nil ? count : "")")
        case .skipped(let workflow, let task, let reason):
            let key = finish("\(workflow)/\(task)")
            emit(key, "⏭ \(key)  skipped: \(reason)\(count)")
        case .cached(let workflow, let task):
            let key = finish("\(workflow)/\(task)")
            emit(key, "♻ \(key)  cache hit: earlier outputs reused\(count)")
        case .serviceHealthy(let workflow, let task, let address):
            let key = finish("\(workflow)/\(task)")
            emit(key, "● \(key)  healthy at \(address)\(count)")
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

    /// Marks a task's work in this pass as ended; returns its key.
    private func finish(_ key: String) -> String {
        running[key] = nil
        ended.insert(key)
        return key
    }

    /// `  (3/7 done)` on the lines that end a task, so a log says how far the pass is.
    private var count: String {
        pending.isEmpty ? "" : "  (\(ended.intersection(pending).count)/\(pending.count) done)"
    }

    private func runningLine(_ key: String) -> String {
        guard let run = running[key] else { return lines[key] ?? "" }
        let again = run.attempt > 1 ? " (attempt \(run.attempt))" : ""
        guard live else { return "▶ \(key)  running on \(run.node)\(again)" }
        let elapsed = Durations.format(Date().timeIntervalSince(run.since).rounded(.down))
        let estimate = estimates[key].map { " of ~\(Durations.format($0))" } ?? ""
        return "▶ \(key)  running on \(run.node)\(again) · \(elapsed)\(estimate)"
    }

    /// On a terminal, the running lines are redrawn every second while anything runs.
    private func startTicking() {
        guard live, ticker == nil else { return }
        let ticker = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "sluice.progress"))
        ticker.schedule(deadline: .now() + 1, repeating: 1)
        ticker.setEventHandler { [weak self] in self?.tick() }
        ticker.resume()
        self.ticker = ticker
    }

    private func tick() {
        lock.lock()
        defer { lock.unlock() }
        guard !running.isEmpty else { return }
        for key in running.keys { lines[key] = runningLine(key) }
        redraw()
    }

    /// On a terminal a keyed line replaces its earlier version; otherwise every line is printed once, in order.
    private func emit(_ key: String?, _ line: String) {
        guard live else {
            // Unbuffered, so progress shows up at once even when piped.
            output.write(Data("\(Timestamps.seconds(Date())) \(line)\n".utf8))
            return
        }
        let key = key ?? "#\(order.count)"
        if lines[key] == nil { order.append(key) }
        lines[key] = line
        redraw()
    }

    private func redraw() {
        var out = drawn > 0 ? "\u{1B}[\(drawn)A" : ""
        for key in order { out += "\u{1B}[2K" + lines[key]! + "\n" }
        var shown = order.count
        if !pending.isEmpty {
            let done = ended.intersection(pending).count
            out += "\u{1B}[2K\(done) of \(pending.count) task\(pending.count == 1 ? "" : "s") done" + (running.isEmpty ? "" : ", \(running.count) running") + "\n"
            shown += 1
        }
        drawn = shown
        output.write(Data(out.utf8))
    }
}
