import Foundation
import SluiceProcess

extension ClusterExecutor {
    /// Before the first job: one tiny job that checks, from a node, that the supervisor can be run at its path and
    /// that a file written into the state directory reaches this host. Outputs, logs and results all travel that way,
    /// so without a shared filesystem nothing else can work, and this says so at once rather than after a failed run.
    ///
    /// A failure is remembered for a minute, so that the attempts waiting behind it fail at once with its reason rather
    /// than each wait for a probe of its own.
    func probe(timeout: TimeInterval = 60) throws {
        let known = probed.withLock { $0 }
        if known.passed { return }
        if let (failure, at) = known.failure, Date().timeIntervalSince(at) < 60 { throw failure }
        do {
            try runProbe(timeout: timeout)
            probed.withLock { $0 = (true, nil) }
        } catch let failure as ExecutionError {
            logger.error("the probe job failed", metadata: ["error": "\(failure)"])
            probed.withLock { $0.failure = (failure, Date()) }
            throw failure
        }
    }

    private func runProbe(timeout: TimeInterval) throws {
        let token = UUID().uuidString.lowercased()
        let folder = (probeDirectory as NSString).appendingPathComponent("probe-\(token)")
        let answer = folder + "/answer.txt", script = folder + "/probe.sh", log = folder + "/stderr.log"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let text = """
                #!/bin/sh
                # Run without an attempt folder, the supervisor prints its usage and exits 2: then it runs on this node.
                \(ClusterFiles.quoted(supervisor)) >/dev/null 2>&1
                [ $? -eq 2 ] || { echo "cannot run \(supervisor) on $(hostname)" >&2; exit 3; }
                echo \(token) > \(ClusterFiles.quoted(answer))

                """
            try text.write(toFile: script, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        } catch {
            throw ExecutionError("cannot prepare the probe job in \(probeDirectory): \(error.localizedDescription)")
        }
        let arrivals = FileArrivals()
        _ = arrivals.watch(folder)
        let id = "sluice-probe-\(token)"
        let shared = "the state directory must be on a filesystem that the nodes of \(engine.name) share with this host, at the same path"
        do {
            _ = try engine.submit(ClusterSubmission(submissionID: id, directory: folder, script: script, resources: ["cpu": 0],
                                                    timeout: nil, killGrace: 1, label: "sluice probe"))
        } catch {
            throw ExecutionError("cannot submit the probe job to \(engine.name): \(error)")
        }
        // The answer wakes this wait as soon as it is written. The engine is asked once a second whether the job ended
        // without one; after it ended, a shared filesystem gets 3 s to show a file written on another node.
        let deadline = Date().addingTimeInterval(timeout)
        var ended: (end: ClusterEnd, at: Date)?
        while !answered(answer, token: token) {
            let now = Date()
            if let ended, now.timeIntervalSince(ended.at) >= 3 {
                let said = [String(decoding: DurableFile.read(log) ?? [], as: UTF8.self), engine.log(jobID: id, submissionID: id)]
                    .joined().trimmingCharacters(in: .whitespacesAndNewlines)
                throw ExecutionError("a probe job on \(engine.name) ended (\(ended.end.reason)) without writing \(answer) where Sluice can read it: \(shared)" + (said.isEmpty ? "" : "; the job said: \(said.suffix(500))"))
            }
            if ended == nil, now >= deadline {
                try? engine.cancel(jobID: (try? engine.find(submissionID: id))?.id ?? id, submissionID: id, supervisorOnly: false)
                throw ExecutionError("the probe job on \(engine.name) did not end within \(Int(timeout)) s: the cluster has no free room, or its nodes cannot start jobs")
            }
            let until = ended.map { $0.at.addingTimeInterval(3) } ?? min(deadline, now.addingTimeInterval(1))
            if !arrivals.wait(until: until), ended == nil,
               let job = try? engine.find(submissionID: id), case .ended(let end) = job.phase {
                ended = (end, Date())
            }
        }
    }

    private func answered(_ answer: String, token: String) -> Bool {
        DurableFile.read(answer).map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == token } ?? false
    }
}
