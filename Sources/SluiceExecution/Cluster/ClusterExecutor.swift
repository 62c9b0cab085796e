import Foundation
import SluiceProcess
import Synchronization

/// Runs attempts as jobs of a cluster engine (Slurm, Ray). Inside each job, Sluice's own supervisor runs the task
/// exactly as on this machine: it masks secrets, enforces the timeout and writes logs and `result.json` into the
/// attempt's folder, which must be on a filesystem the cluster's nodes share (checked by `probe` before the first job).
///
/// The submission id is derived from the attempt (`submissionID`), so a start after a crash, before or after the
/// engine accepted the job, finds that job instead of submitting a second one.
public final class ClusterExecutor: Executor {
    public let engine: any ClusterEngine
    /// The supervisor binary, at a path every node can run (inside the shared state directory).
    let supervisor: String
    /// A shared folder for the probe job's files.
    let probeDirectory: String
    private let events = EventSink()
    private let tracker: JobTracker
    /// Whether the probe job succeeded (once per executor).
    let probed = Mutex<Bool>(false)

    /// - Parameters:
    ///   - interval: seconds between two listings of the engine's jobs while some are watched.
    ///   - resultGrace: how long after a job ended its `result.json` may take to appear (a shared filesystem's caches).
    public init(engine: any ClusterEngine, supervisor: String, probeDirectory: String, interval: TimeInterval = 0.5,
                resultGrace: TimeInterval = 3) {
        self.engine = engine
        self.supervisor = supervisor
        self.probeDirectory = probeDirectory
        let events = self.events
        tracker = JobTracker(engine: engine, interval: interval, resultGrace: resultGrace) { events.post(.changed($0)) }
    }

    public func onEvent(_ handler: @escaping @Sendable (ExecutorEvent) -> Void) {
        events.handler.withLock { $0 = handler }
    }

