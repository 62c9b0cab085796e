import Foundation
import Logging
import SluiceExecution
import SluiceModel
import SluiceStore

/// What the dispatcher has seen and done since the driver last looked.
struct DispatchReport {
    /// Something was recorded in the store: the status should be written.
    var changed = false
    /// An attempt ended far from its prediction.
    var surprised = false
}

/// The in-memory model of one pass's desired tasks and of every attempt still running, kept current by events.
///
/// It is built from the store and the attempt folders alone (`init`, which also adopts running attempts and starts
/// recorded-but-unstarted ones), so a dispatcher made after a crash continues where the last one stopped. After that,
/// an attempt's end touches only its task and, through it, the tasks that need it; a task is never started twice,
/// because a task with an unfinished attempt at its fingerprint is busy, and the executor's start is idempotent.
final class Dispatcher {
    var context: PassContext
    let store: Store
    let executor: any Executor
    let layout: StateLayout
    let configuration: ReconcilerConfiguration
    let observer: PassObserver
    let logger: Logger

    enum TaskState: Equatable {
        case unknown, waitingForNeeds, ready, busy, satisfied, failed, skipped
        /// Would start, but its workflow is suspended: settled for this pass, neither done nor failed.
        case held
        var isSettled: Bool { self == .satisfied || self == .failed || self == .skipped || self == .held }
    }

    /// An unfinished attempt, of any workflow: what it holds of a node, and whose task it is.
    struct Running {
        var attempt: Attempt
        var task: Int?
        var nodeKey: String?
        var demand: [String: Double]
        var gpus: [Int]
        /// How often it was started again after its supervisor ended without claiming it.
        var unclaimedStarts = 0
    }

    var index: [String: Int] = [:]
    var dependents: [[Int]]
    /// Per task: its attempts at its current fingerprint, oldest first.
    var attempts: [[Attempt]]
    /// Per task: the fingerprint of its newest attempt at any fingerprint.
    var newestFingerprint: [String?]
    var succeededFingerprints: Set<String>
    /// Tasks not started because a secret they need is missing (`apply` then exits 3, invalid input).
    var missingSecrets = Set<String>()
    /// Tasks a person asked to run again at their fingerprint (`sluice rerun`): earlier attempts, and the outputs of
    /// earlier runs at it, do not count.
    var rerunAsked: [Int: Date] = [:]
    private(set) var states: [TaskState]
    var unsettled: Int
    /// Dispatch order: the optimizer's planned start, then the dependency order.
    var priority: [Double]
    var running: [Int64: Running] = [:]
    /// How many of `running` have each fingerprint.
    var runningFingerprints: [String: Int] = [:]
    var ledger: CapacityLedger
    var dirty = IndexHeap()
    /// Ready tasks whose needs are done, waiting for room on a node, in dispatch order.
    var waitingForRoom: [Int] = []
    /// Per task: whether it is in `waitingForRoom` (every evaluation asks, so not by a search).
    var isWaiting: [Bool]
    /// Per task: when to look at it again (a retry's back-off, a service's next health check).
    var timers: [Int: Date] = [:]
    /// Services that have passed their health check, by attempt id.
    var healthy: Set<Int64>
    /// When each healthy service first failed a check: one missed check on a busy machine is not an outage.
    var unhealthySince: [Int64: Date] = [:]
    /// Where health probes' answers go (the driver posts them back as events); nil probes on the engine thread.
    var probeDelivery: (@Sendable (Int64, Bool) -> Void)?
    /// Attempts with a probe out, and answers not yet looked at.
    var probing = Set<Int64>()
    var probeAnswers: [Int64: Bool] = [:]
    /// Set by `stopServices`: the pass is ending, and nothing new starts.
    var draining = false
    /// Service attempts being stopped at the end of `apply`, with whether they had been healthy.
    var stopping: [Int64: Bool] = [:]
    /// Older versions of rolled services being stopped because a newer one is healthy, by attempt id.
    var retiring = Set<Int64>()
    var report = DispatchReport()
    /// Unfinished attempts of previews that this pass no longer runs: stopped when it begins.
    var orphanedPreviews: [Attempt] = []
    /// Recorded in the open batch; submitted after its commit.
    var recorded: [Submission] = []
    /// Submitted, with the supervisor's pid: recorded as started in the next batch.
    var started: [(id: Int64, pid: Int32, at: Date)] = []
    var failedSubmissions: [Int64] = []
    var firstUnrecordedStart: Date?

