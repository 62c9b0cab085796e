import Foundation
import SluiceExecution
import SluiceModel
import SluiceStore

/// What one step saw and did.
struct StepReport {
    /// Attempts are running or waiting to run (services that are up and healthy do not count).
    var inProgress = false
    /// Something was recorded in the store: the status should be written.
    var changed = false
    /// Tasks that failed for good, or were skipped, in this generation.
    var failed: [String] = []
    /// Healthy services by `workflow/task`, with their address.
    var services: [String: String] = [:]
    /// An attempt ended far from its prediction: what has not started should be re-optimized.
    var surprised = false
}

/// One level-triggered step of a pass: it reads the desired tasks and the store, and does what is missing —
/// takes finished results in, starts ready tasks where capacity allows, retries, skips, checks services.
/// Everything it knows comes from the store and the attempt folders, so a step after a crash continues
/// where the last one stopped, and a task is never started twice.
struct ReconcileStep {
    let store: Store
    let executor: LocalExecutor
    let layout: StateLayout
    let configuration: ReconcilerConfiguration
    let observer: PassObserver
    /// Services that have passed their health check, by attempt id: kept across steps by the caller.
    var healthy: Set<Int64>
    /// Fingerprints with a success, read at most once per step: steps run every few milliseconds while work runs.
    private var succeededFingerprints: Set<String>?
    /// When each attempt first looked lost. An attempt is only declared lost (and so retried) once it has looked lost
    /// for a while: a misread of the process table must never make a task run twice.
    private var lostSince: [Int64: Date] = [:]
    /// When each healthy service first failed a check: one missed check on a busy machine is not an outage.
    private var unhealthySince: [Int64: Date] = [:]

    init(store: Store, executor: LocalExecutor, layout: StateLayout, configuration: ReconcilerConfiguration,
         observer: @escaping PassObserver, healthy: Set<Int64>) {
        self.store = store
        self.executor = executor
        self.layout = layout
        self.configuration = configuration
        self.observer = observer
        self.healthy = healthy
    }

    mutating func run(_ context: PassContext, now: Date = Date()) throws -> StepReport {
        var report = StepReport()
        succeededFingerprints = nil
        try collectResults(context, &report)
        var ledger = try occupiedLedger(context)
        var satisfied = Set<String>(), failed = [String: String]()
        // Two queries per workflow, not per task: a step runs every few milliseconds while work runs.
        var current: [String: [Attempt]] = [:], newest: [String: Attempt] = [:]
        for workflow in Set(context.tasks.map(\.workflow.name)) {
            let fingerprints = Set(context.tasks.filter { $0.workflow.name == workflow }.map(\.fingerprint))
            for attempt in try store.attempts(workflow: workflow, fingerprints: fingerprints) {
                current["\(workflow)/\(attempt.task)", default: []].append(attempt)
            }
            for attempt in try store.latestAttempts(workflow: workflow) { newest["\(workflow)/\(attempt.task)"] = attempt }
        }
        // Tasks come in dependency order within each workflow, so a need is classified before what needs it.
        for task in context.tasks {
            let attempts = (current[task.key] ?? []).filter { $0.fingerprint == task.fingerprint }
            let counted = attempts.filter { counts($0, scope: context.retryScope, commit: task.workflow.commit.hex) }
            if let need = task.task.needs.first(where: { failed["\(task.workflow.name)/\($0)"] != nil }) {
                let why = "upstream \(need) " + (failed["\(task.workflow.name)/\(need)"] == "skipped" ? "was skipped" : "failed")
                failed[task.key] = "skipped"
                if counted.last?.phase != .skipped {
                    try store.createAttempt(task.newAttempt(passID: context.passID, layout: layout, phase: .skipped, message: why), at: now)
                    observer(.skipped(workflow: task.workflow.name, task: task.task.name, reason: why))
                    report.changed = true
                }
                report.failed.append(task.key)
                continue
            }
            switch try progress(of: task, attempts: attempts, counted: counted, newest: newest[task.key], context: context, now: now, report: &report) {
            case .satisfied: satisfied.insert(task.key)
            case .failed: failed[task.key] = "failed"; report.failed.append(task.key)
            case .busy: report.inProgress = true
            case .ready:
                report.inProgress = true
                guard task.task.needs.allSatisfy({ satisfied.contains("\(task.workflow.name)/\($0)") || !context.isTask(task.workflow.name, $0) }) else { continue }
                if try start(task, context: context, ledger: &ledger, now: now) { report.changed = true }
            }
        }
        return report
    }

    enum Progress { case satisfied, failed, busy, ready }

    private func counts(_ attempt: Attempt, scope: RetryScope, commit: String) -> Bool {
        switch scope {
        case .pass(let id): attempt.passID == id
        case .commit: attempt.commit == commit
        }
    }

