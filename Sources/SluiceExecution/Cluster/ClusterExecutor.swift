import Foundation
import Logging
import SluiceProcess
import Synchronization

/// Runs attempts as jobs of a cluster engine (Slurm, Ray). Inside each job, Sluice's own supervisor runs the task
/// exactly as on this machine: it masks secrets, enforces the timeout and writes logs and `result.json` into the
/// attempt's folder, which must be on a filesystem the cluster's nodes share (checked by `probe` before the first job).
///
/// The submission id is derived from the attempt's folder (`submissionID`), so a start after a crash, before or after
/// the engine accepted the job, finds that job instead of submitting a second one.
public final class ClusterExecutor: Executor {
    public let engine: any ClusterEngine
    /// The supervisor binary, at a path every node can run (inside the shared state directory).
    let supervisor: String
    /// A shared folder for the probe job's files.
    let probeDirectory: String
    let logger: Logger
    let events = EventSink()
    let tracker: JobTracker
    /// How long a job may have ended before its supervisor's `result.json` is given up on.
    let resultGrace: TimeInterval
    /// The probe's outcome: passed once for good, or failed at a time (tried again a minute later).
    let probed = Mutex<(passed: Bool, failure: (ExecutionError, Date)?)>((false, nil))

    /// - Parameters:
    ///   - interval: seconds between two listings of the engine's jobs while some are watched.
    ///   - resultGrace: how long after a job ended its `result.json` may take to appear; ten times longer when the
    ///     engine says the job's script ended well, since a network filesystem may keep answering "no such file" for
    ///     up to a minute, and a result given up on too early turns a success into a failure.
    public init(engine: any ClusterEngine, supervisor: String, probeDirectory: String, interval: TimeInterval = 0.5,
                resultGrace: TimeInterval = 3, logger: Logger = Logger(label: "sluice.cluster")) {
        self.engine = engine
        self.supervisor = supervisor
        self.probeDirectory = probeDirectory
        self.resultGrace = resultGrace
        var logger = logger
        logger[metadataKey: "engine"] = "\(engine.name)"
        self.logger = logger
        let events = self.events
        tracker = JobTracker(engine: engine, interval: interval, grace: { $0.looksSuccessful ? resultGrace * 10 : resultGrace },
                             logger: logger) { events.post(.changed($0)) }
    }

    public func onEvent(_ handler: @escaping @Sendable (ExecutorEvent) -> Void) {
        events.handler.withLock { $0 = handler }
    }

    /// `sluice-<the attempt folder's name>`: the folder's name is unique (its fingerprint and a random part) across
    /// every state directory that shares the cluster, where attempt ids repeat, and it is all a folder found on disk
    /// after a lost database has to go on.
    public static func submissionID(_ attempt: AttemptHandle) -> String {
        "sluice-" + (attempt.directory as NSString).lastPathComponent
    }

    @discardableResult
    public func start(_ spec: AttemptSpec, for attempt: AttemptHandle) throws -> Int32? {
        let files = ClusterFiles(attempt.directory)
        let id = Self.submissionID(attempt)
        if DurableFile.exists(files.attempt.result) {
            watch(attempt)
            return nil
        }
        if let job = try lookUp(id) {
            // Submitted before a crash: never a second time.
            adopt(job, attempt: attempt, files: files)
            return nil
        }
        try probe()
        do {
            try FileManager.default.createDirectory(atPath: attempt.directory, withIntermediateDirectories: true)
        } catch {
            throw ExecutionError("cannot create attempt directory \(attempt.directory): \(error.localizedDescription)")
        }
        try AttemptCoding.write(AttemptCoding.encode(spec), to: files.attempt.spec, durable: false)
        try files.writeJob(spec, supervisor: supervisor)
        let label = [spec.environment["SLUICE_WORKFLOW"], spec.environment["SLUICE_TASK"]].compactMap { $0 }.joined(separator: "/")
            + (spec.environment["SLUICE_ATTEMPT"].map { " #\($0)" } ?? "")
        let jobID: String
        do {
            jobID = try engine.submit(ClusterSubmission(submissionID: id, directory: attempt.directory, script: files.script,
                                                        resources: spec.resources, timeout: spec.timeout, killGrace: spec.killGrace,
                                                        label: label.isEmpty ? id : label))
        } catch {
            // A duplicate, or an answer lost on the way back (a timeout) after the engine took the job: either way the
            // job may exist, and then it is followed rather than failed and submitted again beside itself.
            guard let job = try? engine.find(submissionID: id) else { throw ExecutionError("\(error)") }
            logger.info("the engine had the job already", metadata: ["job": "\(job.id)", "submission": "\(id)"])
            adopt(job, attempt: attempt, files: files)
            return nil
        }
        FaultPoint.reach(.submitted)
        // Not fsynced: after a power cut, the job is found again by its submission id.
        try? AttemptCoding.write(Data(jobID.utf8), to: files.job, durable: false)
        tracker.track(attempt, submissionID: id, phase: .queued)
        logger.debug("job submitted", metadata: ["job": "\(jobID)", "submission": "\(id)", "attempt": "\(attempt.id)"])
        return nil
    }

