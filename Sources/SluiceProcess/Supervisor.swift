#if canImport(Glibc)
import Glibc
#endif
import CSluiceSystem

/// The body of `sluice-supervisor DIR`: it owns one attempt's shell, its process group, its timeout and its log
/// files, and records how it ended in `DIR/result.json` before exiting, so a controller that crashes meanwhile
/// loses nothing. It links nothing but the Swift runtime, so starting it costs close to a fork/exec.
public enum Supervisor {
    /// Claims the attempt (see `AttemptFiles`), reads `DIR/spec.json`, runs `/bin/sh -c command` in its own process
    /// group (stdout/stderr appended to `DIR/stdout.log`/`DIR/stderr.log`), enforces the timeout (SIGTERM to the group,
    /// SIGKILL after `killGrace`), turns SIGTERM/SIGINT to itself into the same stop recorded as `cancelled`, kills
    /// whatever the shell left in its group once the shell has exited, and writes `DIR/result.json` durably. A
    /// `DIR/cancel.requested` file counts as the same request as SIGTERM.
    ///
    /// - Returns: the status to exit with: the shell's exit code, or 1 when it has none, or when the attempt was
    ///   stopped although the shell exited 0. 0 without running anything when another supervisor claimed the attempt.
    public static func run(attemptDirectory: String) -> Int32 {
        SupervisorSignals.install()
        SupervisorSignals.closeInheritedDescriptors()
        let files = AttemptFiles(attemptDirectory)
        let startedAt = wallClock()
        let lock: Int32
        do {
            // Claimed before: this start was a duplicate (a controller that crashed and started it again).
            guard let claimed = try files.claim() else { return 0 }
            lock = claimed
            try AttemptFiles.writeClaim(lock, pid: getpid())
        } catch {
            report("sluice-supervisor: \(error)")
            return 1
        }

        let result: JSONValue
        let exitCode: Int32?
        let succeeded: Bool
        do {
            guard let bytes = DurableFile.read(files.spec) else { throw SystemError("no attempt specification at \(files.spec)") }
            guard let spec = SupervisorSpec(JSONValue.parse(bytes)) else { throw SystemError("\(files.spec) is not a valid attempt specification") }
            let ended = try supervise(spec, files: files, lock: lock)
            exitCode = ended.exitCode
            succeeded = ended.exitCode == 0 && !ended.timedOut && !ended.cancelled
            result = .object([
                "exitCode": ended.exitCode.map { .number(Double($0)) } ?? .null,
                "signal": ended.signal.map { .number(Double($0)) } ?? .null,
                "timedOut": .bool(ended.timedOut), "cancelled": .bool(ended.cancelled),
                "startedAt": .number(startedAt), "endedAt": .number(wallClock()), "supervisorPID": .number(Double(getpid())),
                "summary": .string(AttemptSummary.describe(exitCode: ended.exitCode, signal: ended.signal, timedOut: ended.timedOut,
                                                           cancelled: ended.cancelled, timeout: spec.timeout)),
            ])
        } catch {
            // 127 is what a shell reports for a command it could not run.
            let summary = "could not start: \(error)"
            report(summary)
            (exitCode, succeeded) = (127, false)
            result = .object(["exitCode": .number(127), "timedOut": .bool(false), "cancelled": .bool(false),
                              "startedAt": .number(startedAt), "endedAt": .number(wallClock()),
                              "supervisorPID": .number(Double(getpid())), "summary": .string(summary)])
        }
        guard record(result, in: files) else { return 1 }
        if let exitCode, exitCode != 0 || succeeded { return exitCode }
        return 1
    }

