import Foundation
import SluiceExecution
import SluiceModel
import SluiceStore

/// Starts a pass's jobs in dependency order as capacity frees up, retries failures with back-off, skips
/// what depends on a failure, and brings services up to healthy.
struct Dispatcher {
    let store: Store
    let executor: LocalExecutor
    let layout: StateLayout
    let configuration: ReconcilerConfiguration
    let passID: Int64
    /// Workflow name → the folder its tasks run in (a checkout of its commit).
    let workingDirectories: [String: URL]
    let observer: PassObserver
    var ledger: CapacityLedger
    var jobs: [Job]
    /// Set when an attempt ended far from its prediction: the order of what has not started is re-optimized.
    private(set) var needsReplan = false
    private(set) var replans = 0

    init(store: Store, executor: LocalExecutor, layout: StateLayout, configuration: ReconcilerConfiguration, passID: Int64,
         workingDirectories: [String: URL], observer: @escaping PassObserver, jobs: [Job], pools: [ResourcePool]) {
        self.store = store
        self.executor = executor
        self.layout = layout
        self.configuration = configuration
        self.passID = passID
        self.workingDirectories = workingDirectories
        self.observer = observer
        self.jobs = jobs
        var capacities: [String: [String: Double]] = [:]
        for pool in pools {
            for node in pool.nodes { capacities[Self.nodeKey(pool.name, node.name)] = node.capacity.amounts }
        }
        ledger = CapacityLedger(capacities: capacities)
    }

    static func nodeKey(_ pool: String, _ node: String) -> String { "\(pool)/\(node)" }

    /// Runs until every job is settled. Services are left running (healthy); the caller decides when they stop.
    mutating func run() async throws {
        while !jobs.allSatisfy(\.isSettled) {
            skipJobsBehindFailures()
            if needsReplan { replan() }
            try startReadyJobs()
            try pollRunningJobs()
            try await Task.sleep(for: .milliseconds(configuration.pollMilliseconds))
        }
    }

    /// Jobs still running as services, for the caller to stop.
    var services: [(Job, RunningJob)] {
        jobs.compactMap { job in
            if case .healthy(let running) = job.state { return (job, running) }
            return nil
        }
    }

    private func job(_ workflow: String, _ task: String) -> Job? {
        jobs.first { $0.workflow.name == workflow && $0.task.name == task }
    }

    private mutating func skipJobsBehindFailures() {
        for index in jobs.indices {
            guard case .waiting = jobs[index].state else { continue }
            for need in jobs[index].task.needs {
                guard let upstream = job(jobs[index].workflow.name, need), upstream.failureReason != nil else { continue }
                let reason = "upstream \(need) " + (upstream.state.isSkipped ? "was skipped" : "failed")
                jobs[index].state = .skipped(reason)
                try? record(skipped: jobs[index], reason: reason)
                observer(.skipped(workflow: jobs[index].workflow.name, task: jobs[index].task.name, reason: reason))
                break
            }
        }
    }

    private func isReady(_ job: Job, now: Date) -> Bool {
        switch job.state {
        case .waiting: break
        case .backingOff(let until): if until > now { return false }
        default: return false
        }
        // A need that is not a job of this pass is up to date or a cache hit.
        return job.task.needs.allSatisfy { self.job(job.workflow.name, $0)?.isSatisfied ?? true }
    }

    private mutating func startReadyJobs() throws {
        let now = Date()
        // The schedule's order, not its clock: a job starts as soon as its needs are done and a node has room.
        let ready = jobs.indices.filter { isReady(jobs[$0], now: now) }.sorted { jobs[$0].plannedStart < jobs[$1].plannedStart }
        for index in ready {
            let job = jobs[index]
            let nodes = job.workflow.pool.nodes.map(\.name).sorted { a, _ in a == job.plannedNode }
                .map { Self.nodeKey(job.workflow.pool.name, $0) }
            guard let node = nodes.first(where: { ledger.canPlace(job.task.resources.amounts, on: $0) }),
                  let gpus = ledger.reserve(job.task.resources.amounts, on: node, gpuCount: Int(job.task.resources["gpu"])) else { continue }
            do {
                jobs[index].state = .running(try launch(job, node: node, gpus: gpus))
                jobs[index].attemptsMade += 1
            } catch {
                ledger.release(job.task.resources.amounts, on: node, gpus: gpus)
                jobs[index].state = .failed("could not start: \(error)")
                observer(.failed(workflow: job.workflow.name, task: job.task.name, summary: "could not start: \(error)", attempt: job.attemptsMade + 1, retryIn: nil))
            }
        }
    }

