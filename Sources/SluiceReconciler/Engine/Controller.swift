import Foundation
import Logging
import ServiceLifecycle
import SluiceExecution
import SluiceGit
import SluiceStore
import Synchronization

/// Settings of the controller; every field has a default except where to find things.
public struct ControllerConfiguration: Sendable {
    /// The watched repository: a local path (read in place) or a URL (mirrored into the state directory and fetched).
    public var repository: String
    /// The branch, tag or commit to follow. `HEAD` stands for the branch HEAD names when the controller starts: checking
    /// another branch out in a watched working copy must not change what is reconciled.
    public var ref = "HEAD"
    /// Seconds between passes when nothing asks for one sooner.
    public var interval = 30.0
    /// Each wait is the interval ± this fraction, so many controllers do not fetch in step.
    public var jitter = 0.1
    /// Back-off cap after failing passes, in seconds.
    public var maxBackoff = 300.0
    /// How often the ref of a local repository is read, in seconds, where inotify is unavailable.
    public var refInterval = 0.05
    /// How often, at least, task phases and anomalies are summed up for the metrics and the status.
    public var summaryInterval = 2.0
    /// While long work runs, the status is committed this often; otherwise once per pass, when its work settles (the
    /// API and the dashboard show the moves in between).
    public var statusInterval = 60.0
    public var reconciler: ReconcilerConfiguration

    public init(repository: String, reconciler: ReconcilerConfiguration) {
        self.repository = repository
        var reconciler = reconciler
        reconciler.servicesStayUp = true
        reconciler.pushStatus = GitSource.isRemote(repository)
        self.reconciler = reconciler
    }
}

/// The daemon: keeps every workflow at what the latest commit asks for. One engine thread does all the work; it
/// sleeps until an event arrives (an attempt ended, a webhook, the ref moved) or a timer is due (a retry, a health
/// check, the safety resync every `interval`). Wake-ups coalesce; a failing pass backs off and never stops the loop.
public final class Controller: Service, Sendable {
    private let configuration: ControllerConfiguration
    private let store: Store
    private let logger: Logger
    private let observer: PassObserver
    private let mailbox = Mailbox()
    private let state = Mutex(Shared())

    private struct Shared {
        var ready = false
        var healthyServices: Set<Int64> = []
    }

