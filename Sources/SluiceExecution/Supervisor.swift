import Foundation

/// The body of the hidden `sluice __supervise DIR` subcommand: it owns one attempt's shell, its
/// process group, its timeout and its log files, and records how it ended in `DIR/result.json`
/// before exiting, so a controller that crashes meanwhile loses nothing.
public enum Supervisor {
    /// Reads `DIR/spec.json`, writes `DIR/supervisor.pid`, runs `/bin/sh -c command` in its own
    /// process group (stdout/stderr appended to `DIR/stdout.log`/`DIR/stderr.log`), enforces the
    /// timeout (SIGTERM to the group, SIGKILL after `killGrace`), turns SIGTERM/SIGINT to itself into
    /// the same stop recorded as `cancelled`, kills whatever the shell left in its group once the
    /// shell has exited, and writes `DIR/result.json` durably. A `DIR/cancel.requested` file
    /// (see `LocalExecutor.cancel`) counts as the same request as SIGTERM.
    ///
    /// - Returns: the status to exit with: the shell's exit code, or 1 when it has none, or when
    ///   the attempt was stopped although the shell exited 0.
    public static func run(attemptDirectory: String) -> Int32 {
        SupervisorSignals.install()
        SupervisorSignals.closeInheritedDescriptors()
        let directory = AttemptDirectory(attemptDirectory)
        let startedAt = Date()
        // The executor wrote this too; writing it here covers supervisors started some other way.
        try? directory.writePID(getpid())

        let result: AttemptResult
        do {
            guard let spec = try AttemptCoding.read(AttemptSpec.self, from: directory.spec) else {
                throw ExecutionError("no attempt specification at \(directory.spec)")
            }
            result = try supervise(spec, in: directory, startedAt: startedAt)
        } catch {
            // 127 is what a shell reports for a command it could not run.
            let summary = "could not start: \(error)"
            report(summary, to: directory.stderr)
            result = AttemptResult(exitCode: 127, startedAt: startedAt, endedAt: Date(), summary: summary)
        }

        do {
            try AttemptCoding.writeDurably(AttemptCoding.encode(result), to: directory.result)
        } catch {
            report("sluice supervisor: cannot record the result: \(error)", to: nil)
            return 1
        }
        if let code = result.exitCode, code != 0 || result.succeeded { return code }
        return 1
    }

    /// Starts the shell and waits for it, stopping it on timeout or request.
    static func supervise(_ spec: AttemptSpec, in directory: AttemptDirectory, startedAt: Date) throws -> AttemptResult {
        let stopRequested = { SupervisorSignals.stopRequested || directory.cancelRequested }
        if stopRequested() {
            return AttemptResult(exitCode: nil, cancelled: true, startedAt: startedAt, endedAt: Date())
        }
        guard chdir(spec.workingDirectory) == 0 else {
            throw ExecutionError.system("working directory \(spec.workingDirectory)")
        }
        let environment = ProcessInfo.processInfo.environment.merging(spec.environment) { $1 }
        let shell = try spawnProcess(SpawnOptions(
            arguments: ["/bin/sh", "-c", spec.command],
            environment: environment,
            standardOutput: directory.stdout,
            standardError: directory.stderr,
            newProcessGroup: true))
        // The shell leads its group, so its pid is the group id. Best effort: without this file a
        // cancel is noticed through cancel.requested alone and cannot reach the group after the
        // supervisor's own death.
        let record = SupervisorRecord(pid: getpid(), pgid: shell, startTime: ProcessTable.stat(of: getpid())?.startTime)
        try? AttemptCoding.writeDurably(AttemptCoding.encode(record), to: directory.supervisorRecord)

        var stop = StopSequence(group: shell, timeout: spec.timeout, grace: spec.killGrace, stopRequested: stopRequested)
        let status = stop.waitForExit(of: shell)
        // A finished attempt owns no processes: background jobs the shell left behind go too.
        kill(-shell, SIGKILL)
        let (exitCode, signal) = status.map(ProcessTable.decode(waitStatus:)) ?? (nil, nil)
        return AttemptResult(
            exitCode: exitCode, signal: signal, timedOut: stop.timedOut, cancelled: stop.cancelled,
            startedAt: startedAt, endedAt: Date(),
            summary: AttemptResult.describe(
                exitCode: exitCode, signal: signal, timedOut: stop.timedOut, cancelled: stop.cancelled,
                timeout: spec.timeout))
    }

    /// Appends a line to a log file (`nil`: only the supervisor's own stderr) and to stderr.
    private static func report(_ message: String, to path: String?) {
        let line = Array((message + "\n").utf8)
        if let path {
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            if fd >= 0 {
                _ = write(fd, line, line.count)
                close(fd)
            }
        }
        _ = write(2, line, line.count)
    }
}

/// The polling loop that waits for the shell and escalates a stop: SIGTERM to the whole group,
/// then SIGKILL once the grace period is over. Polling with short sleeps (cut short by SIGCHLD
/// and SIGTERM) keeps it free of threads and async-signal-safety pitfalls.
struct StopSequence {
    let group: pid_t
    let deadline: ContinuousClock.Instant?
    let grace: Duration
    /// Checked on every turn of the loop.
    let stopRequested: () -> Bool
    private(set) var timedOut = false
    private(set) var cancelled = false
    private var killAt: ContinuousClock.Instant?
    private var killed = false

    init(group: pid_t, timeout: Double?, grace: Double, stopRequested: @escaping () -> Bool) {
        self.group = group
        self.stopRequested = stopRequested
        self.deadline = timeout.map { ContinuousClock.now + .seconds(max(0, $0)) }
        self.grace = .seconds(max(0, grace))
    }

    /// The raw wait status, or `nil` if the shell could not be waited for.
    mutating func waitForExit(of pid: pid_t) -> Int32? {
        while true {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { return status }
            if reaped < 0 && errno != EINTR { return nil }

            let now = ContinuousClock.now
            if killAt == nil {
                if stopRequested() {
                    cancelled = true
                } else if let deadline, now >= deadline {
                    timedOut = true
                }
                if cancelled || timedOut {
                    kill(-group, SIGTERM)
                    killAt = now + grace
                }
            }
            if let killAt, !killed, now >= killAt {
                kill(-group, SIGKILL)
                killed = true
            }
            usleep(sleepMicroseconds(now: now))
        }
    }

    /// Until the next deadline, at most 50 ms (the bound on noticing a missed SIGCHLD), at least 1 ms.
    private func sleepMicroseconds(now: ContinuousClock.Instant) -> UInt32 {
        var wait = Duration.milliseconds(50)
        for event in [killed ? nil : killAt, killAt == nil ? deadline : nil].compactMap({ $0 }) {
            wait = min(wait, event - now)
        }
        let micro = wait.components.seconds * 1_000_000 + wait.components.attoseconds / 1_000_000_000_000
        return UInt32(max(1_000, min(micro, 50_000)))
    }
}
