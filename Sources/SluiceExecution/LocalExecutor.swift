import Foundation
import SluiceProcess
import Synchronization

/// Runs attempts on this machine, each under its own detached `sluice-supervisor` process.
///
/// All state lives in the attempt directories (see `AttemptFiles`), so any instance (in this process or in a
/// controller restarted after a crash) can report on, adopt and cancel any attempt.
public final class LocalExecutor: Executor {
    /// The argv prefix that runs the supervisor; the attempt directory is appended.
    public let supervisorCommand: [String]
    private let watcher = ProcessWatcher()
    private let handler = Mutex<(@Sendable (ExecutorEvent) -> Void)?>(nil)

    /// - Parameter supervisorCommand: e.g. `["/usr/local/bin/sluice-supervisor"]`.
    public init(supervisorCommand: [String]) {
        self.supervisorCommand = supervisorCommand
    }

    public func onEvent(_ handler: @escaping @Sendable (ExecutorEvent) -> Void) {
        self.handler.withLock { $0 = handler }
    }

    private func report(_ attempt: AttemptHandle) -> @Sendable () -> Void {
        { [self] in handler.withLock { $0 }?(.changed(attempt)) }
    }

    @discardableResult
    public func start(_ spec: AttemptSpec, for attempt: AttemptHandle) throws -> Int32? {
        let files = AttemptFiles(attempt.directory)
        guard case .notStarted = status(of: files) else {
            watch(attempt)
            return nil
        }
        let pid = try launch(spec, files: files, replacingSpec: !DurableFile.exists(files.spec))
        watcher.watch(pid: pid, stillOurs: { true }, ended: report(attempt))
        return pid
    }

    /// Creates the directory, writes `spec.json` and starts the supervisor detached: in its own session, stdin from
    /// `/dev/null`, its own output to `stderr.log`, so neither the caller's death (even SIGKILL) nor a Ctrl-C to
    /// the caller's process group stops it.
    ///
    /// - Returns: the supervisor's pid.
    /// - Throws: `ExecutionError` when the directory cannot be prepared, was already used for an attempt, or the
    ///   supervisor cannot be started.
    @discardableResult
    public func start(_ spec: AttemptSpec, in attemptDirectory: String) throws -> Int32 {
        let files = AttemptFiles(attemptDirectory)
        for used in [files.lock, files.result] where DurableFile.exists(used) {
            throw ExecutionError("attempt directory \(files.path) was already started (\(used) exists)")
        }
        let pid = try launch(spec, files: files, replacingSpec: true)
        // Watched only so that it is reaped when it ends, rather than linger as a zombie.
        watcher.watch(pid: pid, stillOurs: { true }, ended: {})
        return pid
    }

    private func launch(_ spec: AttemptSpec, files: AttemptFiles, replacingSpec: Bool) throws -> Int32 {
        if replacingSpec {
            do {
                try FileManager.default.createDirectory(atPath: files.path, withIntermediateDirectories: true)
            } catch {
                throw ExecutionError("cannot create attempt directory \(files.path): \(error.localizedDescription)")
            }
            // Not fsynced: a power cut ends every supervisor too, and an attempt that then has no spec is given it again.
            try AttemptCoding.write(AttemptCoding.encode(spec), to: files.spec, durable: false)
        }
        do {
            // Secrets travel in the supervisor's environment, which only this user can read, and never touch a file.
            let environment = spec.secrets.isEmpty ? nil
                : ProcessInfo.processInfo.environment.merging(spec.secrets) { $1 }.map { "\($0.key)=\($0.value)" }
            return try spawnProcess(SpawnOptions(
                arguments: supervisorCommand + [files.path],
                environment: environment,
                standardOutput: files.stderr,
                standardError: files.stderr,
                newSession: true,
                // A SIGTERM from elsewhere (an operator, a service manager) then waits for the supervisor's handlers
                // instead of killing it without a result; see SupervisorSignals.install. `cancel` does not rely on this.
                blockedSignals: [SIGTERM, SIGINT]))
        } catch {
            throw ExecutionError(error.message)
        }
    }

    public func status(of attempt: AttemptHandle) -> AttemptStatus {
        status(of: AttemptFiles(attempt.directory))
    }