    init(context: PassContext, store: Store, executor: any Executor, layout: StateLayout, configuration: ReconcilerConfiguration,
         observer: @escaping PassObserver, logger: Logger, healthy: Set<Int64>, unhealthySince: [Int64: Date] = [:]) throws {
        self.context = context
        self.store = store
        self.executor = executor
        self.layout = layout
        self.configuration = configuration
        self.observer = observer
        self.logger = logger
        self.healthy = healthy
        self.unhealthySince = unhealthySince
        let count = context.tasks.count
        for (position, task) in context.tasks.enumerated() { index[task.key] = position }
        dependents = Array(repeating: [], count: count)
        for (position, task) in context.tasks.enumerated() {
            for need in task.task.needs {
                if let needed = index["\(task.workflow.name)/\(need)"] { dependents[needed].append(position) }
            }
        }
        attempts = Array(repeating: [], count: count)
        newestFingerprint = Array(repeating: nil, count: count)
        states = Array(repeating: .unknown, count: count)
        unsettled = count
        priority = context.tasks.map(\.plannedStart)
        isWaiting = Array(repeating: false, count: count)
        succeededFingerprints = try store.succeededFingerprints()
        var capacities: [String: [String: Double]] = [:]
        for pool in context.desired.manifests.pools {
            for node in pool.nodes { capacities[Self.nodeKey(pool.name, node.name)] = node.capacity.amounts }
        }
        ledger = CapacityLedger(capacities: capacities)
        try load()
    }

    static func nodeKey(_ pool: String, _ node: String) -> String { "\(pool)/\(node)" }

    /// Work remains: a desired task is neither done, nor failed, nor skipped, a service is being stopped, or a start
    /// is still to be recorded. Once draining, only the services being stopped and the starts to record count.
    var inProgress: Bool {
        (unsettled > 0 && !draining) || !stopping.isEmpty || !started.isEmpty || !failedSubmissions.isEmpty
    }

    /// Tasks of the followed ref that failed for good, or were skipped (a preview's failure is its branch's business).
    var failedTasks: [String] {
        states.indices.filter { (states[$0] == .failed || states[$0] == .skipped) && !context.tasks[$0].isPreview }.map { context.tasks[$0].key }
    }

    /// Where a previewed branch's tasks stand.
    struct PreviewProgress {
        var total = 0, succeeded = 0, failed = 0, unsettled = 0
    }

    /// By branch: how many of each preview's tasks are done, failed, or still to do.
    var previewProgress: [String: PreviewProgress] {
        var progress: [String: PreviewProgress] = [:]
        for position in context.tasks.indices where context.tasks[position].isPreview {
            guard let branch = PreviewName.parse(context.tasks[position].workflow.name)?.branch else { continue }
            progress[branch, default: PreviewProgress()].total += 1
            switch states[position] {
            case .satisfied: progress[branch]!.succeeded += 1
            case .failed, .skipped: progress[branch]!.failed += 1
            default: progress[branch]!.unsettled += 1
            }
        }
        return progress
    }

    /// The earliest timer, for the driver's wait. Starts are recorded with the next event, or after
    /// `startRecordDelay` at the latest: a short task's start and end then share one commit.
    var nextDeadline: Date? {
        var due = timers.values.min()
        if !failedSubmissions.isEmpty { due = Date() }
        if let first = firstUnrecordedStart { due = min(due ?? .distantFuture, first.addingTimeInterval(configuration.startRecordDelay)) }
        return due
    }

    /// One burst of work in one transaction: the starts submitted since the last one are recorded first, then `body`
    /// runs; after the commit, what it recorded is submitted.
    func burst(_ body: () throws -> Void) throws {
        try store.batch {
            try recordStarts()
            try body()
        }
        submitRecorded()
    }

    // MARK: - Loading

