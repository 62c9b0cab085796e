import Foundation
import SluiceExecution
import SluiceGit
import SluiceModel
import SluiceStore

/// What a pass did.
public struct PassOutcome: Sendable {
    public var plan: Plan
    public var statuses: [WorkflowStatus]
    public var statusCommit: OID?
    /// Every desired task succeeded (or was already up to date) and no manifest has errors.
    public var succeeded: Bool
    /// Services brought up in this pass, by `workflow/task`, with their address.
    public var services: [String: String]
}

/// One reconcile pass: desired state of a commit × actual state of the store → plan → dispatch → status commit.
public final class Reconciler {
    let repository: Repository
    let repositoryName: String
    let store: Store
    let executor: LocalExecutor
    let layout: StateLayout
    let configuration: ReconcilerConfiguration
    let observer: PassObserver

    public init(repository: Repository, repositoryName: String, store: Store, configuration: ReconcilerConfiguration,
                observer: @escaping PassObserver = { _ in }) {
        self.repository = repository
        self.repositoryName = repositoryName
        self.store = store
        self.configuration = configuration
        self.executor = LocalExecutor(supervisorCommand: configuration.supervisorCommand)
        self.layout = StateLayout(root: configuration.stateDirectory)
        self.observer = observer
    }

    /// Runs one pass at `ref` and waits for its batch tasks; services are stopped before it returns
    /// (keeping them up is the controller's job).
    public func apply(ref: String, trigger: String = "apply") async throws -> PassOutcome {
        try recoverUnfinishedAttempts()
        let commit = try repository.resolve(ref)
        let info = try repository.commitInfo(commit)
        try store.recordCommit(commit.hex, summary: info.summary, at: Date())
        let loader = DesiredStateLoader(manifestFolder: configuration.manifestFolder)
        var desired = try loader.load(from: repository, commit: commit)
        let errorsChanged = try recordWorkflowStates(&desired, loader: loader)

        let passID = try store.beginPass(commit: commit.hex, trigger: trigger, at: Date())
        var plan = Planner.plan(desired: desired, actual: try ActualStateReader.read(store), servicesStayUp: false)
        let duration = DurationHistory.model(store: store, defaultDuration: configuration.defaultDuration)
        plan.schedules = try PlanScheduler.schedule(plan, desired: desired, duration: duration,
                                                    options: .init(timeLimit: configuration.scheduleTimeLimit))
        observer(.planned(plan))
        try savePlannedSchedules(plan)
        try prune(plan)
        var dispatcher = Dispatcher(store: store, executor: executor, layout: layout, configuration: configuration, passID: passID,
                                    workingDirectories: try checkouts(for: desired.workflows), observer: observer,
                                    jobs: try jobs(for: plan, desired: desired, passID: passID, duration: duration),
                                    pools: desired.manifests.pools)
        try await dispatcher.run()
        let services = try stopServices(dispatcher.services)

        let order = Dictionary(uniqueKeysWithValues: desired.workflows.map { ($0.name, $0.orderedTasks.map(\.name)) })
        let statuses = try WorkflowStatus.collect(from: store, layout: layout, order: order) { LocalExecutor.tail(of: $0.attemptPath, lines: 15) }
        let touched = Set(try store.attempts(pass: passID).map(\.workflow)).union(errorsChanged)
        let changed = statuses.filter { touched.contains($0.name) }
        var statusCommit: OID?
        if !changed.isEmpty {
            let writer = StatusWriter(branch: configuration.statusBranch)
            statusCommit = try writer.write(statuses, changed: changed, source: commit, to: repository,
                                            repositoryName: repositoryName, push: configuration.pushStatus)
            if let statusCommit { observer(.statusCommitted(statusCommit)) }
        }
        let failures = dispatcher.jobs.filter { $0.failureReason != nil }.count
        try store.endPass(passID, at: Date(), summary: failures == 0 ? "ok" : "\(failures) failed")
        let valid = desired.diagnostics.isEmpty
        return PassOutcome(plan: plan, statuses: statuses, statusCommit: statusCommit, succeeded: failures == 0 && valid, services: services)
    }

    /// Saves each workflow's manifest state, and puts the last good version of each rejected workflow back
    /// into `desired`. Returns the workflows whose errors changed (they need a status commit even if nothing ran).
    private func recordWorkflowStates(_ desired: inout DesiredState, loader: DesiredStateLoader) throws -> Set<String> {
        var changed = Set<String>()
        let commit = desired.commit.oid.hex
        for workflow in desired.workflows {
            var state = try store.workflowState(workflow.name) ?? WorkflowState(name: workflow.name, lastGoodCommit: nil, lastSeenCommit: nil, errors: [], removedAt: nil)
            if !state.errors.isEmpty || state.removedAt != nil { changed.insert(workflow.name) }
            state.lastGoodCommit = commit
            state.lastSeenCommit = commit
            state.errors = []
            state.removedAt = nil
            try store.saveWorkflowState(state)
        }
        for name in desired.rejectedWorkflows.sorted() {
            let errors = desired.diagnostics.filter { $0.workflow == name }.map(\.description)
            var state = try store.workflowState(name) ?? WorkflowState(name: name, lastGoodCommit: nil, lastSeenCommit: nil, errors: [], removedAt: nil)
            if state.errors != errors { changed.insert(name) }
            state.errors = errors
            state.lastSeenCommit = commit
            try store.saveWorkflowState(state)
            if let good = state.lastGoodCommit.flatMap(OID.init(hex:)),
               let previous = try loader.load(from: repository, commit: good).workflows.first(where: { $0.name == name }) {
                desired.workflows.append(previous)
                if !desired.manifests.pools.contains(where: { $0.name == previous.pool.name }) {
                    desired.manifests.pools.append(previous.pool)
                }
            }
        }
        return changed
    }

