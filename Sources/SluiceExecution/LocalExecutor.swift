import Foundation
import Synchronization

/// Runs attempts on this machine, each under its own detached supervisor process.
///
/// All state lives in the attempt directories, so any instance (in this process or in a
/// controller restarted after a crash) can report on and cancel any attempt: that is adoption.
public final class LocalExecutor: Sendable {
    /// The argv prefix that runs the supervisor; the attempt directory is appended.
    public let supervisorCommand: [String]
    /// Supervisors this instance started and has not reaped yet: only our own children may be
    /// reaped, and an unreaped one would look alive to `kill(pid, 0)`.
    private let children = Mutex<Set<Int32>>([])

    /// - Parameter supervisorCommand: e.g. `["/usr/local/bin/sluice", "__supervise"]`.
    public init(supervisorCommand: [String]) {
        self.supervisorCommand = supervisorCommand
    }

    /// Creates `attemptDirectory`, writes `spec.json` and starts the supervisor detached: in its
    /// own session, stdin from `/dev/null`, its own output to `supervisor.log`, so neither the
    /// caller's death (even SIGKILL) nor a Ctrl-C to the caller's process group stops it.
    ///
    /// - Returns: the supervisor's pid.
    /// - Throws: `ExecutionError` when the directory cannot be prepared, was already used for an
    ///   attempt (starting twice would run the task twice), or the supervisor cannot be started.
    public func start(_ spec: AttemptSpec, in attemptDirectory: String) throws -> Int32 {
        let directory = AttemptDirectory(attemptDirectory)
        do {
            try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
        } catch {
            throw ExecutionError("cannot create attempt directory \(directory.path): \(error.localizedDescription)")
        }
        for used in [directory.supervisorPID, directory.result] where FileManager.default.fileExists(atPath: used) {
            throw ExecutionError("attempt directory \(directory.path) was already started (\(used) exists)")
        }
        try AttemptCoding.writeDurably(AttemptCoding.encode(spec), to: directory.spec)

        let pid = try children.withLock { children in
            let pid = try spawnProcess(SpawnOptions(
                arguments: supervisorCommand + [directory.path],
                environment: nil,
                standardOutput: directory.supervisorLog,
                standardError: directory.supervisorLog,
                newSession: true,
                // A SIGTERM from elsewhere (an operator, a service manager) then waits for the
                // supervisor's handlers instead of killing it without a result; see
                // SupervisorSignals.install. `cancel` does not rely on this.
                blockedSignals: [SIGTERM, SIGINT]))
            children.insert(pid)
            return pid
        }
        // So that `status` says running from the first moment. If this write fails the
        // supervisor still writes the same file itself as it starts.
        try? directory.writePID(pid)
        return pid
    }

    /// Non-blocking: `finished` once `result.json` exists; `running` while the supervisor named in
    /// `supervisor.pid` is alive; `lost` otherwise.
    public func status(of attemptDirectory: String) -> AttemptStatus {
        reapExitedChildren()
        let directory = AttemptDirectory(attemptDirectory)
        if let finished = finishedStatus(directory) { return finished }
        guard let pid = directory.readPID() else {
            return .lost("no result.json and no supervisor.pid in \(directory.path)")
        }
        let record = directory.readRecord()
        if ProcessTable.isAlive(pid, startTime: record?.pid == pid ? record?.startTime : nil) {
            return .running(pid: pid)
        }
        // The supervisor may have written its result and exited since the first look.
        if let finished = finishedStatus(directory) { return finished }
        return .lost("supervisor \(pid) is gone and left no result.json in \(directory.path)")
    }

    /// Asks the supervisor to stop the attempt: writes `cancel.requested`, which the supervisor
    /// checks before it starts the task and on every turn of its loop, and, once the task runs
    /// (the supervisor's handlers are then in place), SIGTERMs the supervisor to act at once. It
    /// stops the group and records `cancelled`. When the supervisor is already gone, SIGKILLs the
    /// recorded process group instead, as no one is left to escalate. Does nothing once a result
    /// exists, so it is idempotent.
    public func cancel(_ attemptDirectory: String) {
        reapExitedChildren()
        let directory = AttemptDirectory(attemptDirectory)
        if FileManager.default.fileExists(atPath: directory.result) { return }
        try? AttemptCoding.writeDurably(Data(), to: directory.cancelRequest)
        let record = directory.readRecord()
        if let pid = directory.readPID(),
           ProcessTable.isAlive(pid, startTime: record?.pid == pid ? record?.startTime : nil) {
            if record != nil { kill(pid, SIGTERM) }
        } else if let record, record.pgid > 1 {
            kill(-record.pgid, SIGKILL)
        }
    }

    /// Polls `status` every `interval` seconds until the attempt is finished or lost. Returns the
    /// current (running) status early if the calling task is cancelled.
    public func wait(for attemptDirectory: String, interval: Double = 0.02) async -> AttemptStatus {
        while true {
            let current = status(of: attemptDirectory)
            guard case .running = current, !Task.isCancelled else { return current }
            try? await Task.sleep(for: .seconds(interval))
        }
    }

    private func finishedStatus(_ directory: AttemptDirectory) -> AttemptStatus? {
        do {
            return try directory.readResult().map(AttemptStatus.finished)
        } catch {
            return .lost("\(error)")
        }
    }

    /// Reaps every supervisor of ours that has exited, so none lingers as a zombie.
    private func reapExitedChildren() {
        children.withLock { children in
            for pid in children {
                var status: Int32 = 0
                let reaped = waitpid(pid, &status, WNOHANG)
                if reaped == pid || (reaped < 0 && errno == ECHILD) { children.remove(pid) }
            }
        }
    }
}