    private func adopt(_ job: ClusterJob, attempt: AttemptHandle, files: ClusterFiles) {
        if files.readJobID() == nil { try? AttemptCoding.write(Data(job.id.utf8), to: files.job, durable: false) }
        tracker.track(attempt, submissionID: Self.submissionID(attempt), phase: job.phase)
    }

    private func lookUp(_ submissionID: String) throws -> ClusterJob? {
        do {
            return try engine.find(submissionID: submissionID)
        } catch {
            throw ExecutionError("cannot ask \(engine.name) about job \(submissionID): \(error)")
        }
    }

    /// Where the attempt is: its result once the supervisor (or, failing it, the engine) recorded one; otherwise the
    /// job's phase as the tracker last saw it, or as the engine says when the tracker has not seen it.
    public func status(of attempt: AttemptHandle) -> AttemptStatus {
        let files = ClusterFiles(attempt.directory)
        let id = Self.submissionID(attempt)
        if let finished = resultStatus(files, attempt: attempt) { return finished }
        var seen = tracker.lastSeen(id)
        if seen?.phase == nil {
            let job: ClusterJob?
            do {
                job = try engine.find(submissionID: id)
            } catch {
                logger.warning("cannot ask about a job; looking again at the next listing", metadata: ["submission": "\(id)", "error": "\(error)"])
                tracker.track(attempt, submissionID: id, phase: nil)
                return .running(pid: 0)
            }
            guard let job else {
                if let jobID = files.readJobID() {
                    return .lost("\(engine.name) no longer knows job \(jobID), and its supervisor left no result.json in \(attempt.directory)")
                }
                return .notStarted
            }
            tracker.track(attempt, submissionID: id, phase: job.phase)
            seen = tracker.lastSeen(id)
        }
        guard let seen, let phase = seen.phase else { return .running(pid: 0) }
        switch phase {
        case .queued:
            return .running(pid: 0)
        case .running:
            return .running(pid: files.attempt.readPID() ?? 0)
        case .ended(let end):
            if let finished = resultStatus(files, attempt: attempt) { return finished }
            let grace = end.looksSuccessful ? resultGrace * 10 : resultGrace
            if !end.stillQueued, let since = seen.endedSeen, Date().timeIntervalSince(since) < grace { return .running(pid: 0) }
            return .finished(recordEnd(end, files: files, attempt: attempt))
        }
    }

    public func watch(_ attempt: AttemptHandle) {
        if DurableFile.exists(AttemptFiles(attempt.directory).result) {
            events.post(.changed(attempt))
            return
        }
        tracker.track(attempt, submissionID: Self.submissionID(attempt), phase: nil)
    }

    public func logTail(of attempt: AttemptHandle, lines: Int) -> String {
        LocalExecutor.tail(of: attempt.directory, lines: lines)
    }

    public func nodes() throws -> [ExecutorNode]? { try engine.nodes() }
}

/// Where an executor's events go, shared with the threads that post them.
final class EventSink: Sendable {
    let handler = Mutex<(@Sendable (ExecutorEvent) -> Void)?>(nil)

    func post(_ event: ExecutorEvent) {
        handler.withLock { $0 }?(event)
    }
}
