import Foundation
import SluiceExecution
import Testing

/// Cancelling, crashes on either side, and adoption by a new executor.
@Suite(.timeLimit(.minutes(1))) struct AttemptLifecycleTests {
    @Test func cancelStopsTheGroupAndRecordsCancelled() async throws {
        try await Fixture.withTemporaryDirectory { root in
            let executor = try Fixture.executor()
            let attempt = root + "/a"
            _ = try executor.start(AttemptSpec(command: "sleep 30 & echo $! > pids; wait", workingDirectory: root), in: attempt)
            #expect(await Fixture.eventually { !Fixture.pids(in: root + "/pids").isEmpty })
            guard case .running = executor.status(of: attempt) else {
                Issue.record("expected running, got \(executor.status(of: attempt))")
                return
            }

            let started = Date()
            executor.cancel(attempt)
            let result = try await Fixture.result(executor, attempt)
            #expect(Date().timeIntervalSince(started) < 20, "promptly: the task alone would run 30 s")
            #expect(result.cancelled)
            #expect(!result.timedOut)
            #expect(!result.succeeded)
            #expect(result.summary == "cancelled")
            let sleeper = try #require(Fixture.pids(in: root + "/pids").first)
            #expect(await Fixture.eventually(timeout: 2) { Fixture.isGone(sleeper) })

            executor.cancel(attempt)   // idempotent: the recorded result stays
            #expect(executor.status(of: attempt) == .finished(result))
        }
    }

    @Test func cancelWhileTheSupervisorStartsUpIsNotLost() async throws {
        try await Fixture.withTemporaryDirectory { root in
            // A supervisor slow to start (a loaded machine): `flock -F` holds it back, without
            // forking, until the test releases the lock.
            let lock = root + "/startup.lock"
            let fd = open(lock, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
            try #require(fd >= 0 && flock(fd, LOCK_EX) == 0)
            let binary = try #require(Fixture.supervisorBinary)
            let executor = LocalExecutor(supervisorCommand: ["flock", "-F", lock, binary])
            _ = try executor.start(AttemptSpec(command: "sleep 30", workingDirectory: root), in: root + "/a")
            executor.cancel(root + "/a")   // lands before the supervisor has any signal handler
            flock(fd, LOCK_UN)
            close(fd)

            let result = try await Fixture.result(executor, root + "/a")
            #expect(result.cancelled)
            #expect(!Fixture.taskStarted(root + "/a"), "the task should never have started")
        }
    }

    @Test func supervisorOutlivesTheProcessThatStartedIt() async throws {
        try await Fixture.withTemporaryDirectory { root in
            let attempt = root + "/a"
            try FileManager.default.createDirectory(atPath: attempt, withIntermediateDirectories: true)
            // The task waits for a gate that opens only after its launcher has been SIGKILLed.
            let spec = AttemptSpec(command: "while [ ! -e gate ]; do sleep 0.02; done; echo finished", workingDirectory: root, timeout: 20)
            try JSONEncoder().encode(spec).write(to: URL(fileURLWithPath: attempt + "/spec.json"))
            let launcher = Process()
            launcher.executableURL = URL(fileURLWithPath: "/bin/sh")
            launcher.arguments = ["-c", #""$0" "$1" </dev/null >/dev/null 2>&1 & exec sleep 30"#,
                                  try #require(Fixture.supervisorBinary), attempt]
            try launcher.run()

            let executor = try Fixture.executor()   // adopts: it did not start this supervisor
            #expect(await Fixture.eventually { Fixture.taskStarted(attempt) })
            guard case .running(let pid) = executor.status(of: attempt) else {
                Issue.record("expected running, got \(executor.status(of: attempt))")
                return
            }
            // Polled rather than `waitUntilExit()`, which would hang on a supervisor that kept
            // Foundation's end of the launcher's socket pair open.
            kill(launcher.processIdentifier, SIGKILL)
            #expect(await Fixture.eventually { Fixture.isGone(launcher.processIdentifier) })
            #expect(executor.status(of: attempt) == .running(pid: pid))

            #expect(FileManager.default.createFile(atPath: root + "/gate", contents: nil))
            let result = try await Fixture.result(executor, attempt)
            #expect(result.succeeded)
            #expect(Fixture.read(attempt + "/stdout.log") == "finished\n")
        }
    }

    @Test func startedSupervisorIsDetachedFromItsCaller() async throws {
        try await Fixture.withTemporaryDirectory { root in
            let executor = try Fixture.executor()
            let attempt = root + "/a"
            // An inheritable pipe, like a controller's stray descriptor.
            var pipeFDs: [Int32] = [0, 0]
            try #require(pipe(&pipeFDs) == 0)
            defer { pipeFDs.forEach { close($0) } }
            let pid = try executor.start(AttemptSpec(command: "sleep 30", workingDirectory: root), in: attempt)
            defer { executor.cancel(attempt) }
            #expect(await Fixture.eventually { Fixture.taskStarted(attempt) })

            // Its own session and group: a Ctrl-C, a hangup or a group kill aimed at the caller misses it.
            #expect(getsid(pid) == pid)
            #expect(getpgid(pid) == pid)
            #expect(getsid(pid) != getsid(0))
            // Nothing ties it to the caller's pipes or sockets, whose closing would kill or hang it.
            let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")
            let targets = fds.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)") }
            #expect(targets.count == fds.count)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/0") == "/dev/null")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/1") == attempt + "/stderr.log")
            #expect(targets.allSatisfy { !$0.hasPrefix("pipe:") && !$0.hasPrefix("socket:") }, "\(targets)")
            // Its signals are not blocked, whatever the test runner had blocked.
            let status = Fixture.read("/proc/\(pid)/status")
            #expect(status.contains("SigBlk:\t0000000000000000"), "\(status)")
        }
    }

    @Test func newExecutorAdoptsRunningAndFinishedAttempts() async throws {
        try await Fixture.withTemporaryDirectory { root in
            let attempt = root + "/a"
            // A gate rather than a sleep: on a loaded machine a short task could end before anyone looked.
            let pid = try Fixture.executor().start(AttemptSpec(command: "while [ ! -e gate ]; do sleep 0.02; done; exit 7", workingDirectory: root), in: attempt)

            let adopter = try Fixture.executor()
            #expect(await Fixture.eventually { adopter.status(of: attempt) == .running(pid: pid) })
            #expect(FileManager.default.createFile(atPath: root + "/gate", contents: nil))
            let result = try await Fixture.result(adopter, attempt)
            #expect(result.exitCode == 7)
            #expect(try Fixture.executor().status(of: attempt) == .finished(result))
        }
    }

    @Test func recordedButNeverClaimedIsNotStartedAndStartsOnce() async throws {
        try await Fixture.withTemporaryDirectory { root in
            let executor = try Fixture.executor()
            // A controller killed in the launch window leaves a folder with no claimed supervisor.
            #expect(executor.status(of: root + "/a") == .notStarted)
            let spec = AttemptSpec(command: "echo ran >> runs", workingDirectory: root)
            let handle = AttemptHandle(id: 1, directory: root + "/a")
            try executor.start(spec, for: handle)
            // Started again by a second controller before the first supervisor claimed it: it still runs once.
            try executor.start(spec, for: handle)
            let result = try await Fixture.result(executor, root + "/a")
            #expect(result.succeeded)
            try executor.start(spec, for: handle)   // after the end: nothing happens
            try await Task.sleep(for: .milliseconds(200))
            #expect(Fixture.read(root + "/runs") == "ran\n")
        }
    }

    @Test func claimedWithoutResultAndNoSupervisorIsLost() async throws {
        try await Fixture.withTemporaryDirectory { root in
            let executor = try Fixture.executor()
            // The claim is written under the lock before the task starts: with no lock held, the supervisor died.
            try Data("4242\n".utf8).write(to: URL(fileURLWithPath: root + "/supervisor.lock"))
            guard case .lost(let reason) = executor.status(of: root) else {
                Issue.record("expected lost, got \(executor.status(of: root))")
                return
            }
            #expect(reason.contains("4242"))

            // The same folder with its lock held by a live process means running.
            let fd = open(root + "/supervisor.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
            defer { close(fd) }
            try #require(fd >= 0 && flock(fd, LOCK_EX) == 0)
            #expect(executor.status(of: root) == .running(pid: 4242))
        }
    }

    @Test func supervisorKilledMidRunIsLostAndCancelStillStopsTheTask() async throws {
        try await Fixture.withTemporaryDirectory { root in
            let executor = try Fixture.executor()
            let attempt = root + "/a"
            let pid = try executor.start(AttemptSpec(command: "echo $$ > pids; sleep 30", workingDirectory: root), in: attempt)
            #expect(await Fixture.eventually { !Fixture.pids(in: root + "/pids").isEmpty })
            #expect(await Fixture.eventually { Fixture.taskStarted(attempt) })
            kill(pid, SIGKILL)

            let status = await executor.wait(for: attempt)
            guard case .lost = status else {
                Issue.record("expected lost, got \(status)")
                return
            }
            let shell = try #require(Fixture.pids(in: root + "/pids").first)
            #expect(!Fixture.isGone(shell), "the orphaned task should still run until cancelled")
            executor.cancel(attempt)
            #expect(await Fixture.eventually(timeout: 2) { Fixture.isGone(shell) })
        }
    }

    @Test func startRefusesAUsedDirectoryAndNamesAMissingSupervisor() async throws {
        try await Fixture.withTemporaryDirectory { root in
            let executor = try Fixture.executor()
            let spec = AttemptSpec(command: "true", workingDirectory: root)
            _ = try executor.start(spec, in: root + "/a")
            _ = try await Fixture.result(executor, root + "/a")
            let again = #expect(throws: ExecutionError.self) { try executor.start(spec, in: root + "/a") }
            #expect(again?.message.contains(root + "/a") == true)

            let broken = LocalExecutor(supervisorCommand: [root + "/no-such-sluice-supervisor"])
            let missing = #expect(throws: ExecutionError.self) { try broken.start(spec, in: root + "/b") }
            #expect(missing?.description.contains(root + "/no-such-sluice-supervisor") == true)
        }
    }
}