    /// `sluice-<attempt id>-<its folder's unique name>`: the id alone repeats across state directories that share a
    /// cluster (each numbers its attempts from 1), and the folder's name does not.
    public static func submissionID(_ attempt: AttemptHandle) -> String {
        "sluice-\(attempt.id)-" + (attempt.directory as NSString).lastPathComponent
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
            if files.readJobID() == nil { try? AttemptCoding.write(Data(job.id.utf8), to: files.job, durable: false) }
            tracker.track(attempt, submissionID: id, phase: job.phase)
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
        } catch let error as ClusterError where error.isDuplicate {
            jobID = try lookUp(id)?.id ?? id
        } catch {
            throw ExecutionError("\(error)")
        }
        FaultPoint.reach(.submitted)
        // Not fsynced: after a power cut, the job is found again by its submission id.
        try? AttemptCoding.write(Data(jobID.utf8), to: files.job, durable: false)
        tracker.track(attempt, submissionID: id, phase: .queued)
        return nil
    }

    private func lookUp(_ submissionID: String) throws -> ClusterJob? {
        do {
            return try engine.find(submissionID: submissionID)
        } catch {
            throw ExecutionError("cannot ask \(engine.name) about job \(submissionID): \(error)")
        }
    }

    public func status(of attempt: AttemptHandle) -> AttemptStatus {
        let files = ClusterFiles(attempt.directory)
        if let finished = finishedStatus(files) { return finished }
        let id = Self.submissionID(attempt)
        var seen = tracker.lastSeen(id)
        if seen?.phase == nil {
            let job: ClusterJob?
            do {
                job = try engine.find(submissionID: id)
            } catch {
                // The engine does not answer now: the tracker reports when it does.
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
            if let finished = finishedStatus(files) { return finished }
            if let since = seen.endedSeen, Date().timeIntervalSince(since) < tracker.resultGrace { return .running(pid: 0) }
            return .finished(recordEnd(end, files: files, attempt: attempt))
        }
    }

    /// The job ended and its supervisor left no result: the engine stopped the whole job (memory, time limit, a node
    /// lost, preemption, a cancel while queued), or the supervisor could not start on the node. Records the engine's
    /// reason as the result, with the engine's own log of the job added to `stderr.log` when it keeps one.
    private func recordEnd(_ end: ClusterEnd, files: ClusterFiles, attempt: AttemptHandle) -> AttemptResult {
        let log = engine.log(jobID: files.readJobID() ?? "", submissionID: Self.submissionID(attempt))
        if !log.isEmpty, let handle = FileHandle(forWritingAtPath: files.attempt.stderr) ?? {
            _ = FileManager.default.createFile(atPath: files.attempt.stderr, contents: nil)
            return FileHandle(forWritingAtPath: files.attempt.stderr)
        }() {
            _ = try? handle.seekToEnd()
            try? handle.write(contentsOf: Data(log.utf8))
            try? handle.close()
        }
        let ranWithoutSupervisor = end.exitCode == 0 && !end.cancelled && !end.timedOut
        let summary = ranWithoutSupervisor ? "\(end.reason), but its supervisor recorded no result: see \(files.attempt.stderr)" : end.reason
        let now = Date()
        let result = AttemptResult(exitCode: ranWithoutSupervisor ? nil : end.exitCode.flatMap { $0 == 0 ? nil : $0 },
                                   timedOut: end.timedOut, cancelled: end.cancelled, startedAt: now, endedAt: now, summary: summary)
        if !DurableFile.exists(files.attempt.result) {
            try? AttemptCoding.write(AttemptCoding.encode(result), to: files.attempt.result, durable: true)
        }
        return (try? files.attempt.readResult()).flatMap { $0 } ?? result
    }

    public func watch(_ attempt: AttemptHandle) {
        let files = ClusterFiles(attempt.directory)
        if DurableFile.exists(files.attempt.result) {
            events.post(.changed(attempt))
            return
        }
        tracker.track(attempt, submissionID: Self.submissionID(attempt), phase: nil)
    }

    /// Writes `cancel.requested`, which the supervisor inside the job acts on, and asks the engine to stop the job: a
    /// queued one is removed; in a running one the supervisor is signalled, stops the task and records the cancel. If
    /// it has not done so after the kill grace and a little more, the engine stops the whole job. Does nothing once a
    /// result exists.
    public func cancel(_ attempt: AttemptHandle) {
        let files = ClusterFiles(attempt.directory)
        if DurableFile.exists(files.attempt.result) { return }
        if FileManager.default.fileExists(atPath: attempt.directory) {
            try? AttemptCoding.write(Data(), to: files.attempt.cancelRequest, durable: true)
        }
        let id = Self.submissionID(attempt)
        guard let jobID = files.readJobID() ?? (try? engine.find(submissionID: id))?.id else { return }
        let supervised = files.attempt.readPID() != nil
        try? engine.cancel(jobID: jobID, submissionID: id, supervisorOnly: supervised)
        tracker.track(attempt, submissionID: id, phase: nil)
        if supervised {
            let grace = ((try? AttemptCoding.read(AttemptSpec.self, from: files.attempt.spec))??.killGrace ?? 5) + 10
            DispatchQueue.global().asyncAfter(deadline: .now() + grace) { [engine] in
                guard !DurableFile.exists(files.attempt.result) else { return }
                try? engine.cancel(jobID: jobID, submissionID: id, supervisorOnly: false)
            }
        }
    }

    public func logTail(of attempt: AttemptHandle, lines: Int) -> String {
        LocalExecutor.tail(of: attempt.directory, lines: lines)
    }

    public func nodes() throws -> [ExecutorNode]? { try engine.nodes() }

    private func finishedStatus(_ files: ClusterFiles) -> AttemptStatus? {
        do {
            return try files.attempt.readResult().map(AttemptStatus.finished)
        } catch {
            return .lost("\(error)")
        }
    }
}

/// Where an executor's events go, shared with the threads that post them.
final class EventSink: Sendable {
    let handler = Mutex<(@Sendable (ExecutorEvent) -> Void)?>(nil)

    func post(_ event: ExecutorEvent) {
        handler.withLock { $0 }?(event)
    }
}