    /// Results that arrived while no pass was watching (a crash, a killed `apply`) are taken into the store;
    /// attempts still running are waited for, so nothing starts twice.
    private func recoverUnfinishedAttempts() throws {
        for attempt in try store.unfinishedAttempts() {
            guard !attempt.attemptPath.isEmpty, attempt.startedAt != nil else {
                _ = try store.markFinished(attempt.id, phase: .cancelled, exitCode: nil, message: "never started", at: Date())
                continue
            }
            var status = executor.status(of: attempt.attemptPath)
            while case .running = status {
                if attempt.isService {
                    executor.cancel(attempt.attemptPath)
                }
                Thread.sleep(forTimeInterval: Double(configuration.pollMilliseconds) / 1000)
                status = executor.status(of: attempt.attemptPath)
            }
            switch status {
            case .finished(let result):
                let phase: AttemptPhase = attempt.isService ? .cancelled
                    : result.timedOut ? .timedOut : result.cancelled ? .cancelled : result.succeeded ? .succeeded : .failed
                _ = try store.markFinished(attempt.id, phase: phase, exitCode: result.exitCode,
                                           message: result.succeeded ? nil : result.summary, at: result.endedAt)
            case .lost(let reason):
                _ = try store.markFinished(attempt.id, phase: .failed, exitCode: nil, message: "supervisor lost: \(reason)", at: Date())
            case .running:
                break
            }
        }
    }

    private func checkouts(for workflows: [DesiredWorkflow]) throws -> [String: URL] {
        var folders: [String: URL] = [:]
        for workflow in workflows {
            folders[workflow.name] = try Checkout.ensure(workflow.commit, of: repository, at: layout.checkout(commit: workflow.commit.hex))
        }
        return folders
    }

    /// The jobs of a plan; cache hits are recorded on the spot, since no process runs for them.
    private func jobs(for plan: Plan, desired: DesiredState, passID: Int64, duration: PlanScheduler.DurationModel) throws -> [Job] {
        let planned = Dictionary(uniqueKeysWithValues: plan.schedules.flatMap(\.tasks).map { ("\($0.workflow)/\($0.task)", $0) })
        var jobs: [Job] = []
        for workflow in desired.workflows {
            guard let workflowPlan = plan.workflow(named: workflow.name) else { continue }
            for task in workflow.orderedTasks {
                let inputs = workflow.fingerprints[task.name]!
                var job = Job(workflow: workflow, task: task, inputs: inputs, fingerprint: inputs.fingerprint)
                job.predicted = duration(workflow.name, task)
                job.plannedStart = planned[job.key]?.start ?? 0
                job.plannedNode = planned[job.key]?.node
                switch workflowPlan.task(named: task.name)?.action {
                case let action? where action.startsProcess:
                    jobs.append(job)
                case .cacheHit?:
                    _ = try store.createAttempt(job.newAttempt(passID: passID, layout: layout, phase: .cached,
                                                               message: "outputs of an earlier run at this fingerprint reused"), at: Date())
                    observer(.cached(workflow: workflow.name, task: task.name))
                default:
                    break
                }
            }
        }
        return jobs
    }

    /// Keeps each workflow's share of the schedule next to the state, so every later status can show plan vs actual.
    private func savePlannedSchedules(_ plan: Plan) throws {
        for schedule in plan.schedules {
            for workflow in Set(schedule.tasks.map(\.workflow)) {
                var own = schedule
                own.tasks = schedule.tasks.filter { $0.workflow == workflow }
                let file = layout.plannedSchedule(workflow: workflow)
                try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try JSONEncoder().encode(own).write(to: file, options: .atomic)
            }
        }
    }

    private func prune(_ plan: Plan) throws {
        for workflowPlan in plan.workflows where workflowPlan.tasks.contains(where: { $0.action == .prune }) {
            for attempt in try store.unfinishedAttempts() where attempt.workflow == workflowPlan.name {
                executor.cancel(attempt.attemptPath)
            }
            if var state = try store.workflowState(workflowPlan.name) {
                state.removedAt = Date()
                try store.saveWorkflowState(state)
            }
        }
    }

    /// Stops the services `apply` brought up and records them as having been healthy.
    private func stopServices(_ services: [(Job, RunningJob)]) throws -> [String: String] {
        var addresses: [String: String] = [:]
        for (job, running) in services {
            let address = running.port.map { "http://127.0.0.1:\($0)" } ?? "pid"
            addresses[job.key] = address
            executor.cancel(running.directory.path)
            _ = try store.markFinished(running.attemptID, phase: .succeeded, exitCode: nil,
                                       message: "was healthy at \(address); stopped when apply ended (`sluice controller` keeps services up)", at: Date())
        }
        for (_, running) in services {
            while case .running = executor.status(of: running.directory.path) {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
        return addresses
    }
}