    private func launch(_ job: Job, node: String, gpus: [Int]) throws -> RunningJob {
        let output = layout.outputs(fingerprint: job.fingerprint)
        let files = FileManager.default
        // A failed attempt may have left partial outputs; every attempt starts from an empty folder.
        try? files.removeItem(at: output)
        try files.createDirectory(at: output, withIntermediateDirectories: true)
        let nodeName = String(node.split(separator: "/").last!)
        let directory = layout.attempt(workflow: job.workflow.name, task: job.task.name, fingerprint: job.fingerprint,
                                       pass: passID, try: job.attemptsMade + 1)
        try? files.removeItem(at: directory)
        var attempt = try store.createAttempt(
            job.newAttempt(passID: passID, layout: layout, phase: .pending, node: nodeName, attemptPath: directory.path), at: Date())
        var environment = job.task.env
        environment["SLUICE_OUTPUT"] = output.path
        environment["SLUICE_WORKFLOW"] = job.workflow.name
        environment["SLUICE_TASK"] = job.task.name
        environment["SLUICE_ATTEMPT"] = String(attempt.number)
        for need in job.task.needs {
            let variable = "SLUICE_INPUT_" + need.uppercased().replacingOccurrences(of: "-", with: "_")
            environment[variable] = layout.outputs(fingerprint: job.inputs.needs[need] ?? "").path
        }
        if !gpus.isEmpty { environment["CUDA_VISIBLE_DEVICES"] = gpus.map(String.init).joined(separator: ",") }
        var port: Int?
        if case .service(let service) = job.task.kind {
            port = service.port ?? ServiceProbe.freePort()
            environment["SLUICE_PORT"] = port.map(String.init)
        }
        let spec = AttemptSpec(command: job.task.kind.command, workingDirectory: workingDirectories[job.workflow.name]!.path,
                               environment: environment, timeout: job.task.kind.isService ? nil : job.task.timeout)
        let pid = try executor.start(spec, in: directory.path)
        attempt = try store.markStarted(attempt.id, supervisorPID: pid, node: nodeName, at: Date())
        observer(.started(workflow: job.workflow.name, task: job.task.name, attempt: attempt.number, node: nodeName))
        return RunningJob(attemptID: attempt.id, number: attempt.number, directory: directory, node: node, gpus: gpus,
                          port: port, startedAt: Date())
    }

    private mutating func pollRunningJobs() throws {
        for index in jobs.indices {
            guard case .running(let running) = jobs[index].state else { continue }
            let job = jobs[index]
            switch executor.status(of: running.directory.path) {
            case .running:
                if job.task.kind.isService { try checkService(index, running) }
            case .finished(let result):
                try finish(index, running, succeeded: result.succeeded && !job.task.kind.isService,
                           phase: result.timedOut ? .timedOut : (result.cancelled ? .cancelled : (result.succeeded ? .succeeded : .failed)),
                           exitCode: result.exitCode, summary: job.task.kind.isService ? "exited before it was healthy (\(result.summary))" : result.summary,
                           duration: result.endedAt.timeIntervalSince(result.startedAt))
            case .lost(let reason):
                try finish(index, running, succeeded: false, phase: .failed, exitCode: nil, summary: "supervisor lost: \(reason)",
                           duration: Date().timeIntervalSince(running.startedAt))
            }
        }
    }

