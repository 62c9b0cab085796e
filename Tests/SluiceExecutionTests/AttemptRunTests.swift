import Foundation
import SluiceExecution
import Testing

/// How one attempt runs and ends under the supervisor.
@Suite(.timeLimit(.minutes(1))) struct AttemptRunTests {
    @Test func successfulCommandCapturesOutputEnvironmentAndDirectory() async throws {
        try await Fixture.withTemporaryDirectory { root in
            let workdir = root + "/checkout"
            try FileManager.default.createDirectory(atPath: workdir, withIntermediateDirectories: true)
            let executor = try Fixture.executor()
            let attempt = root + "/attempt-1"
            let spec = AttemptSpec(
                command: #"echo hello; echo "out=$SLUICE_OUTPUT"; pwd -P; echo oops >&2"#,
                workingDirectory: workdir,
                environment: ["SLUICE_OUTPUT": "/data/out"])
            let pid = try executor.start(spec, in: attempt)
            #expect(pid > 0)

            let result = try await Fixture.result(executor, attempt)
            #expect(result.succeeded)
            #expect(result.exitCode == 0)
            #expect(result.signal == nil)
            #expect(result.summary == "exit code 0")
            #expect(result.endedAt >= result.startedAt)
            #expect(Fixture.read(attempt + "/stdout.log") == "hello\nout=/data/out\n\(workdir)\n")
            #expect(Fixture.read(attempt + "/stderr.log") == "oops\n")
            // Reaped by the executor that started it, not left as a zombie.
            #expect(await Fixture.eventually { _ = executor.status(of: attempt); return kill(pid, 0) != 0 })
        }
    }

    @Test func failingCommandReportsItsExitCode() async throws {
        try await Fixture.withTemporaryDirectory { root in
            let executor = try Fixture.executor()
            let result = try await {
                _ = try executor.start(AttemptSpec(command: "echo before; exit 3", workingDirectory: root), in: root + "/a")
                return try await Fixture.result(executor, root + "/a")
            }()
            #expect(result.exitCode == 3)
            #expect(result.signal == nil)
            #expect(!result.succeeded)
            #expect(result.summary == "exit code 3")
        }
    }

    @Test func supervisorExitsWithTheCommandsExitCode() async throws {
        try await Fixture.withTemporaryDirectory { root in
            let spec = AttemptSpec(command: "exit 3", workingDirectory: root)
            let data = try JSONEncoder().encode(spec)
            try data.write(to: URL(fileURLWithPath: root + "/spec.json"))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(Fixture.supervisorBinary))
            process.arguments = [root]
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 3)
            #expect(FileManager.default.fileExists(atPath: root + "/result.json"))
            #expect(Fixture.read(root + "/supervisor.lock").hasPrefix("\(process.processIdentifier) "))
        }
    }

    @Test func timeoutStopsTheWholeProcessGroup() async throws {
        try await Fixture.withTemporaryDirectory { root in
            let executor = try Fixture.executor()
            let attempt = root + "/a"
            // A background sleep and a foreground one, both children of the task's shell.
            let command = #"sleep 30 & echo $! > pids; sh -c 'echo $$ >> pids; exec sleep 30'; wait"#
            _ = try executor.start(AttemptSpec(command: command, workingDirectory: root, timeout: 0.5, killGrace: 2), in: attempt)
            let result = try await Fixture.result(executor, attempt)

            // What ended the shell, rather than how long it took: a loaded machine stretches times, not signals.
            #expect(result.signal == SIGTERM, "SIGTERM alone should have ended it, not the SIGKILL after the grace")
            #expect(result.timedOut)
            #expect(!result.succeeded)
            #expect(result.summary == "timed out after 500ms")
            let pids = Fixture.pids(in: root + "/pids")
            #expect(pids.count == 2)
            for pid in pids {
                #expect(await Fixture.eventually(timeout: 2) { Fixture.isGone(pid) }, "sleep \(pid) survived")
            }
        }
    }

    @Test func timeoutEscalatesToSIGKILLAfterTheGrace() async throws {
        try await Fixture.withTemporaryDirectory { root in
            let executor = try Fixture.executor()
            let started = Date()
            let spec = AttemptSpec(command: "trap '' TERM; sleep 30; echo survived", workingDirectory: root, timeout: 0.3, killGrace: 0.5)
            _ = try executor.start(spec, in: root + "/a")
            let result = try await Fixture.result(executor, root + "/a")
            let elapsed = Date().timeIntervalSince(started)

            // Not before the grace is over; how long after depends on the machine's load, and the suite's time limit
            // catches a hang.
            #expect(elapsed >= 0.75, "took \(elapsed)s")
            #expect(result.timedOut)
            #expect(result.signal == SIGKILL)
            #expect(result.exitCode == nil)
            #expect(result.summary == "timed out after 300ms")
            #expect(!Fixture.read(root + "/a/stdout.log").contains("survived"))
        }
    }

    @Test func missingWorkingDirectoryIsReportedAndNothingRuns() async throws {
        try await Fixture.withTemporaryDirectory { root in
            let executor = try Fixture.executor()
            let spec = AttemptSpec(command: "touch \(root)/ran", workingDirectory: root + "/nowhere")
            _ = try executor.start(spec, in: root + "/a")
            let result = try await Fixture.result(executor, root + "/a")

            #expect(!result.succeeded)
            #expect(result.summary.hasPrefix("could not start: working directory \(root)/nowhere"))
            #expect(Fixture.read(root + "/a/stderr.log").contains(root + "/nowhere"))
            #expect(!FileManager.default.fileExists(atPath: root + "/ran"))
        }
    }

    @Test func outputIsAppendedNotTruncated() async throws {
        try await Fixture.withTemporaryDirectory { root in
            let attempt = root + "/a"
            try FileManager.default.createDirectory(atPath: attempt, withIntermediateDirectories: true)
            try Data("earlier\n".utf8).write(to: URL(fileURLWithPath: attempt + "/stdout.log"))
            let executor = try Fixture.executor()
            _ = try executor.start(AttemptSpec(command: "echo later", workingDirectory: root), in: attempt)
            _ = try await Fixture.result(executor, attempt)
            #expect(Fixture.read(attempt + "/stdout.log") == "earlier\nlater\n")
        }
    }

    @Test func tailShowsStdoutThenStderrEndings() async throws {
        try await Fixture.withTemporaryDirectory { root in
            let executor = try Fixture.executor()
            let command = "for i in 1 2 3 4 5; do echo out$i; done; echo err1 >&2; echo err2 >&2"
            _ = try executor.start(AttemptSpec(command: command, workingDirectory: root), in: root + "/a")
            _ = try await Fixture.result(executor, root + "/a")

            #expect(LocalExecutor.tail(of: root + "/a", lines: 4) == "out4\nout5\nerr1\nerr2\n")
            #expect(LocalExecutor.tail(of: root + "/a", lines: 1) == "err2\n")
            #expect(LocalExecutor.tail(of: root + "/a", lines: 100).split(separator: "\n").count == 7)
            #expect(LocalExecutor.tail(of: root + "/missing", lines: 5) == "")
        }
    }

    @Test func tailOfLargeLogsWithLongLines() async throws {
        try await Fixture.withTemporaryDirectory { root in
            let long = String(repeating: "x", count: 10_000)
            let lines = (1...20_000).map { "line \($0)" } + [long, "last"]
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: root + "/stdout.log"))
            #expect(LocalExecutor.tail(of: root, lines: 3) == "line 20000\n\(long)\nlast\n")
            #expect(LocalExecutor.tail(of: root, lines: 500).hasPrefix("line 19503\n"))
            // No trailing newline: the unfinished last line still counts.
            try Data("a\nb".utf8).write(to: URL(fileURLWithPath: root + "/stderr.log"))
            #expect(LocalExecutor.tail(of: root, lines: 3) == "last\na\nb\n")
        }
    }

    @Test(arguments: [
        (0.5, "500ms"), (1.5, "1.5s"), (42, "42s"), (90, "1m30s"), (600, "10m"), (7200, "2h"), (3900, "1h5m"),
    ])
    func durationsReadLikeManifests(seconds: Double, text: String) {
        #expect(AttemptResult.formatDuration(seconds) == text)
    }
}