    /// Writes `result.json`. When the folder cannot take it (read-only for a while, a full disk), the outcome is not
    /// given up: the supervisor keeps its claim, so the attempt still reads as running, and tries again with back-off
    /// until the write succeeds, it is asked to stop, or its attempt folder is gone; false in the last two cases.
    static func record(_ result: JSONValue, in files: AttemptFiles) -> Bool {
        var delay = 0.05
        var reported = false
        while true {
            do {
                try DurableFile.write(Array(result.encoded.utf8), to: files.result)
                if reported { report("sluice-supervisor: recorded the result") }
                return true
            } catch {
                if SupervisorSignals.stopRequested || files.cancelRequested {
                    report("sluice-supervisor: cannot record the result, and asked to stop: \(error)")
                    return false
                }
                // The attempt folder itself is gone (the state directory removed, its volume unmounted): nobody will
                // ever read a result here, nor ask this orphan to stop.
                var info = stat()
                if stat(files.path, &info) != 0 {
                    report("sluice-supervisor: cannot record the result: the attempt folder \(files.path) is gone")
                    return false
                }
                if !reported {
                    report("sluice-supervisor: cannot record the result yet (\(error)); trying again until it can")
                    reported = true
                }
                var pause = timespec(tv_sec: Int(delay), tv_nsec: Int((delay - delay.rounded(.down)) * 1e9))
                _ = nanosleep(&pause, nil)
                delay = min(delay * 2, 2)
            }
        }
    }

    struct Ended {
        var exitCode: Int32?
        var signal: Int32?
        var timedOut = false
        var cancelled = false
    }

    /// Starts the shell and waits for it, stopping it on timeout or request.
    static func supervise(_ spec: SupervisorSpec, files: AttemptFiles, lock: Int32) throws(SystemError) -> Ended {
        let stopRequested = { SupervisorSignals.stopRequested || files.cancelRequested }
        if stopRequested() { return Ended(cancelled: true) }
        guard chdir(spec.workingDirectory) == 0 else { throw SystemError("working directory \(spec.workingDirectory)", code: errno) }
        // Secret values come in the supervisor's own environment and reach the shell the same way. (On a cluster, the
        // job script reads them from a mode-0600 file in the attempt folder and deletes it before starting us.)
        let masker = SecretMasker(values: spec.secretVariables.compactMap { getenv($0).map { Array(String(cString: $0).utf8) } })
        let outputs = masker.isEmpty ? [] : [try MaskedOutput(logFile: files.stdout, masker: masker),
                                             try MaskedOutput(logFile: files.stderr, masker: masker)]
        var options = SpawnOptions(arguments: ["/bin/sh", "-c", spec.command], environment: mergedEnvironment(spec.environment),
                                   standardOutput: files.stdout, standardError: files.stderr, newProcessGroup: true)
        if !outputs.isEmpty { options.outputDescriptors = (outputs[0].writeEnd, outputs[1].writeEnd) }
        let started = Result { () throws(SystemError) in try spawnProcess(options) }
        for output in outputs { output.closeWriteEnd() }
        let shell = try started.get()
        // The shell leads its group, so its pid is the group id. Best effort: without it a cancel is noticed through
        // cancel.requested alone and cannot reach the group after the supervisor's own death.
        try? AttemptFiles.writeClaim(lock, pid: getpid(), group: shell, groupStart: AttemptFiles.startTime(of: shell))
        var stop = StopSequence(group: shell, timeout: spec.timeout, grace: spec.killGrace, stopRequested: stopRequested)
        let status = stop.waitForExit(of: shell, pumping: outputs)
        // A finished attempt owns no processes: background jobs the shell left behind go too.
        kill(-shell, SIGKILL)
        StopSequence.drain(outputs)
        let (exitCode, signal) = status.map(decodeWaitStatus) ?? (nil, nil)
        // A cluster's engine, asked to stop a job, may signal every process in it at once (Ray does): the task can
        // then die of that signal before this loop sees the request. It is still the cancel that killed it.
        let cancelled = stop.cancelled || (!stop.timedOut && signal != nil && stopRequested())
        return Ended(exitCode: exitCode, signal: signal, timedOut: stop.timedOut, cancelled: cancelled)
    }

    /// Our environment with the spec's variables over it.
    private static func mergedEnvironment(_ overrides: [String: String]) -> [String] {
        var merged: [String] = []
        var index = 0
        while let entry = environ[index] {
            let text = String(cString: entry)
            let name = text.split(separator: "=", maxSplits: 1).first.map(String.init) ?? text
            if overrides[name] == nil { merged.append(text) }
            index += 1
        }
        return merged + overrides.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    static func wallClock() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Writes a line to the supervisor's stderr: the attempt's `stderr.log` when the executor started it.
    private static func report(_ message: String) {
        let line = Array((message + "\n").utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress!, line.count) }
    }
}