    public init(configuration: ControllerConfiguration, store: Store, logger: Logger, observer: @escaping PassObserver = { _ in }) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        self.observer = observer
    }

    /// Asks for a pass as soon as possible; several wake-ups before it starts make one pass.
    public func wake(reason: String) {
        mailbox.post(.wake(reason))
    }

    /// True once a pass has completed, and until passes fail twice in a row.
    public var isReady: Bool { state.withLock { $0.ready } }

    /// Attempt ids of services whose last health check passed.
    public var healthyServices: Set<Int64> { state.withLock { $0.healthyServices } }

    public func run() async throws {
        let lock = try StateLock(stateDirectory: configuration.reconciler.stateDirectory)
        defer { withExtendedLifetime(lock) {} }
        logger.info("controller started", metadata: ["repository": "\(configuration.repository)", "state": "\(configuration.reconciler.stateDirectory)"])
        let mailbox = self.mailbox
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await EngineThread.run(name: "sluice.controller") { [self] in try self.engineLoop() }
            } onCancel: {
                mailbox.post(.stop)
            }
        } onGracefulShutdown: {
            mailbox.post(.stop)
        }
        // Draining: nothing new starts; running attempts stay with their supervisors, and the next controller adopts them.
        logger.info("controller stopped")
    }

    /// What the engine thread remembers between events.
    struct Loop {
        /// What `configuration.ref` named at start (`refs/heads/main` for `HEAD`).
        let ref: String
        var dispatcher: Dispatcher?
        var commit: OID?
        var wakeReasons: [String] = ["start"]
        var retryAt: Date?
        var failures = 0
        var nextResync = Date()
        var lastSummary = Date.distantPast
        var lastStatus = Date()
        var lastReplan = Date.distantPast
        var statusPending = false
        /// An error that stops the controller (see `isFatal`).
        var fatal: (any Error)?
        /// `workflow/task` of the attempts flagged anomalous at the last summary.
        var anomalous: Set<String> = []
        /// The next cron tick of any scheduled workflow: a pass starts then, not at the next resync.
        var nextTick: Date?
    }

    private func engineLoop() throws {
        let repository = try GitSource.open(configuration.repository, stateDirectory: configuration.reconciler.stateDirectory)
        let reconciler = Reconciler(repository: repository, repositoryName: URL(fileURLWithPath: configuration.repository).lastPathComponent,
                                    store: store, configuration: configuration.reconciler, logger: logger, observer: observer)
        let mailbox = self.mailbox
        reconciler.executor.onEvent { event in
            if case .changed(let attempt) = event { mailbox.post(.attempt(attempt.id)) }
        }
        // A local repository is read in place: inotify on its refs tells when to look (an event, not a poll), and a
        // 50 ms look stands in where inotify is unavailable. A remote one is only fetched on the timer or a webhook.
        let local = !GitSource.isRemote(configuration.repository)
        let refWatcher = local ? FolderWatcher(folders: FolderWatcher.refFolders(gitDirectory: repository.path), name: "sluice.ref-watcher") { mailbox.post(.refsChanged) } : nil
        // `sluice rerun` (another process) writes its request to the store, then a note here: a pass reads it at once.
        let requests = reconciler.layout.requests
        try? FileManager.default.createDirectory(at: requests, withIntermediateDirectories: true)
        let requestWatcher = FolderWatcher(folders: [requests.path], name: "sluice.request-watcher") { mailbox.post(.wake("asked by a command")) }
        defer { withExtendedLifetime((refWatcher, requestWatcher)) {} }
        let pollsRef = local && refWatcher == nil
        if local && refWatcher == nil { logger.warning("no inotify: looking at the ref every 50 ms", metadata: ["repository": "\(repository.path)"]) }
        try reconciler.recoverResultsFromAttemptFolders()
        var loop = Loop(ref: try followedRef(in: repository))
        logger.info("following", metadata: ["ref": "\(loop.ref)"])
        while true {
            let now = Date()
            if let tick = loop.nextTick, now >= tick {
                loop.wakeReasons.append("schedule")
                loop.nextTick = nil
            }
            if !loop.wakeReasons.isEmpty && (loop.retryAt.map { now >= $0 } ?? true) || now >= loop.nextResync {
                let trigger = loop.wakeReasons.isEmpty ? "timer" : Set(loop.wakeReasons).sorted().joined(separator: ", ")
                loop.wakeReasons.removeAll()
                resync(reconciler, repository: repository, trigger: trigger, loop: &loop)
                if let fatal = loop.fatal { throw fatal }
            }
            var deadlines = [loop.nextResync]
            if let tick = loop.nextTick { deadlines.append(tick) }
            if let due = loop.dispatcher?.nextDeadline { deadlines.append(due) }
            if let retryAt = loop.retryAt, !loop.wakeReasons.isEmpty { deadlines.append(retryAt) }
            if loop.statusPending { deadlines.append(loop.lastStatus.addingTimeInterval(configuration.statusInterval)) }
            // Anomalies appear only while tasks run; an idle controller sums nothing on a clock.
            if loop.dispatcher?.inProgress == true { deadlines.append(loop.lastSummary.addingTimeInterval(configuration.summaryInterval)) }
            if pollsRef { deadlines.append(Date().addingTimeInterval(configuration.refInterval)) }
            let events = mailbox.take(until: deadlines.min())
            var attempts: [Int64] = []
            var probes: [(Int64, Bool)] = []
            var refsChanged = pollsRef
            for event in events {
                switch event {
                case .stop: return
                case .wake(let reason): loop.wakeReasons.append(reason)
                case .attempt(let id): attempts.append(id)
                case .refsChanged: refsChanged = true
                case .probed(let id, let answer): probes.append((id, answer))
                }
            }
            if refsChanged, let seen = loop.commit, (try? repository.resolve(loop.ref)) != seen { loop.wakeReasons.append("ref moved") }
            guard let dispatcher = loop.dispatcher else { continue }
            do {
                try dispatcher.burst {
                    for id in attempts { try dispatcher.attemptChanged(id) }
                    for (id, answer) in probes { try dispatcher.probed(id, healthy: answer) }
                    try dispatcher.fire()
                }
                try afterEvents(reconciler, dispatcher: dispatcher, trigger: nil, loop: &loop)
            } catch {
                if Self.isFatal(error) { throw error }
                // The burst was rolled back, so the model may hold what the store does not: rebuild it from the store
                // and the attempt folders at the next pass, after the back-off.
                logger.error("reconcile step failed", metadata: ["error": "\(error)"])
                loop.dispatcher = nil
                loop.wakeReasons.append("recovery")
                backOff(&loop)
            }
        }
    }

    /// The safety resync and every requested pass: fetch, resolve, plan, and a dispatcher rebuilt from the store and
    /// the attempt folders (level-triggered: whatever events were lost, this finds the work).
    private func resync(_ reconciler: Reconciler, repository: Repository, trigger: String, loop: inout Loop) {
        let started = Date()
        let interval = configuration.interval * (1 + Double.random(in: -configuration.jitter...configuration.jitter))
        loop.nextResync = started.addingTimeInterval(interval)
        do {
            if GitSource.isRemote(configuration.repository) {
                try repository.fetch()
                observer(.fetched(duration: Date().timeIntervalSince(started)))
            }
            let (tip, commit) = try reconciler.commitToReconcile(loop.ref)
            let context = try reconciler.prepare(commit: commit, trigger: trigger, retryScope: .commit)
            let planned = Date()
            let dispatcher = try Dispatcher(context: context, store: store, executor: reconciler.executor, layout: reconciler.layout,
                                            configuration: configuration.reconciler, observer: observer, logger: logger,
                                            healthy: loop.dispatcher?.healthy ?? healthyServices,
                                            // The grace of a failing service runs across passes: a resync sooner than it
                                            // would otherwise keep an unhealthy service up for ever.
                                            unhealthySince: loop.dispatcher?.unhealthySince ?? [:])
            let mailbox = self.mailbox
            dispatcher.probeDelivery = { mailbox.post(.probed($0, $1)) }
            try dispatcher.burst { try dispatcher.begin() }
            loop.dispatcher = dispatcher
            loop.commit = tip
            loop.nextTick = context.desired.workflows.compactMap { $0.workflow.schedule?.nextTick(after: started) }.min()
            let dispatched = Date()
            try afterEvents(reconciler, dispatcher: dispatcher, trigger: trigger, loop: &loop)
            observer(.passFinished(duration: Date().timeIntervalSince(started), failed: !dispatcher.failedTasks.isEmpty))
            logger.info("pass", metadata: [
                "trigger": "\(trigger)", "commit": "\(commit.short)", "tasks": "\(context.tasks.count)",
                "planMilliseconds": "\(Int(planned.timeIntervalSince(started) * 1000))",
                "dispatchMilliseconds": "\(Int(dispatched.timeIntervalSince(planned) * 1000))",
                "statusMilliseconds": "\(Int(Date().timeIntervalSince(dispatched) * 1000))",
            ])
            loop.failures = 0
            loop.retryAt = nil
            state.withLock { $0.ready = true }
        } catch {
            if Self.isFatal(error) {
                loop.fatal = error
                return
            }
            logger.error("pass failed", metadata: ["error": "\(error)", "trigger": "\(trigger)"])
            backOff(&loop)
            // Asked-for passes are tried again after the back-off; the timer's turn comes back with the interval.
            loop.wakeReasons += trigger == "timer" ? ["retry"] : trigger.components(separatedBy: ", ")
        }
    }

    /// Errors no back-off mends: the state database was deleted or replaced under the controller.
    private static func isFatal(_ error: any Error) -> Bool {
        (error as? StoreError)?.code == .fileReplaced
    }

    /// `HEAD` of a local working copy is resolved once, to its branch; anything else is followed as given (a remote
    /// mirror's HEAD is the remote's default branch, and a detached HEAD has no branch to follow).
    private func followedRef(in repository: Repository) throws -> String {
        guard configuration.ref == "HEAD", !GitSource.isRemote(configuration.repository) else { return configuration.ref }
        return try repository.headBranchReference() ?? "HEAD"
    }

    private func backOff(_ loop: inout Loop) {
        loop.failures += 1
        // Ready means passes work: /readyz answers 503 from the second failure in a row until one succeeds.
        if loop.failures >= 2 { state.withLock { $0.ready = false } }
        loop.retryAt = Date().addingTimeInterval(min(pow(2, Double(loop.failures)), configuration.maxBackoff))
    }

    /// After the dispatcher moved: re-optimizes when an attempt surprised, publishes the healthy services, sums the
    /// phases for the metrics, and commits the status when the work in flight settles (every `statusInterval` while
    /// a long pass runs), so a pass makes one status commit rather than one per task.
    private func afterEvents(_ reconciler: Reconciler, dispatcher: Dispatcher, trigger: String?, loop: inout Loop) throws {
        if dispatcher.report.surprised {
            dispatcher.report.surprised = false
            if Date().timeIntervalSince(loop.lastReplan) >= configuration.reconciler.replanInterval, try dispatcher.replan() {
                loop.lastReplan = Date()
                reconciler.replans += 1
            }
        }
        let changed = dispatcher.report.changed
        dispatcher.report.changed = false
        reconciler.healthyServices = dispatcher.healthy
        state.withLock { $0.healthyServices = dispatcher.healthy }
        // Anomalies appear while nothing changes in the store, so they are looked for on a clock of their own.
        var anomalyChanged = false
        var statuses: [WorkflowStatus]?
        // While work runs, statuses are summed on that clock only: reading every status at each task's end would make a
        // pass quadratic. When the work settles they are read once, for the commit too.
        if trigger != nil || (changed && !dispatcher.inProgress)
            || (dispatcher.inProgress && Date().timeIntervalSince(loop.lastSummary) >= configuration.summaryInterval) {
            let current = try reconciler.statuses(dispatcher.context)
            statuses = current
            let tasks = current.flatMap { status in status.tasks.map { (status.name, $0) } }
            let anomalous = Set(tasks.filter { $0.1.anomaly != nil }.map { "\($0.0)/\($0.1.name)" })
            anomalyChanged = anomalous != loop.anomalous
            loop.anomalous = anomalous
            loop.lastSummary = Date()
            observer(.summary(tasksByPhase: tasks.reduce(into: [:]) { $0[$1.1.phase.rawValue, default: 0] += 1 }, anomalies: anomalous.count))
            observer(.statuses(current, commits: CommitOutcome.of(current, context: dispatcher.context, previews: dispatcher.previewProgress)))
        }
        loop.statusPending = loop.statusPending || changed || anomalyChanged || trigger != nil
        if loop.statusPending && (!dispatcher.inProgress || Date().timeIntervalSince(loop.lastStatus) >= configuration.statusInterval) {
            _ = try reconciler.writeStatus(dispatcher.context, statuses: statuses, force: true)
            loop.statusPending = false
            loop.lastStatus = Date()
        }
    }
}