    private mutating func checkService(_ index: Int, _ running: RunningJob) throws {
        let job = jobs[index]
        guard case .service(let service) = job.task.kind else { return }
        let healthy: Bool
        switch service.health {
        case .process: healthy = Date().timeIntervalSince(running.startedAt) >= configuration.processHealthGrace
        case .tcp: healthy = running.port.map { ServiceProbe.isHealthy(port: $0, path: nil) } ?? false
        case .http(let path): healthy = running.port.map { ServiceProbe.isHealthy(port: $0, path: path) } ?? false
        }
        if healthy {
            let address = running.port.map { "http://127.0.0.1:\($0)" } ?? "pid only"
            jobs[index].state = .healthy(running)
            try store.recordEvent(workflow: job.workflow.name, task: job.task.name, attemptID: running.attemptID,
                                  kind: "healthy", message: "healthy at \(address)", at: Date())
            observer(.serviceHealthy(workflow: job.workflow.name, task: job.task.name, address: address))
        } else if Date().timeIntervalSince(running.startedAt) > configuration.serviceStartTimeout {
            executor.cancel(running.directory.path)
            observer(.serviceUnhealthy(workflow: job.workflow.name, task: job.task.name,
                                       reason: "not healthy after \(Durations.format(configuration.serviceStartTimeout))"))
        }
    }

    private mutating func finish(_ index: Int, _ running: RunningJob, succeeded: Bool, phase: AttemptPhase, exitCode: Int32?,
                                 summary: String, duration: Double) throws {
        let job = jobs[index]
        ledger.release(job.task.resources.amounts, on: running.node, gpus: running.gpus)
        _ = try store.markFinished(running.attemptID, phase: succeeded ? .succeeded : phase, exitCode: exitCode,
                                   message: succeeded ? nil : summary, at: Date())
        if abs(duration - job.predicted) > max(0.5 * job.predicted, configuration.replanThreshold) {
            needsReplan = true
        }
        if succeeded {
            jobs[index].state = .succeeded
            observer(.succeeded(workflow: job.workflow.name, task: job.task.name, duration: duration))
        } else if job.attemptsMade < job.maxAttempts {
            let delay = configuration.retryBaseDelay * pow(2, Double(job.attemptsMade - 1))
            jobs[index].state = .backingOff(until: Date().addingTimeInterval(delay))
            observer(.failed(workflow: job.workflow.name, task: job.task.name, summary: summary, attempt: running.number, retryIn: delay))
        } else {
            jobs[index].state = .failed(summary)
            observer(.failed(workflow: job.workflow.name, task: job.task.name, summary: summary, attempt: running.number, retryIn: nil))
        }
    }

    /// Solves again for the jobs that have not started, with the same predictions, and takes the new order and nodes.
    /// Running attempts are not modelled: the new order is right for what is left, its clock is not.
    private mutating func replan() {
        needsReplan = false
        let waiting = jobs.indices.filter { index in
            switch jobs[index].state {
            case .waiting, .backingOff: true
            default: false
            }
        }
        guard waiting.count > 1 else { return }
        let entries = waiting.map { (jobs[$0].workflow, jobs[$0].task) }
        let predicted = Dictionary(uniqueKeysWithValues: waiting.map { (jobs[$0].key, jobs[$0].predicted) })
        let byPool = Dictionary(grouping: entries) { $0.0.pool.name }
        for (_, group) in byPool {
            guard let schedule = try? PlanScheduler.schedule(group, on: group[0].0.pool, duration: { predicted["\($0)/\($1.name)"] ?? 0 },
                                                             options: .init(timeLimit: configuration.replanTimeLimit)) else { continue }
            for entry in schedule.tasks {
                guard let index = jobs.firstIndex(where: { $0.workflow.name == entry.workflow && $0.task.name == entry.task }) else { continue }
                jobs[index].plannedStart = entry.start
                jobs[index].plannedNode = entry.node
            }
        }
        replans += 1
    }

    private func record(skipped job: Job, reason: String) throws {
        _ = try store.createAttempt(job.newAttempt(passID: passID, layout: layout, phase: .skipped, message: reason), at: Date())
    }
}

extension Job.State {
    var isSkipped: Bool {
        if case .skipped = self { return true }
        return false
    }
}
