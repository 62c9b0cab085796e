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
    /// The branch, tag or commit to follow.
    public var ref = "HEAD"
    /// Seconds between passes when nothing asks for one sooner.
    public var interval = 30.0
    /// Each wait is the interval ± this fraction, so many controllers do not fetch in step.
    public var jitter = 0.1
    /// Back-off cap after failing passes, in seconds.
    public var maxBackoff = 300.0
    /// How often the loop looks at running attempts while any runs, in seconds.
    public var pollInterval = 0.05
    /// How often, at least, task phases and anomalies are summed up for the metrics and the status.
    public var summaryInterval = 2.0
    /// While work runs, the status is committed at most this often; when it settles, at once.
    public var statusInterval = 5.0
    public var reconciler: ReconcilerConfiguration

    public init(repository: String, reconciler: ReconcilerConfiguration) {
        self.repository = repository
        var reconciler = reconciler
        reconciler.servicesStayUp = true
        reconciler.pushStatus = GitSource.isRemote(repository)
        self.reconciler = reconciler
    }
}

/// The daemon: keeps every workflow at what the latest commit asks for. Passes run on a change of the ref, on a
/// task ending, on a timer and on `wake`; wake-ups coalesce; a failing pass backs off and never stops the loop.
public final class Controller: Service, Sendable {
    private let configuration: ControllerConfiguration
    private let store: Store
    private let logger: Logger
    private let observer: PassObserver
    private let state = Mutex(Shared())

    private struct Shared {
        var wakeReasons: [String] = []
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
        state.withLock { $0.wakeReasons.append(reason) }
    }

    /// True once the first pass has completed.
    public var isReady: Bool { state.withLock { $0.ready } }

    /// Attempt ids of services whose last health check passed.
    public var healthyServices: Set<Int64> { state.withLock { $0.healthyServices } }

    public func run() async throws {
        let lock = try StateLock(stateDirectory: configuration.reconciler.stateDirectory)
        defer { withExtendedLifetime(lock) {} }
        logger.info("controller started", metadata: ["repository": "\(configuration.repository)", "state": "\(configuration.reconciler.stateDirectory)"])
        let repository = try GitSource.open(configuration.repository, stateDirectory: configuration.reconciler.stateDirectory)
        let reconciler = Reconciler(repository: repository, repositoryName: URL(fileURLWithPath: configuration.repository).lastPathComponent,
                                    store: store, configuration: configuration.reconciler, observer: observer)
        var loop = Loop()
        while !Self.stopping {
            let seen = loop.commit
            let trigger = await waitForTrigger(&loop) { [configuration] in
                // A local repository is read in place, so watching its ref costs a file read: a commit is seen at once.
                // A remote one is only fetched on the timer or a webhook.
                guard !GitSource.isRemote(configuration.repository), let seen else { return false }
                return (try? repository.resolve(configuration.ref)) != seen
            }
            if Self.stopping { break }
            do {
                try pass(reconciler, repository: repository, trigger: trigger, loop: &loop)
                loop.failures = 0
                state.withLock { $0.ready = true }
            } catch {
                loop.failures += 1
                loop.delay = min(pow(2, Double(loop.failures)), configuration.maxBackoff)
                logger.error("pass failed", metadata: ["error": "\(error)", "retryIn": "\(loop.delay)"])
            }
        }
        // Draining: nothing new starts; running attempts stay with their supervisors, and the next controller adopts them.
        logger.info("controller stopped")
    }

    /// SIGTERM (graceful shutdown) or cancellation: stop starting work.
    private static var stopping: Bool { Task.isCancelled || Task.isShuttingDownGracefully }

    struct Loop {
        var context: PassContext?
        var commit: OID?
        var step: ReconcileStep?
        var delay = 0.0
        var failures = 0
        var lastFullPass = Date.distantPast
        var lastSummary = Date.distantPast
        var lastStatus = Date.distantPast
        var statusPending = false
        /// `workflow/task` of the attempts flagged anomalous at the last summary.
        var anomalous: Set<String> = []
    }

