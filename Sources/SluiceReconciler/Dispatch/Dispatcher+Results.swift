import Foundation
import Logging
import SluiceExecution
import SluiceStore

extension Dispatcher {
    /// Looks at one unfinished attempt: adopts it when it runs, records its end, or starts it when it was recorded and
    /// never started (a controller killed in the launch window). Never started is not a failure and uses no retry.
    func look(at id: Int64) throws {
        guard var entry = running[id] else { return }
        let attempt = entry.attempt
        let handle = handle(attempt)
        switch executor.status(of: handle) {
        case .running(let pid):
            if attempt.startedAt == nil, pid > 0 {
                entry.attempt = try store.markStarted(attempt.id, supervisorPID: pid, node: attempt.node, at: Date())
                running[id] = entry
                if let position = entry.task { recordAttempt(entry.attempt, task: position) }
            }
            // After a restart this is how the end of an adopted attempt reaches us; the watcher keeps one watch per pid.
            executor.watch(handle)
        case .notStarted:
            try startUnclaimed(&entry)
        case .finished(let result):
            try finish(entry, result: result)
        case .lost(let reason):
            // The task's process group may have outlived its supervisor: stop it before a retry runs beside it.
            executor.cancel(handle)
            try record(entry, phase: .failed, exitCode: nil, message: "supervisor lost: \(reason)", at: Date())
            logger.warning("attempt lost", metadata: metadata(attempt).merging(["reason": "\(reason)"]) { $1 })
        }
    }

    /// Starts an attempt no supervisor claimed, with the spec it was recorded with (rebuilt when the engine died
    /// before writing it). One whose supervisor keeps exiting without claiming it fails, rather than loop.
    private func startUnclaimed(_ entry: inout Running) throws {
        let attempt = entry.attempt
        let position = entry.task
        guard entry.unclaimedStarts < 3, let position, !stopping.keys.contains(attempt.id) else {
            let message = position == nil ? "never started, and no longer desired" : "never started: its supervisor exited 3 times without claiming it"
            try record(entry, phase: .cancelled, exitCode: nil, message: message, at: Date())
            return
        }
        entry.unclaimedStarts += 1
        running[attempt.id] = entry
        let task = context.tasks[position]
        logger.info("starting an attempt recorded but never started", metadata: metadata(attempt))
        do {
            let spec = try launcher.spec(for: task, attempt: attempt, gpus: entry.gpus, workingDirectory: try context.checkouts.folder(for: task.workflow.commit))
            try executor.start(spec, for: handle(attempt))
        } catch {
            logger.error("cannot start an attempt", metadata: metadata(attempt).merging(["error": "\(error)"]) { $1 })
            try record(entry, phase: .failed, exitCode: nil, message: "could not start: \(error)", at: Date())
        }
    }

    private func finish(_ entry: Running, result: AttemptResult) throws {
        var entry = entry
        if entry.attempt.startedAt == nil, let pid = result.supervisorPID {
            // Started while no engine watched (or by a restart): its start is recorded with its end.
            entry.attempt = try store.markStarted(entry.attempt.id, supervisorPID: pid, node: entry.attempt.node, at: result.startedAt)
        }
        let attempt = entry.attempt
        if let wasHealthy = stopping[attempt.id] {
            stopping[attempt.id] = nil
            let address = LaunchedSpec.read(attempt.attemptPath)?.port.map { "http://127.0.0.1:\($0)" } ?? "its process"
            try record(entry, phase: wasHealthy ? .succeeded : .failed, exitCode: nil,
                       message: wasHealthy ? "was healthy at \(address); stopped when apply ended (`sluice controller` keeps services up)"
                                           : "stopped when apply ended before it was healthy", at: Date())
            return
        }
        if retiring.remove(attempt.id) != nil {
            try record(entry, phase: .succeeded, exitCode: result.exitCode, message: "retired: a newer version is healthy", at: result.endedAt)
            observer(.retired(workflow: attempt.workflow, task: attempt.task, attempt: attempt.number))
            return
        }
        let phase: AttemptPhase = result.timedOut ? .timedOut : result.cancelled ? .cancelled : result.succeeded ? .succeeded : .failed
        let servicePhase: AttemptPhase = result.cancelled ? .cancelled : .failed
        try record(entry, phase: attempt.isService ? servicePhase : phase, exitCode: result.exitCode,
                   message: result.succeeded && !attempt.isService ? nil : result.summary, at: result.endedAt)
        if phase == .succeeded, !attempt.isService, let position = entry.task {
            try recordMetrics(of: attempt, declared: context.tasks[position].task.metrics)
        }
        let took = result.endedAt.timeIntervalSince(result.startedAt)
        logger.debug("attempt ended", metadata: metadata(attempt).merging(["result": "\(result.summary)", "seconds": "\(took)"]) { $1 })
        if let position = entry.task, !attempt.isService {
            let predicted = context.tasks[position].predicted
            if abs(took - predicted) > max(0.5 * predicted, configuration.replanThreshold) { report.surprised = true }
        }
        if attempt.isService {
            observer(.failed(workflow: attempt.workflow, task: attempt.task, summary: "service ended: \(result.summary)", attempt: attempt.number, retryIn: nil))
        } else if result.succeeded {
            observer(.succeeded(workflow: attempt.workflow, task: attempt.task, duration: took))
        } else {
            observer(.failed(workflow: attempt.workflow, task: attempt.task, summary: result.summary, attempt: attempt.number, retryIn: nil))
        }
    }

    /// Reads and stores the metrics files of a succeeded attempt, in the burst that records its end.
    func recordMetrics(of attempt: Attempt, declared paths: [String]) throws {
        guard !paths.isEmpty else { return }
        let collected = MetricsCollector.collect(paths, outputFolder: attempt.outputPath)
        try store.recordMetrics(attemptID: attempt.id, values: collected.values, warning: collected.warning)
        if let warning = collected.warning {
            logger.warning("metrics", metadata: metadata(attempt).merging(["problem": "\(warning)"]) { $1 })
        }
    }

    /// Ends an attempt that could not be submitted as failed (it counts as a try, like any failed start).
    func abandon(_ id: Int64, message: String) throws {
        guard let entry = running[id] else { return }
        // Whatever the failed start may have left running (a cluster job taken after all) must not run beside a retry.
        executor.cancel(handle(entry.attempt))
        try record(entry, phase: .failed, exitCode: nil, message: message, at: Date())
    }

    /// Records the end of an attempt, gives back what it held, and marks its task for a new look.
    private func record(_ entry: Running, phase: AttemptPhase, exitCode: Int32?, message: String?, at time: Date) throws {
        let ended = try store.markFinished(entry.attempt.id, phase: phase, exitCode: exitCode, message: message, at: time)
        running[entry.attempt.id] = nil
        stopping[entry.attempt.id] = nil
        retiring.remove(entry.attempt.id)
        runningFingerprints[entry.attempt.fingerprint, default: 1] -= 1
        if runningFingerprints[entry.attempt.fingerprint] == 0 { runningFingerprints[entry.attempt.fingerprint] = nil }
        healthy.remove(entry.attempt.id)
        release(entry)
        report.changed = true
        // Also when no desired task owns it (a preview whose branch moved): its outputs are there for any twin.
        if ended.phase == .succeeded { succeededFingerprints.insert(ended.fingerprint) }
        if let position = entry.task {
            recordAttempt(ended, task: position)
            markDirty(position)
        }
    }

    func metadata(_ attempt: Attempt) -> Logger.Metadata {
        ["workflow": "\(attempt.workflow)", "task": "\(attempt.task)", "attempt": "\(attempt.id)"]
    }
}
