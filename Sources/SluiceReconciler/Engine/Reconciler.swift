import Foundation
import Logging
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
    /// It did not succeed because of the input: manifest errors, or a secret that is missing.
    public var invalidInput: Bool
    /// Services that were healthy, by `workflow/task`, with their address.
    public var services: [String: String]
}

/// Reconcile passes: desired state of a commit × actual state of the store → plan → steps → status commit.
public final class Reconciler {
    let repository: Repository
    let repositoryName: String
    let store: Store
    let executor: any Executor
    let logger: Logger
    let layout: StateLayout
    let configuration: ReconcilerConfiguration
    let observer: PassObserver
    /// Services seen healthy, by attempt id; lives as long as the reconciler.
    var healthyServices = Set<Int64>()
    /// Manifests parsed by earlier passes of this reconciler (the controller's), by blob.
    let manifestCache = ManifestCache()
    /// Status pages rendered by earlier passes, reused while a workflow's status stays the same.
    let renderCache = RenderCache()
    /// Run reports made by earlier passes, made again only when a workflow's tasks change.
    let reportCache = ReportCache()
    /// The newest commit refused for its signature, shown in the status until a trusted tip replaces it.
    public internal(set) var refusal: SignatureVerifier.Refusal?
    /// How many times a schedule was re-optimized after a surprise.
    public internal(set) var replans = 0

    /// - Parameter executor: where attempts run; `nil` for each pool's own (`PoolExecutors`): this machine through
    ///   `configuration.supervisorCommand`, or its cluster.
    public init(repository: Repository, repositoryName: String, store: Store, configuration: ReconcilerConfiguration,
                executor: (any Executor)? = nil, logger: Logger = Logger(label: "sluice.reconciler"),
                observer: @escaping PassObserver = { _ in }) {
        self.repository = repository
        self.repositoryName = repositoryName
        self.store = store
        self.configuration = configuration
        self.layout = StateLayout(root: configuration.stateDirectory)
        self.executor = executor ?? PoolExecutors(layout: layout, supervisorCommand: configuration.supervisorCommand)
        self.logger = logger
        self.observer = observer
    }

    /// One pass at `ref` that waits until every batch task has settled; the services it started are stopped before it
    /// returns (keeping them up is the controller's job). The work runs on a thread of its own, driven by the
    /// executor's events: no polling.
    public func apply(ref: String, trigger: String = "apply") async throws -> PassOutcome {
        let box = UncheckedBox(self)
        return try await EngineThread.run(name: "sluice.apply") { try box.value.applyUntilSettled(ref: ref, trigger: trigger) }
    }

    /// The commit to reconcile for `ref`: its tip, or with signature verification the newest trusted commit on the
    /// tip's first-parent line (the last trusted commit stays in force). Logs a refusal when it is new.
    func commitToReconcile(_ ref: String) throws -> (tip: OID, commit: OID) {
        let tip = try repository.resolve(ref)
        guard let verifier = configuration.signatureVerifier else { return (tip, tip) }
        let (commit, refusal) = try verifier.trusted(from: tip, in: repository)
        if let refusal, refusal != self.refusal {
            logger.error("commit refused", metadata: ["commit": "\(refusal.commit.hex)", "reason": "\(refusal.reason)", "inForce": "\(commit.hex)"])
        }
        self.refusal = refusal
        return (tip, commit)
    }

    /// Everything a pass decides before acting: desired state (with the last good version of bad workflows), the plan,
    /// its schedule, checkouts. `retryScope` nil means this pass's own attempts.
    func prepare(commit: OID, trigger: String, retryScope: RetryScope?) throws -> PassContext {
        let info = try repository.commitInfo(commit)
        try store.recordCommit(commit.hex, summary: info.summary, at: Date())
        let loader = DesiredStateLoader(manifestFolder: configuration.manifestFolder, cache: manifestCache)
        var desired = try loader.load(from: repository, commit: commit)
        errorsChanged = try recordWorkflowStates(&desired, loader: loader)
        let passID = try store.beginPass(commit: commit.hex, trigger: trigger, at: Date())
        var plan = Planner.plan(desired: desired, actual: try ActualStateReader.read(store), servicesStayUp: configuration.servicesStayUp)
        let duration = DurationHistory.model(store: store, defaultDuration: configuration.defaultDuration)
        plan.schedules = try PlanScheduler.schedule(plan, desired: desired, duration: duration,
                                                    options: .init(timeLimit: configuration.scheduleTimeLimit, targetGap: configuration.scheduleTargetGap))
        observer(.planned(plan))
        try savePlannedSchedules(plan)
        try prune(plan)
        let planned = Dictionary(plan.schedules.flatMap(\.tasks).map { ("\($0.workflow)/\($0.task)", $0) }, uniquingKeysWith: { a, _ in a })
        var tasks: [DesiredTask] = []
        for workflow in desired.workflows {
            for task in workflow.orderedTasks {
                tasks.append(DesiredTask(workflow: workflow, task: task, predicted: duration(workflow.name, task),
                                         planned: planned["\(workflow.name)/\(task.name)"]))
            }
        }
        // Stable: within a workflow the dependency order stays, so a need is always looked at before what needs it.
        let order = Dictionary(tasks.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { a, _ in a })
        tasks.sort { ($0.plannedStart, order[$0.key]!) < ($1.plannedStart, order[$1.key]!) }
        tasks = dependencyStable(tasks)
        let previews = self.previews(against: desired, loader: loader)
        tasks += dependencyStable(previewTasks(previews, duration: duration))
        var context = PassContext(passID: passID, desired: desired, plan: plan, tasks: tasks,
                                  checkouts: Checkouts(repository: repository, layout: layout), retryScope: retryScope ?? .pass(passID))
        context.previews = previews
        if configuration.branchPlans { context.branchPlans = branchPlans(against: desired, loader: loader) }
        return context
    }

