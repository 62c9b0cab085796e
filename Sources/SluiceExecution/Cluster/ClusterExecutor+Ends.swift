import Foundation
import SluiceProcess

extension ClusterExecutor {
    /// Writes `cancel.requested`, which the supervisor inside the job acts on, and asks the engine to stop the job.
    /// In a running job the supervisor alone is signalled: it stops the task and records the cancel, and if it has not
    /// done so after the kill grace and 10 s more, the engine stops the whole job. A job not running yet is stopped and
    /// recorded as cancelled at once: Ray keeps a stopped job pending until its start timeout, and its room must not
    /// stay taken meanwhile (should it start after all, its supervisor finds the request and runs nothing). Does
    /// nothing once a result exists.
    public func cancel(_ attempt: AttemptHandle) {
        let files = ClusterFiles(attempt.directory)
        if DurableFile.exists(files.attempt.result) { return }
        if FileManager.default.fileExists(atPath: attempt.directory) {
            try? AttemptCoding.write(Data(), to: files.attempt.cancelRequest, durable: true)
        }
        let id = Self.submissionID(attempt)
        guard let jobID = files.readJobID() ?? (try? engine.find(submissionID: id))?.id else { return }
        let supervised = files.attempt.readPID() != nil
        do {
            try engine.cancel(jobID: jobID, submissionID: id, supervisorOnly: supervised)
        } catch {
            logger.warning("cannot cancel a job", metadata: ["job": "\(jobID)", "error": "\(error)"])
        }
        guard supervised else {
            let now = Date()
            record(AttemptResult(exitCode: nil, cancelled: true, startedAt: now, endedAt: now,
                                 summary: "cancelled before it started"), in: files)
            events.post(.changed(attempt))
            return
        }
        tracker.track(attempt, submissionID: id, phase: nil)
        let grace = ((try? AttemptCoding.read(AttemptSpec.self, from: files.attempt.spec))??.killGrace ?? 5) + 10
        DispatchQueue.global().asyncAfter(deadline: .now() + grace) { [engine, logger] in
            guard !DurableFile.exists(files.attempt.result) else { return }
            logger.warning("the supervisor did not stop its job; stopping the whole job", metadata: ["job": "\(jobID)"])
            try? engine.cancel(jobID: jobID, submissionID: id, supervisorOnly: false)
        }
    }

    /// The supervisor's result, except when it says "cancelled" although nobody asked: something outside signalled
    /// the job (Slurm at a partition's time limit or a preemption, Ray's node going away). The engine's reason is then
    /// the truth, once the engine says the job ended; until then the attempt counts as still running.
    func settled(_ result: AttemptResult, files: ClusterFiles, attempt: AttemptHandle) -> AttemptStatus {
        guard result.cancelled, !files.attempt.cancelRequested else { return .finished(result) }
        let id = Self.submissionID(attempt)
        let phase = tracker.lastSeen(id)?.phase ?? (try? engine.find(submissionID: id))?.phase
        switch phase {
        case .ended(let end)?:
            if end.cancelled { return .finished(result) }
            var corrected = result
            corrected.cancelled = false
            corrected.timedOut = end.timedOut
            corrected.summary = end.reason
            return .finished(corrected)
        case nil:
            return .finished(result)
        default:
            tracker.track(attempt, submissionID: id, phase: phase)
            return .running(pid: 0)
        }
    }

    /// The job ended and its supervisor left no result: the engine stopped the whole job (memory, time limit, a node
    /// lost, preemption, a cancel while queued), or will never start it, or the supervisor could not start on the
    /// node. Records the engine's reason as the result, with the engine's own log of the job added to `stderr.log`
    /// when it keeps one apart.
    func recordEnd(_ end: ClusterEnd, files: ClusterFiles, attempt: AttemptHandle) -> AttemptResult {
        let id = Self.submissionID(attempt)
        if end.stillQueued, let jobID = files.readJobID() {
            try? engine.cancel(jobID: jobID, submissionID: id, supervisorOnly: false)
        }
        let log = engine.log(jobID: files.readJobID() ?? "", submissionID: id)
        if !log.isEmpty { append(log, to: files.attempt.stderr) }
        let summary = end.looksSuccessful ? "\(end.reason), but its supervisor recorded no result: see \(files.attempt.stderr)" : end.reason
        // The job's submission is the closest known start: a zero duration would look like a surprise to the planner.
        let submitted = (try? FileManager.default.attributesOfItem(atPath: files.job)[.modificationDate] as? Date) ?? nil
        let now = Date()
        let result = AttemptResult(exitCode: end.looksSuccessful ? nil : end.exitCode.flatMap { $0 == 0 ? nil : $0 },
                                   signal: end.signal, timedOut: end.timedOut,
                                   cancelled: end.cancelled || files.attempt.cancelRequested,
                                   startedAt: min(submitted ?? now, now), endedAt: now, summary: summary)
        return record(result, in: files)
    }

    /// Writes `result.json` unless one exists, and returns the one that is there: the supervisor's, when it wrote one
    /// meanwhile, is never replaced.
    @discardableResult
    func record(_ result: AttemptResult, in files: ClusterFiles) -> AttemptResult {
        let staging = files.attempt.result + ".sluice-\(UUID().uuidString.prefix(8))"
        if let data = try? AttemptCoding.encode(result), (try? AttemptCoding.write(data, to: staging, durable: true)) != nil {
            // link() fails when the name exists: the first writer wins.
            _ = link(staging, files.attempt.result)
            unlink(staging)
        }
        return readResult(files) ?? result
    }

    /// The attempt's status from its `result.json`: nil without one, lost when it cannot be read.
    func resultStatus(_ files: ClusterFiles, attempt: AttemptHandle) -> AttemptStatus? {
        do {
            return try files.attempt.readResult().map { settled($0, files: files, attempt: attempt) }
        } catch {
            return .lost("\(error)")
        }
    }

    func readResult(_ files: ClusterFiles) -> AttemptResult? {
        (try? files.attempt.readResult()) ?? nil
    }

    private func append(_ text: String, to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