    private mutating func progress(of task: DesiredTask, attempts: [Attempt], counted: [Attempt], newest: Attempt?,
                                   context: PassContext, now: Date, report: inout StepReport) throws -> Progress {
        if attempts.contains(where: { $0.phase == .succeeded || $0.phase == .cached }) && !task.task.kind.isService {
            // Back at a fingerprint that ran before (a revert): record the reuse, so the task's latest row is current.
            if newest?.fingerprint != task.fingerprint { try recordCacheHit(task, context: context, now: now, report: &report) }
            return .satisfied
        }
        if let running = attempts.last(where: { !$0.phase.isFinal }) {
            guard task.task.kind.isService else { return .busy }
            return try serviceProgress(task, running, now: now, report: &report)
        }
        if task.task.kind.isService, !configuration.servicesStayUp, attempts.contains(where: { $0.phase == .succeeded }) {
            return .satisfied
        }
        // A fingerprint that succeeded in any workflow, at any time, has its outputs: reuse them.
        if !task.task.kind.isService, attempts.isEmpty || attempts.allSatisfy({ $0.phase == .skipped }),
           try hasSucceeded(task.fingerprint) {
            try recordCacheHit(task, context: context, now: now, report: &report)
            return .satisfied
        }
        let failures = counted.filter { [.failed, .timedOut, .cancelled].contains($0.phase) }
        if failures.count >= task.maxAttempts && !task.task.kind.isService { return .failed }
        if let last = failures.last, let ended = last.endedAt {
            let delay = min(configuration.retryBaseDelay * pow(2, Double(max(failures.count - 1, 0))), configuration.maxRetryDelay)
            if ended.addingTimeInterval(delay) > now { return .busy }
        }
        return .ready
    }

    private mutating func hasSucceeded(_ fingerprint: String) throws -> Bool {
        if succeededFingerprints == nil { succeededFingerprints = try store.succeededFingerprints() }
        return succeededFingerprints!.contains(fingerprint)
    }

    private func recordCacheHit(_ task: DesiredTask, context: PassContext, now: Date, report: inout StepReport) throws {
        try store.createAttempt(task.newAttempt(passID: context.passID, layout: layout, phase: .cached,
                                                message: "outputs of an earlier run at this fingerprint reused"), at: now)
        observer(.cached(workflow: task.workflow.name, task: task.task.name))
        report.changed = true
    }

    /// A running service: healthy satisfies what needs it; one that never becomes healthy, or stops being so, is cancelled
    /// and started again with back-off. Older versions of a rolled service stop once the new one is healthy.
    private mutating func serviceProgress(_ task: DesiredTask, _ running: Attempt, now: Date, report: inout StepReport) throws -> Progress {
        guard let spec = LaunchedSpec.read(running.attemptPath) else { return .busy }
        let isHealthy: Bool
        switch task.task.kind {
        case .service(let service):
            switch service.health {
            case .process: isHealthy = now.timeIntervalSince(running.startedAt ?? now) >= configuration.processHealthGrace
            case .tcp: isHealthy = spec.port.map { ServiceProbe.isHealthy(port: $0, path: nil) } ?? false
            case .http(let path): isHealthy = spec.port.map { ServiceProbe.isHealthy(port: $0, path: path) } ?? false
            }
        case .batch: isHealthy = true
        }
        let address = spec.port.map { "http://127.0.0.1:\($0)" } ?? "pid \(running.supervisorPID ?? 0)"
        if isHealthy {
            unhealthySince[running.id] = nil
            if healthy.insert(running.id).inserted {
                try store.recordEvent(workflow: task.workflow.name, task: task.task.name, attemptID: running.id, kind: "healthy",
                                      message: "healthy at \(address)", at: now)
                observer(.serviceHealthy(workflow: task.workflow.name, task: task.task.name, address: address))
                try stopOlderVersions(of: task, keeping: running.id, now: now)
                report.changed = true
            }
            report.services[task.key] = address
            return .satisfied
        }
        let wasHealthy = healthy.contains(running.id)
        if wasHealthy {
            // Keep counting it healthy until it has failed its checks for a while.
            let since = unhealthySince[running.id] ?? now
            unhealthySince[running.id] = since
            if now.timeIntervalSince(since) < configuration.unhealthyGrace {
                report.services[task.key] = address
                return .satisfied
            }
            unhealthySince[running.id] = nil
        }
        if wasHealthy || now.timeIntervalSince(running.startedAt ?? now) > configuration.serviceStartTimeout {
            healthy.remove(running.id)
            executor.cancel(running.attemptPath)
            let reason = wasHealthy ? "stopped answering its health check" : "not healthy after \(Durations.format(configuration.serviceStartTimeout))"
            try store.recordEvent(workflow: task.workflow.name, task: task.task.name, attemptID: running.id, kind: "unhealthy", message: reason, at: now)
            observer(.serviceUnhealthy(workflow: task.workflow.name, task: task.task.name, reason: reason))
        }
        return .busy
    }

    private func stopOlderVersions(of task: DesiredTask, keeping id: Int64, now: Date) throws {
        for attempt in try store.unfinishedAttempts()
        where attempt.workflow == task.workflow.name && attempt.task == task.task.name && attempt.id != id {
            executor.cancel(attempt.attemptPath)
        }
    }

