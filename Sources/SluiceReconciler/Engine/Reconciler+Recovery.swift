import Foundation
import SluiceExecution
import SluiceStore

extension Reconciler {
    /// A state database with no attempts beside attempt folders that hold results: the database was deleted, or
    /// replaced by an empty one, while the outputs stayed. The successful batch results are recorded again from the
    /// folders (each folder's `spec.json` names its workflow, task, attempt, commit and output folder, `result.json`
    /// how it ended), so a restart does not run them again.
    ///
    /// - Returns: how many results were recorded.
    @discardableResult
    func recoverResultsFromAttemptFolders() throws -> Int {
        guard try store.passes(limit: 1).isEmpty else { return 0 }
        stopOrphanedSupervisors()
        let found = Self.finishedAttempts(under: layout, executor: executor)
        guard !found.isEmpty else { return 0 }
        try store.batch {
            let passID = try store.beginPass(commit: found[0].commit, trigger: "recovered from attempt folders", at: Date())
            for attempt in found {
                let row = try store.createAttempt(NewAttempt(
                    workflow: attempt.workflow, task: attempt.task, fingerprint: attempt.fingerprint, inputsJSON: "{}",
                    commit: attempt.commit, passID: passID, outputPath: layout.outputs(fingerprint: attempt.fingerprint).path,
                    attemptPath: attempt.folder), at: attempt.result.startedAt)
                _ = try store.markStarted(row.id, supervisorPID: attempt.result.supervisorPID ?? 0, node: nil, at: attempt.result.startedAt)
                _ = try store.markFinished(row.id, phase: .succeeded, exitCode: attempt.result.exitCode,
                                           message: "recovered from its attempt folder after the state database was lost", at: attempt.result.endedAt)
            }
            try store.endPass(passID, at: Date(), summary: "recorded \(found.count) results found in attempt folders")
        }
        logger.warning("state database was empty: recorded results from the attempt folders", metadata: ["results": "\(found.count)"])
        return found.count
    }

    /// Supervisors still running from the lost database (services, long tasks), and cluster jobs still queued or
    /// running, would run beside the attempts this database starts: same outputs, same ports, same GPUs. Nobody can
    /// adopt them without their rows, so they stop.
    private func stopOrphanedSupervisors() {
        let files = FileManager.default
        let root = layout.root.appendingPathComponent("attempts")
        guard let enumerator = files.enumerator(atPath: root.path) else { return }
        var stopped = 0
        var folders = Set<String>()
        while let relative = enumerator.nextObject() as? String {
            // A queued cluster job has no supervisor yet: its folder says which cluster it went to.
            guard relative.hasSuffix("/supervisor.lock") || relative.hasSuffix("/" + PoolExecutors.engineFileName) else { continue }
            folders.insert(root.appendingPathComponent(relative).deletingLastPathComponent().path)
        }
        for folder in folders.sorted() {
            let handle = AttemptHandle(id: 0, directory: folder)
            if case .running = executor.status(of: handle) {
                executor.cancel(handle)
                stopped += 1
            }
        }
        if stopped > 0 { logger.warning("stopped attempts left running by the lost state database", metadata: ["attempts": "\(stopped)"]) }
    }

    struct FinishedAttempt {
        var workflow: String
        var task: String
        var fingerprint: String
        var commit: String
        var folder: String
        var result: AttemptResult
    }

    /// Successful batch attempts under `attempts/<workflow>/<task>/`, whose outputs folder still exists.
    static func finishedAttempts(under layout: StateLayout, executor: any Executor) -> [FinishedAttempt] {
        let files = FileManager.default
        let root = layout.root.appendingPathComponent("attempts")
        var found: [FinishedAttempt] = []
        // `attempts/<workflow>/<task>/<attempt>/spec.json`, where a preview's workflow (`w@exp/a`) may hold a '/'.
        let enumerator = files.enumerator(atPath: root.path)
        while let relative = enumerator?.nextObject() as? String {
            guard relative.hasSuffix("/spec.json") else { continue }
            let folder = root.appendingPathComponent(relative).deletingLastPathComponent().path
            guard let data = files.contents(atPath: folder + "/spec.json"),
                  let spec = try? JSONDecoder().decode(AttemptSpec.self, from: data),
                  spec.environment["SLUICE_PORT"] == nil,  // services are started again, not recovered
                  let workflow = spec.environment["SLUICE_WORKFLOW"], let task = spec.environment["SLUICE_TASK"],
                  URL(fileURLWithPath: folder).deletingLastPathComponent().path == root.appendingPathComponent(workflow).appendingPathComponent(task).path,
                  let output = spec.environment["SLUICE_OUTPUT"], files.fileExists(atPath: output),
                  case .finished(let result) = executor.status(of: AttemptHandle(id: 0, directory: folder)),
                  result.succeeded else { continue }
            found.append(FinishedAttempt(workflow: workflow, task: task, fingerprint: URL(fileURLWithPath: output).lastPathComponent,
                                         commit: URL(fileURLWithPath: spec.workingDirectory).lastPathComponent,
                                         folder: folder, result: result))
        }
        // One row per fingerprint is enough to find its outputs; the newest result stands.
        let newest = Dictionary(grouping: found) { "\($0.workflow)/\($0.task)/\($0.fingerprint)" }.values.compactMap { group in
            group.max { $0.result.endedAt < $1.result.endedAt }
        }
        return newest.sorted { $0.result.endedAt < $1.result.endedAt }
    }
}