    /// Workflows whose manifest errors changed in the last `prepare`: they need a status commit even if nothing ran.
    var errorsChanged = Set<String>()

    /// Writes the status of every workflow when something changed; returns the commit, if one was made.
    /// - Parameter statuses: the statuses, when the caller has just read them; read here otherwise.
    func writeStatus(_ context: PassContext, statuses known: [WorkflowStatus]? = nil, force: Bool) throws -> OID? {
        let touched = Set(try store.attempts(pass: context.passID).map(\.workflow)).union(errorsChanged)
        let all = try known ?? statuses(context)
        let changed = all.filter { touched.contains($0.name) }
        guard force || !changed.isEmpty else { return nil }
        let writer = StatusWriter(branch: configuration.statusBranch, cache: renderCache)
        let notice = refusal.map { refusal in
            "## Refused commit\n\n`\(refusal.commit.short)` is not applied: \(refusal.reason). `\(context.desired.commit.oid.short)`, the last trusted commit, stays in force.\n"
        }
        var plans = context.branchPlans
        for preview in context.previews {
            plans["plans/\(preview.branch).md", default: "# Plan of `\(preview.branch)`\n"] += try previewSection(preview, followed: context.desired)
        }
        let commit = try writer.write(all, changed: changed.isEmpty ? all : changed, source: context.desired.commit.oid,
                                      to: repository, repositoryName: repositoryName, plans: plans,
                                      notice: notice, push: configuration.pushStatus)
        if let commit { observer(.statusCommitted(commit)) }
        return commit
    }

    func statuses(_ context: PassContext) throws -> [WorkflowStatus] {
        let order = Dictionary(context.desired.workflows.map { ($0.name, $0.orderedTasks.map(\.name)) }, uniquingKeysWith: { a, _ in a })
        let definitions = Dictionary(context.desired.workflows.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        return try WorkflowStatus.collect(from: store, layout: layout, order: order, healthy: healthyServices, definitions: definitions,
                                          reports: reportCache) { [executor] in
            executor.logTail(of: AttemptHandle(id: $0.id, directory: $0.attemptPath), lines: 15)
        }
    }

    /// The plan of every other branch against the followed commit, as if everything at that commit had run:
    /// what merging the branch would rerun, and why. A branch that cannot be read gets a page saying so.
    func branchPlans(against desired: DesiredState, loader: DesiredStateLoader) -> [String: String] {
        let followed = desired.commit.oid
        var pages: [String: String] = [:]
        let base = ActualState.assumingSucceeded(desired, ran: try? store.succeededFingerprints())
        for branch in (try? repository.branches()) ?? [] where branch != configuration.statusBranch {
            guard let tip = try? repository.branchTip(branch), tip != followed else { continue }
            let path = "plans/\(branch).md"
            do {
                let plan = Planner.plan(desired: try loader.load(from: repository, commit: tip), actual: base, servicesStayUp: false)
                pages[path] = PlanRenderer.markdown(plan, title: "Plan of `\(branch)` (\(tip.short)) against \(followed.short)")
            } catch {
                pages[path] = "# Plan of `\(branch)`\n\nCannot be planned: \(error)\n"
            }
        }
        return pages
    }

    /// Reorders tasks so every task comes after the tasks it needs, keeping the given order otherwise: Kahn's
    /// algorithm that always takes the earliest ready task, O(n log n) for a plan of any size.
    private func dependencyStable(_ tasks: [DesiredTask]) -> [DesiredTask] {
        let position = Dictionary(tasks.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
        var waitingFor = [Int](repeating: 0, count: tasks.count)
        var dependents = [[Int]](repeating: [], count: tasks.count)
        for (index, task) in tasks.enumerated() {
            for need in task.task.needs {
                guard let needed = position["\(task.workflow.name)/\(need)"] else { continue }
                waitingFor[index] += 1
                dependents[needed].append(index)
            }
        }
        var ready = IndexHeap()
        for index in tasks.indices where waitingFor[index] == 0 { ready.insert(index) }
        var result: [DesiredTask] = []
        result.reserveCapacity(tasks.count)
        while let index = ready.popMin() {
            result.append(tasks[index])
            for dependent in dependents[index] {
                waitingFor[dependent] -= 1
                if waitingFor[dependent] == 0 { ready.insert(dependent) }
            }
        }
        // A cycle (which validation rejects) would leave tasks out: keep them, in their order, rather than lose them.
        if result.count < tasks.count {
            let placed = Set(result.map(\.key))
            result += tasks.filter { !placed.contains($0.key) }
        }
        return result
    }
}