    /// Takes in the results of attempts that ended (whenever they ended: this step, or while nobody watched).
    private mutating func collectResults(_ context: PassContext, _ report: inout StepReport) throws {
        for attempt in try store.unfinishedAttempts() {
            switch executor.status(of: attempt.attemptPath) {
            case .running(let pid):
                // Started by a pass that died before it could record the start: adopt it.
                if attempt.startedAt == nil { try store.markStarted(attempt.id, supervisorPID: pid, node: attempt.node, at: Date()) }
                continue
            case .finished(let result):
                let phase: AttemptPhase = result.timedOut ? .timedOut : result.cancelled ? .cancelled : result.succeeded ? .succeeded : .failed
                let servicePhase: AttemptPhase = result.cancelled ? .cancelled : .failed
                try store.markFinished(attempt.id, phase: attempt.isService ? servicePhase : phase, exitCode: result.exitCode,
                                       message: result.succeeded && !attempt.isService ? nil : result.summary, at: result.endedAt)
                report.changed = true
                let took = result.endedAt.timeIntervalSince(result.startedAt)
                if let predicted = context.tasks.first(where: { $0.workflow.name == attempt.workflow && $0.task.name == attempt.task })?.predicted,
                   !attempt.isService, abs(took - predicted) > max(0.5 * predicted, configuration.replanThreshold) {
                    report.surprised = true
                }
                if attempt.isService {
                    observer(.failed(workflow: attempt.workflow, task: attempt.task, summary: "service ended: \(result.summary)", attempt: attempt.number, retryIn: nil))
                } else if result.succeeded {
                    observer(.succeeded(workflow: attempt.workflow, task: attempt.task, duration: result.endedAt.timeIntervalSince(result.startedAt)))
                } else {
                    observer(.failed(workflow: attempt.workflow, task: attempt.task, summary: result.summary, attempt: attempt.number, retryIn: nil))
                }
            case .lost(let reason):
                let since = lostSince[attempt.id] ?? Date()
                lostSince[attempt.id] = since
                guard Date().timeIntervalSince(since) >= configuration.lostConfirmation else { report.inProgress = true; continue }
                lostSince[attempt.id] = nil
                let neverStarted = attempt.startedAt == nil
                try store.markFinished(attempt.id, phase: neverStarted ? .cancelled : .failed, exitCode: nil,
                                       message: neverStarted ? "never started" : "supervisor lost: \(reason)", at: Date())
                report.changed = true
            }
        }
    }

    /// Capacity taken by every attempt still running, whatever pass started it.
    private func occupiedLedger(_ context: PassContext) throws -> CapacityLedger {
        var capacities: [String: [String: Double]] = [:]
        for pool in context.desired.manifests.pools {
            for node in pool.nodes { capacities[nodeKey(pool.name, node.name)] = node.capacity.amounts }
        }
        var ledger = CapacityLedger(capacities: capacities)
        let pools = Dictionary(context.desired.workflows.map { ($0.name, $0.pool.name) }, uniquingKeysWith: { first, _ in first })
        for attempt in try store.unfinishedAttempts() {
            guard let pool = pools[attempt.workflow], let node = attempt.node,
                  let inputs = try? JSONDecoder().decode(FingerprintInputs.self, from: Data(attempt.inputsJSON.utf8)) else { continue }
            ledger.occupy(inputs.resources, on: nodeKey(pool, node), gpus: LaunchedSpec.read(attempt.attemptPath)?.gpus ?? [])
        }
        return ledger
    }

    private func start(_ task: DesiredTask, context: PassContext, ledger: inout CapacityLedger, now: Date) throws -> Bool {
        let demand = task.task.resources.amounts
        let nodes = task.workflow.pool.nodes.map(\.name).sorted { a, _ in a == task.plannedNode }
        guard let node = nodes.first(where: { ledger.canPlace(demand, on: nodeKey(task.workflow.pool.name, $0)) }),
              let gpus = ledger.reserve(demand, on: nodeKey(task.workflow.pool.name, node), gpuCount: Int(task.task.resources["gpu"])) else {
            return false
        }
        let launcher = AttemptLauncher(store: store, executor: executor, layout: layout)
        do {
            let attempt = try launcher.launch(task, passID: context.passID, node: node, gpus: gpus,
                                              workingDirectory: context.workingDirectories[task.workflow.name]!)
            observer(.started(workflow: task.workflow.name, task: task.task.name, attempt: attempt.number, node: node))
        } catch {
            observer(.failed(workflow: task.workflow.name, task: task.task.name, summary: "could not start: \(error)", attempt: 0, retryIn: nil))
            throw error
        }
        return true
    }

    private func nodeKey(_ pool: String, _ node: String) -> String { "\(pool)/\(node)" }
}

extension PassContext {
    func isTask(_ workflow: String, _ task: String) -> Bool {
        tasks.contains { $0.workflow.name == workflow && $0.task.name == task }
    }
}
