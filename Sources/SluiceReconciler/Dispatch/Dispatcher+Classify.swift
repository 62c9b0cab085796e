import Foundation
import SluiceExecution
import SluiceStore

/// Classifying a task: what its attempts at its fingerprint, its needs, its secrets and its workflow's suspension say
/// it is now (ready, busy, satisfied, failed, skipped or held).
extension Dispatcher {
    func evaluate(_ position: Int, now: Date) throws {
        let task = context.tasks[position]
        let current = attempts[position]
        let counted = current.filter { counts($0, commit: task.workflow.commit.hex) }
        if let need = task.task.needs.first(where: { index["\(task.workflow.name)/\($0)"].map { [.failed, .skipped].contains(states[$0]) } ?? false }) {
            let upstream = states[index["\(task.workflow.name)/\(need)"]!]
            try skip(position, why: "upstream \(need) " + (upstream == .skipped ? "was skipped" : "failed"), counted: counted, now: now)
            return
        }
        let state = try progress(of: position, current: current, counted: counted, now: now)
        if state == .ready, task.workflow.workflow.suspend {
            removeWaiting(position)
            setState(position, .held)
            return
        }
        // A secret is looked for when the task could start, so one added meanwhile is found by the next pass.
        if state == .ready, !task.task.secrets.isEmpty, let missing = SecretsFolder(path: configuration.secretsDirectory).problem(for: task.task) {
            logger.error("a secret is missing", metadata: ["workflow": "\(task.workflow.name)", "task": "\(task.task.name)", "error": "\(missing)"])
            missingSecrets.insert(task.key)
            try skip(position, why: missing, counted: counted, now: now)
            return
        }
        if state == .ready {
            let needsDone = task.task.needs.allSatisfy { need in index["\(task.workflow.name)/\(need)"].map { states[$0] == .satisfied } ?? true }
            if needsDone {
                insertWaiting(position)
                setState(position, .ready)
            } else {
                // A need it was queued with may have stopped being satisfied (a service that became unhealthy).
                removeWaiting(position)
                setState(position, .waitingForNeeds)
            }
            return
        }
        removeWaiting(position)
        setState(position, state)
    }

    /// Not run, with a reason recorded once (until something else is recorded for the task).
    private func skip(_ position: Int, why: String, counted: [Attempt], now: Date) throws {
        let task = context.tasks[position]
        if counted.last?.phase != .skipped || counted.last?.message != why {
            let row = try store.createAttempt(task.newAttempt(passID: context.passID, layout: layout, phase: .skipped, message: why), at: now)
            recordAttempt(row, task: position)
            observer(.skipped(workflow: task.workflow.name, task: task.task.name, reason: why))
            report.changed = true
        }
        removeWaiting(position)
        setState(position, .skipped)
    }

    private func counts(_ attempt: Attempt, commit: String) -> Bool {
        switch context.retryScope {
        case .pass(let id): attempt.passID == id
        case .commit: attempt.commit == commit
        }
    }

    private func progress(of position: Int, current: [Attempt], counted: [Attempt], now: Date) throws -> TaskState {
        let task = context.tasks[position]
        let isService = task.task.kind.isService
        if !isService && current.contains(where: { $0.phase == .succeeded || $0.phase == .cached }) {
            // Back at a fingerprint that ran before (a revert): record the reuse, so the task's latest row is current.
            if newestFingerprint[position] != task.fingerprint { try recordCacheHit(position, now: now) }
            try backfillMetrics(position)
            return .satisfied
        }
        if let unfinished = current.last(where: { !$0.phase.isFinal }) {
            guard isService else { return .busy }
            return try serviceProgress(position, unfinished, now: now)
        }
        if isService, !configuration.servicesStayUp, current.contains(where: { $0.phase == .succeeded }) { return .satisfied }
        // A fingerprint that succeeded in any workflow, at any time, has its outputs: reuse them, also after failures
        // of this task at it (a twin, or another workflow, succeeded since).
        if !isService, succeededFingerprints.contains(task.fingerprint), rerunAsked[position] == nil {
            try recordCacheHit(position, now: now)
            try backfillMetrics(position)
            return .satisfied
        }
        let failures = counted.filter { [.failed, .timedOut, .cancelled].contains($0.phase) }
        if failures.count >= task.maxAttempts && !isService { return .failed }
        if let last = failures.last, let ended = last.endedAt {
            let delay = min(configuration.retryBaseDelay * pow(2, Double(max(failures.count - 1, 0))), configuration.maxRetryDelay)
            let due = ended.addingTimeInterval(delay)
            if due > now {
                setTimer(position, at: due)
                return .busy
            }
        }
        return .ready
    }

    /// A task that declares metrics, satisfied by a run that stored none (`metrics:` was added after it ran, or a twin
    /// that declares none made the outputs): its outputs are read now, once; a missing file is stored as a warning too.
    private func backfillMetrics(_ position: Int) throws {
        let task = context.tasks[position]
        guard !task.task.metrics.isEmpty, try store.metricRun(fingerprint: task.fingerprint) == nil,
              let source = try store.newestSuccess(fingerprint: task.fingerprint) else { return }
        try recordMetrics(of: source, declared: task.task.metrics)
        report.changed = true
    }

    private func recordCacheHit(_ position: Int, now: Date) throws {
        let task = context.tasks[position]
        let row = try store.createAttempt(task.newAttempt(passID: context.passID, layout: layout, phase: .cached,
                                                          message: "outputs of an earlier run at this fingerprint reused"), at: now)
        recordAttempt(row, task: position)
        observer(.cached(workflow: task.workflow.name, task: task.task.name))
        report.changed = true
    }
}