    /// Reads the store once: the attempts at the desired fingerprints, and every unfinished attempt with what it holds.
    private func load() throws {
        let workflows = context.desired.workflows + context.previews.flatMap(\.workflows)
        var pools = Dictionary(workflows.map { ($0.name, $0.pool.name) }, uniquingKeysWith: { first, _ in first })
        let byWorkflow = Dictionary(grouping: context.tasks.indices) { context.tasks[$0].workflow.name }
        // A success whose outputs `sluice gc` removed is no success to build on.
        let collected = try store.collectedFingerprints()
        for (workflow, positions) in byWorkflow {
            let fingerprints = Dictionary(positions.map { (context.tasks[$0].task.name, context.tasks[$0].fingerprint) }, uniquingKeysWith: { a, _ in a })
            for attempt in try store.attempts(workflow: workflow, fingerprints: Set(fingerprints.values)) {
                guard fingerprints[attempt.task] == attempt.fingerprint, let position = index["\(workflow)/\(attempt.task)"] else { continue }
                if collected.contains(attempt.fingerprint) && (attempt.phase == .succeeded || attempt.phase == .cached) { continue }
                attempts[position].append(attempt)
            }
            for attempt in try store.latestAttempts(workflow: workflow) {
                if let position = index["\(workflow)/\(attempt.task)"] { newestFingerprint[position] = attempt.fingerprint }
            }
            for (task, request) in try store.rerunRequests(workflow: workflow) {
                guard let position = index["\(workflow)/\(task)"], context.tasks[position].fingerprint == request.fingerprint else { continue }
                attempts[position].removeAll { $0.createdAt < request.requestedAt }
                rerunAsked[position] = request.requestedAt
            }
        }
        for position in attempts.indices { attempts[position].sort { $0.id < $1.id } }
        let decoder = JSONDecoder()
        for attempt in try store.unfinishedAttempts() {
            let position = index["\(attempt.workflow)/\(attempt.task)"].flatMap { context.tasks[$0].fingerprint == attempt.fingerprint ? $0 : nil }
            var entry = Running(attempt: attempt, task: position, nodeKey: nil, demand: [:], gpus: [])
            if let preview = PreviewName.parse(attempt.workflow) {
                // A preview no longer run (its branch moved, merged or went): it holds its node until it is stopped.
                if pools[attempt.workflow] == nil { pools[attempt.workflow] = pools[preview.workflow] }
                if position == nil { orphanedPreviews.append(attempt) }
            }
            if let pool = pools[attempt.workflow], let node = attempt.node,
               let inputs = try? decoder.decode(FingerprintInputs.self, from: Data(attempt.inputsJSON.utf8)) {
                entry.nodeKey = Self.nodeKey(pool, node)
                entry.demand = inputs.resources
                entry.gpus = LaunchedSpec.read(attempt.attemptPath)?.gpus ?? []
                ledger.occupy(entry.demand, on: entry.nodeKey!, gpus: entry.gpus)
            }
            running[attempt.id] = entry
            runningFingerprints[attempt.fingerprint, default: 0] += 1
        }
    }

    /// Looks at every unfinished attempt once (adopting, collecting or starting it), then at every task.
    func begin() throws {
        for attempt in orphanedPreviews { executor.cancel(handle(attempt)) }
        orphanedPreviews.removeAll()
        for id in running.keys.sorted() { try look(at: id) }
        for position in context.tasks.indices { dirty.insert(position) }
        try settle()
    }

    // MARK: - Events

    /// An executor's event: the attempt's phase may have changed.
    func attemptChanged(_ id: Int64) throws {
        try look(at: id)
        try settle()
    }

    /// Timers that are due: retries whose back-off is over, services whose next health check is due.
    func fire(now: Date = Date()) throws {
        for (position, due) in timers where due <= now {
            timers[position] = nil
            dirty.insert(position)
        }
        try settle()
    }

    /// Asks every running service of the desired tasks to stop (the end of `apply`); `inProgress` stays true until
    /// each has ended and been recorded.
    func stopServices() {
        draining = true
        for (id, entry) in running where entry.attempt.isService && entry.task != nil {
            stopping[id] = healthy.contains(id)
            executor.cancel(handle(entry.attempt))
        }
    }

    func handle(_ attempt: Attempt) -> AttemptHandle { AttemptHandle(id: attempt.id, directory: attempt.attemptPath) }

    /// Evaluates the dirty tasks in dependency order, then starts what has room, in dispatch order, until nothing is
    /// dirty (a start that fails, or a twin's success, marks tasks dirty again).
    func settle(now: Date = Date()) throws {
        repeat {
            while let position = dirty.popMin() { try evaluate(position, now: now) }
            try dispatchWaiting(now: now)
        } while !dirty.isEmpty
    }

    func markDirty(_ position: Int) { dirty.insert(position) }

    func setState(_ position: Int, _ state: TaskState) {
        let old = states[position]
        guard old != state else { return }
        if old.isSettled != state.isSettled { unsettled += state.isSettled ? -1 : 1 }
        states[position] = state
        if state.isSettled || old.isSettled {
            for dependent in dependents[position] { dirty.insert(dependent) }
        }
    }

    func recordAttempt(_ attempt: Attempt, task position: Int) {
        // An attempt from before a rerun was asked for (one still running then) does not answer it.
        if let asked = rerunAsked[position], attempt.createdAt < asked { return }
        if let existing = attempts[position].firstIndex(where: { $0.id == attempt.id }) {
            attempts[position][existing] = attempt
        } else {
            attempts[position].append(attempt)
            newestFingerprint[position] = attempt.fingerprint
        }
        if attempt.phase == .succeeded || attempt.phase == .cached { succeededFingerprints.insert(attempt.fingerprint) }
    }

    func setTimer(_ position: Int, at date: Date) {
        timers[position] = min(timers[position] ?? date, date)
    }
}