    /// Non-blocking: `finished` once `result.json` exists; `running` while a supervisor holds the attempt's lock;
    /// `lost` when one claimed it and is gone without a result; `notStarted` when none ever claimed it.
    public func status(of attemptDirectory: String) -> AttemptStatus {
        status(of: AttemptFiles(attemptDirectory))
    }

    private func status(of files: AttemptFiles) -> AttemptStatus {
        if let finished = finishedStatus(files) { return finished }
        if files.isSupervised() { return .running(pid: files.readPID() ?? 0) }
        // The supervisor may have written its result and exited since the first look.
        if let finished = finishedStatus(files) { return finished }
        guard let pid = files.readPID() else { return .notStarted }
        return .lost("supervisor \(pid) is gone and left no result.json in \(files.path)")
    }

    public func watch(_ attempt: AttemptHandle) {
        let files = AttemptFiles(attempt.directory)
        let current = status(of: files)
        if case .running(let pid) = current, pid == 0 {
            // Claimed this instant, its pid not written yet: look again shortly rather than at once, which would spin.
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.005, execute: report(attempt))
            return
        }
        guard case .running(let pid) = current else {
            // Ended already, or not claimed yet: either way the engine should look again now.
            report(attempt)()
            return
        }
        watcher.watch(pid: pid, stillOurs: { files.isSupervised() && files.readPID() == pid }, ended: report(attempt))
    }

    public func cancel(_ attempt: AttemptHandle) { cancel(attempt.directory) }

    /// Asks the supervisor to stop the attempt: writes `cancel.requested`, which the supervisor checks before it
    /// starts the task and on every turn of its loop, and, once the task runs (the supervisor's handlers are then in
    /// place), SIGTERMs the supervisor to act at once. It stops the group and records `cancelled`. When the
    /// supervisor is already gone, SIGKILLs the recorded process group instead, as no one is left to escalate. Does
    /// nothing once a result exists, so it is idempotent.
    public func cancel(_ attemptDirectory: String) {
        let files = AttemptFiles(attemptDirectory)
        if DurableFile.exists(files.result) { return }
        try? AttemptCoding.write(Data(), to: files.cancelRequest, durable: true)
        if files.isSupervised() {
            if let claim = files.readClaim(), claim.group != nil { kill(claim.pid, SIGTERM) }
        } else if let claim = files.readClaim(), let group = claim.group, group > 1,
                  claim.groupStart == nil || AttemptFiles.startTime(of: group) == claim.groupStart {
            // The same leader that the supervisor recorded, not a process that reused its pid since.
            kill(-group, SIGKILL)
        }
    }

    public func logTail(of attempt: AttemptHandle, lines: Int) -> String {
        Self.tail(of: attempt.directory, lines: lines)
    }

    /// The pool's manifest lists this machine's nodes.
    public func nodes() throws -> [ExecutorNode]? { nil }

    /// Waits until the attempt is finished or lost, woken by the watcher (no polling); returns the current status
    /// early if the calling task is cancelled. For tests and one-off callers: the engine uses `onEvent`.
    public func wait(for attemptDirectory: String) async -> AttemptStatus {
        let files = AttemptFiles(attemptDirectory)
        while true {
            let current = status(of: files)
            switch current {
            case .finished, .lost: return current
            case .notStarted, .running:
                guard !Task.isCancelled else { return current }
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let once = Mutex(false)
                    let resume: @Sendable () -> Void = {
                        if !once.withLock({ let was = $0; $0 = true; return was }) { continuation.resume() }
                    }
                    if case .running(let pid) = current, pid > 0 {
                        watcher.watch(pid: pid, stillOurs: { files.isSupervised() && files.readPID() == pid }, ended: resume)
                    } else {
                        // Not claimed yet: look again shortly.
                        DispatchQueue.global().asyncAfter(deadline: .now() + 0.01, execute: resume)
                    }
                }
            }
        }
    }

    private func finishedStatus(_ files: AttemptFiles) -> AttemptStatus? {
        do {
            return try files.readResult().map(AttemptStatus.finished)
        } catch {
            return .lost("\(error)")
        }
    }
}