/// What the supervisor reads from `spec.json` (written by `LocalExecutor` from an `AttemptSpec`).
struct SupervisorSpec {
    var command: String
    var workingDirectory: String
    var environment: [String: String]
    var timeout: Double?
    var killGrace: Double
    /// Variables whose values are secrets, to mask in the task's output; the values are in our environment.
    var secretVariables: [String]

    init?(_ json: JSONValue?) {
        guard let json, let command = json["command"]?.string, let workingDirectory = json["workingDirectory"]?.string else { return nil }
        self.command = command
        self.workingDirectory = workingDirectory
        var environment: [String: String] = [:]
        if case .object(let members)? = json["environment"] {
            for (name, value) in members { environment[name] = value.string }
        }
        self.environment = environment
        self.timeout = json["timeout"]?.number
        self.killGrace = json["killGrace"]?.number ?? 5
        if case .array(let names)? = json["secretVariables"] {
            secretVariables = names.compactMap(\.string)
        } else {
            secretVariables = []
        }
    }
}

/// Waits for the shell and escalates a stop: SIGTERM to the whole group, then SIGKILL once the grace period is over.
/// It sleeps in `poll` on the shell's pidfd, so the shell's end wakes it at once; SIGTERM to the supervisor cuts the
/// sleep short too, and the timeout is the next deadline. No threads, and nothing done in a signal handler.
struct StopSequence {
    let group: pid_t
    let deadline: ContinuousClock.Instant?
    let grace: Duration
    /// Checked on every wake-up.
    let stopRequested: () -> Bool
    private(set) var timedOut = false
    private(set) var cancelled = false
    private var killAt: ContinuousClock.Instant?
    private var killed = false

    /// Timeouts beyond a century are no timeout: the clock's arithmetic must not overflow.
    init(group: pid_t, timeout: Double?, grace: Double, stopRequested: @escaping () -> Bool) {
        self.group = group
        self.stopRequested = stopRequested
        let century = 100 * 365 * 86_400.0
        self.deadline = timeout.flatMap { $0.isFinite && $0 < century ? ContinuousClock.now + .seconds(max(0, $0)) : nil }
        self.grace = .seconds(grace.isFinite ? min(max(0, grace), century) : 5)
    }

    /// The raw wait status, or `nil` if the shell could not be waited for. Copies masked output meanwhile.
    mutating func waitForExit(of pid: pid_t, pumping outputs: [MaskedOutput] = []) -> Int32? {
        let exited = csluice_pidfd_open(pid)
        defer { if exited >= 0 { close(exited) } }
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
            let watch = (exited >= 0 ? [exited] : []) + outputs.map(\.readEnd).filter { $0 >= 0 }
            var polled = watch.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            _ = poll(&polled, nfds_t(polled.count), timeoutMilliseconds(now: now, pidfd: exited >= 0))
            for output in outputs { output.pump() }
        }
    }

    /// Copies what the task's group wrote before it was killed, until the pipes end or, when a process that left the
    /// group still holds them, for a second at most.
    static func drain(_ outputs: [MaskedOutput]) {
        let until = ContinuousClock.now + .seconds(1)
        while case let open = outputs.filter({ $0.readEnd >= 0 }), !open.isEmpty, ContinuousClock.now < until {
            var polled = open.map { pollfd(fd: $0.readEnd, events: Int16(POLLIN), revents: 0) }
            _ = poll(&polled, nfds_t(polled.count), 100)
            for output in open { output.pump() }
        }
        for output in outputs { output.end() }
    }

    /// Until the next deadline, at least 1 ms. Without a deadline, a second: a `cancel.requested` written in the
    /// instant before the supervisor's signal handlers were known to the canceller comes with no signal, so it is
    /// looked for now and then. Without a pidfd (an old kernel), 50 ms, the bound on noticing the shell's end.
    private func timeoutMilliseconds(now: ContinuousClock.Instant, pidfd: Bool) -> Int32 {
        var wait = pidfd ? Duration.seconds(1) : .milliseconds(50)
        for event in [killed ? nil : killAt, killAt == nil ? deadline : nil].compactMap({ $0 }) {
            wait = min(wait, event - now)
        }
        let milliseconds = wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000
        return Int32(max(1, min(milliseconds, 1000)))
    }
}