    /// Sleeps until the next pass is due or a wake-up arrives; returns why the pass runs, nil for a poll of running work.
    private func waitForTrigger(_ loop: inout Loop, refMoved: () -> Bool) async -> String? {
        let deadline = Date().addingTimeInterval(loop.delay)
        var lastLook = Date()
        while Date() < deadline && !Self.stopping {
            if let reason = takeWake() { return reason }
            if Date().timeIntervalSince(lastLook) >= configuration.pollInterval {
                lastLook = Date()
                if refMoved() { return "ref moved" }
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        if let reason = takeWake() { return reason }
        return Date().timeIntervalSince(loop.lastFullPass) >= configuration.interval * (1 - configuration.jitter) ? "timer" : nil
    }

    private func takeWake() -> String? {
        state.withLock { shared in
            guard !shared.wakeReasons.isEmpty else { return nil }
            defer { shared.wakeReasons.removeAll() }
            return Set(shared.wakeReasons).sorted().joined(separator: ", ")
        }
    }

    /// A full pass (fetch, resolve, plan) when triggered, then one step; a poll only steps.
    private func pass(_ reconciler: Reconciler, repository: Repository, trigger: String?, loop: inout Loop) throws {
        if trigger != nil || loop.context == nil {
            let started = Date()
            if GitSource.isRemote(configuration.repository) {
                try repository.fetch()
                observer(.fetched(duration: Date().timeIntervalSince(started)))
            }
            let commit = try repository.resolve(configuration.ref)
            loop.context = try reconciler.prepare(commit: commit, trigger: trigger ?? "start", retryScope: .commit)
            loop.commit = commit
            loop.lastFullPass = Date()
        }
        guard let context = loop.context else { return }
        var step = loop.step ?? ReconcileStep(store: store, executor: reconciler.executor, layout: reconciler.layout,
                                              configuration: configuration.reconciler, observer: observer, healthy: [])
        let started = Date()
        let report = try step.run(context)
        loop.step = step
        if report.surprised, var replanned = loop.context {
            try reconciler.replan(&replanned)
            loop.context = replanned
        }
        state.withLock { $0.healthyServices = step.healthy }
        reconciler.healthyServices = step.healthy
        // Anomalies appear while nothing changes in the store, so they are looked for on a clock of their own.
        var anomalyChanged = false
        var statuses: [WorkflowStatus]?
        if report.changed || trigger != nil || Date().timeIntervalSince(loop.lastSummary) >= configuration.summaryInterval {
            let current = try reconciler.statuses(context)
            statuses = current
            let tasks = current.flatMap { status in status.tasks.map { (status.name, $0) } }
            let anomalous = Set(tasks.filter { $0.1.anomaly != nil }.map { "\($0.0)/\($0.1.name)" })
            anomalyChanged = anomalous != loop.anomalous
            loop.anomalous = anomalous
            loop.lastSummary = Date()
            observer(.summary(tasksByPhase: tasks.reduce(into: [:]) { $0[$1.1.phase.rawValue, default: 0] += 1 }, anomalies: anomalous.count))
        }
        // Changes wait for the work in flight to settle, so a pass makes one status commit rather than one per
        // task; a long pass still shows progress every `statusInterval`.
        loop.statusPending = loop.statusPending || report.changed || anomalyChanged || trigger != nil
        if loop.statusPending && (!report.inProgress || Date().timeIntervalSince(loop.lastStatus) >= configuration.statusInterval) {
            _ = try reconciler.writeStatus(context, statuses: statuses, force: true)
            loop.statusPending = false
            loop.lastStatus = Date()
        }
        if trigger != nil {
            observer(.passFinished(duration: Date().timeIntervalSince(started), failed: !report.failed.isEmpty))
        }
        let interval = configuration.interval * (1 + Double.random(in: -configuration.jitter...configuration.jitter))
        let sinceFull = Date().timeIntervalSince(loop.lastFullPass)
        loop.delay = report.inProgress ? configuration.pollInterval : max(interval - sinceFull, 0)
    }
}
