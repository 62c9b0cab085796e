import Foundation
import Testing

/// What operators do beside git: reruns, suspending a workflow, schedules in a time zone.
@Suite struct OperationsTests {
    /// Lines each task appended to a file outside the state: how many times it really ran.
    private func runs(_ log: URL) -> [String] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    private func statusJSON(_ state: URL) throws -> [String: Any] {
        let status = try sluice("status", "w", "--state", state.path, "--output", "json")
        return try #require((try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])?.first, "\(status.stdout)\(status.stderr)")
    }

    private func task(_ status: [String: Any], _ name: String) -> [String: Any]? {
        (status["tasks"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    @Test func rerunRunsATaskAgainAtItsFingerprintAsAskedFor() throws {
        let folder = try TemporaryFolder()
        let log = folder.url.appendingPathComponent("ran.log")
        try folder.write("repo/sluice.yaml", controllerManifest("""
            - {name: a, run: "echo a >> \(log.path)"}
            - {name: b, run: "echo b >> \(log.path)", needs: [a]}
            - {name: c, run: "echo c >> \(log.path)"}
        """))
        let repo = folder.url.appendingPathComponent("repo")
        try commitAll(in: repo, initialize: true)
        let state = folder.url.appendingPathComponent("state")
        #expect(try sluice("apply", "--repo", repo.path, "--state", state.path).status == 0)
        #expect(runs(log).sorted() == ["a", "b", "c"])

        let plan = try sluice("plan", "--repo", repo.path, "--state", state.path)
        #expect(plan.stdout.contains("up to date"))
        // No controller owns the state: the command makes the pass itself and waits for it.
        let rerun = try sluice("rerun", "w/a", "--by", "alice", "--repo", repo.path, "--state", state.path)
        #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
        #expect(rerun.stdout.contains("Rerunning w/a, as alice."))
        #expect(runs(log).sorted() == ["a", "a", "b", "c"], "b's inputs did not change, so it does not run")
        let status = try statusJSON(state)
        #expect(task(status, "a")?["requestedBy"] as? String == "alice")
        #expect(task(status, "a")?["attempts"] as? Int == 2)
        #expect(task(status, "b")?["requestedBy"] == nil)
        let text = try sluice("status", "--state", state.path)
        #expect(text.stdout.contains("rerun by alice"), "\(text.stdout)")

        let downstream = try sluice("rerun", "w/a", "--downstream", "--by", "bob", "--repo", repo.path, "--state", state.path)
        #expect(downstream.status == 0, "\(downstream.stdout)\(downstream.stderr)")
        #expect(downstream.stdout.contains("Rerunning w/a, w/b, as bob."))
        #expect(runs(log).sorted() == ["a", "a", "a", "b", "b", "c"])
        #expect(task(try statusJSON(state), "b")?["requestedBy"] as? String == "bob")

        let unknown = try sluice("rerun", "w/nope", "--repo", repo.path, "--state", state.path)
        #expect(unknown.status == 3)
        #expect(unknown.stderr.contains("workflow 'w' has no task 'nope'; its tasks are a, b, c"), "\(unknown.stderr)")
        #expect(try sluice("rerun", "w", "--repo", repo.path, "--state", state.path).status == 2)
    }

    @Test func aControllerRunsARerunAtOnce() throws {
        let folder = try TemporaryFolder()
        let log = folder.url.appendingPathComponent("ran.log")
        try folder.write("repo/sluice.yaml", controllerManifest("    - {name: a, run: \"echo a >> \(log.path)\"}"))
        let repo = folder.url.appendingPathComponent("repo")
        try commitAll(in: repo, initialize: true)
        let state = folder.url.appendingPathComponent("state")
        // A resync only every 10 minutes: the rerun must arrive as an event, not on the timer.
        let controller = try RunningController(repo: repo, state: state, arguments: ["--interval", "10m"])
        defer { controller.stop() }
        #expect(eventually { runs(log).count == 1 }, "\(controller.output)")
        let rerun = try sluice("rerun", "w/a", "--by", "carol", "--repo", repo.path, "--state", state.path)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.contains("Asked the controller (pid \(controller.process.processIdentifier)) to rerun w/a, as carol"), "\(rerun.stdout)")
        #expect(eventually(timeout: 10) { runs(log).count == 2 }, "\(controller.output)")
        #expect(eventually { (try? statusJSON(state)).flatMap { task($0, "a")?["requestedBy"] as? String } == "carol" })
    }

    @Test func aSuspendedWorkflowStartsNothingNewAndLetsRunningWorkFinish() throws {
        let folder = try TemporaryFolder()
        let log = folder.url.appendingPathComponent("ran.log")
        let repo = folder.url.appendingPathComponent("repo")
        func manifest(suspend: Bool, version: Int) -> String {
            controllerManifest("""
                - {name: slow, run: "sleep 2; echo slow\(version) >> \(log.path)"}
                - {name: quick, run: "echo quick\(version) >> \(log.path)"}
            """).replacingOccurrences(of: "  pool: local\n", with: "  pool: local\n  suspend: \(suspend)\n")
        }
        try folder.write("repo/sluice.yaml", manifest(suspend: false, version: 1))
        try commitAll(in: repo, initialize: true)
        let state = folder.url.appendingPathComponent("state")
        let controller = try RunningController(repo: repo, state: state)
        defer { controller.stop() }
        #expect(eventually { runs(log).contains("quick1") })
        // Suspended while slow runs, in the same commit as a change to both: slow's attempt is not cancelled.
        try folder.write("repo/sluice.yaml", manifest(suspend: true, version: 2))
        try commitAll(in: repo, message: "suspend")
        #expect(eventually { (try? statusJSON(state))?["phase"] as? String == "suspended" }, "\(controller.output)")
        #expect(eventually(timeout: 10) { runs(log).contains("slow1") }, "the running attempt finishes")
        Thread.sleep(forTimeInterval: 1.5)
        #expect(!runs(log).contains("quick2") && !runs(log).contains("slow2"), "nothing new starts: \(runs(log))")
        let plan = try sluice("plan", "--repo", repo.path, "--state", state.path)
        #expect(plan.stdout.contains("suspended"), "\(plan.stdout)")
        #expect(plan.stdout.contains("the workflow is suspended (spec.suspend: true); when resumed: rerun"), "\(plan.stdout)")
        // Resumed: the work waiting runs, and suspending changed no fingerprint.
        try folder.write("repo/sluice.yaml", manifest(suspend: false, version: 2))
        try commitAll(in: repo, message: "resume")
        #expect(eventually { runs(log).contains("quick2") && runs(log).contains("slow2") }, "\(controller.output)")
        #expect(eventually { (try? statusJSON(state))?["phase"] as? String == "succeeded" })
    }

    @Test func aScheduleInATimeZoneShowsItsNextRunAndTicksOnTime() throws {
        let folder = try TemporaryFolder()
        let log = folder.url.appendingPathComponent("ran.log")
        let repo = folder.url.appendingPathComponent("repo")
        try folder.write("repo/sluice.yaml", controllerManifest("    - {name: tick, run: \"date +%s.%N >> \(log.path)\"}")
            .replacingOccurrences(of: "  pool: local\n", with: "  pool: local\n  schedule: \"* * * * *\"\n  timezone: Asia/Kolkata\n"))
        try commitAll(in: repo, initialize: true)
        let state = folder.url.appendingPathComponent("state")
        // The resync is far away: only the tick itself can start the second run.
        let controller = try RunningController(repo: repo, state: state, arguments: ["--interval", "10m"])
        defer { controller.stop() }
        #expect(eventually { runs(log).count == 1 }, "\(controller.output)")
        let status = try statusJSON(state)
        let schedule = try #require(status["schedule"] as? [String: Any], "\(status)")
        #expect(schedule["timeZone"] as? String == "Asia/Kolkata" && schedule["cron"] as? String == "* * * * *")
        let next = try #require((schedule["nextRun"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
        #expect(next.timeIntervalSince1970.truncatingRemainder(dividingBy: 60) == 0 && next > Date() && next <= Date().addingTimeInterval(61))
        #expect(eventually(timeout: 70) { runs(log).count == 2 }, "\(controller.output)")
        let started = try #require(Double(runs(log)[1]))
        #expect(started - next.timeIntervalSince1970 < 1.5, "the tick's run started \(started - next.timeIntervalSince1970) s after it")
        let text = try sluice("status", "--state", state.path)
        #expect(text.stdout.contains("schedule \"* * * * *\" (Asia/Kolkata): next run "), "\(text.stdout)")
    }

    /// Whether a process whose command line holds `marker` runs.
    private func running(_ marker: String) throws -> Bool {
        try run("/usr/bin/pgrep", ["-f", marker]).status == 0
    }

    @Test func stopEndsWhatAStoppedControllerLeftRunning() throws {
        let folder = try TemporaryFolder()
        let repo = folder.url.appendingPathComponent("repo")
        try folder.write("repo/sluice.yaml", controllerManifest("""
            - {name: long, run: "sleep 31.4159"}
            - name: web
              service: {run: 'exec python3 -m http.server $SLUICE_PORT --bind 127.0.0.1', health: {http: /}}
        """))
        try commitAll(in: repo, initialize: true)
        let state = folder.url.appendingPathComponent("state")
        let controller = try RunningController(repo: repo, state: state)
        defer { controller.stop() }
        #expect(eventually { (try? statusJSON(state)).flatMap { task($0, "web")?["service"] as? [String: Any] }?["healthy"] as? Bool == true },
                "\(controller.output)")
        #expect(try running("sleep 31.4159"))
        let refused = try sluice("stop", "--state", state.path)
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("stop that controller first"), "\(refused.stderr)")
        // SIGTERM drains: the controller goes, its supervisors stay for the next one to adopt.
        kill(controller.process.processIdentifier, SIGTERM)
        controller.process.waitUntilExit()
        #expect(try running("sleep 31.4159"))

        let stopped = try sluice("stop", "--state", state.path)
        #expect(stopped.status == 0, "\(stopped.stdout)\(stopped.stderr)")
        #expect(stopped.stdout.contains("■ w/web  service stopped") && stopped.stdout.contains("■ w/long  attempt 1 stopped"), "\(stopped.stdout)")
        #expect(!(try running("sleep 31.4159")))
        let status = try statusJSON(state)
        #expect(task(status, "long")?["phase"] as? String == "cancelled")
        #expect(task(status, "web")?["message"] as? String == "stopped by `sluice stop`")
        #expect(try sluice("stop", "--state", state.path).stdout.contains("Nothing runs under"))
    }

    @Test func gcRemovesWhatNoRunNeedsAndKeepsWhatARevertWouldReuse() throws {
        let folder = try TemporaryFolder()
        let repo = folder.url.appendingPathComponent("repo")
        let log = folder.url.appendingPathComponent("ran.log")
        let state = folder.url.appendingPathComponent("state")
        func version(_ number: Int) throws {
            try folder.write("repo/sluice.yaml", controllerManifest("    - {name: a, run: \"echo v\(number) > $SLUICE_OUTPUT/out.txt; echo v\(number) >> \(log.path)\"}"))
            try commitAll(in: repo, initialize: number == 1, message: "v\(number)")
            #expect(try sluice("apply", "--repo", repo.path, "--state", state.path).status == 0)
        }
        for number in 1...4 { try version(number) }
        let outputs = state.appendingPathComponent("outputs")
        let checkouts = state.appendingPathComponent("checkouts")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outputs.path).count == 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: checkouts.path).count == 4)

        let collected = try sluice("gc", "--keep", "2", "--state", state.path, "--output", "json")
        #expect(collected.status == 0, "\(collected.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(collected.stdout.utf8)) as? [String: Any])
        #expect((report["outputs"] as? [String])?.count == 2 && (report["checkouts"] as? [String])?.count == 3, "\(report)")
        #expect((report["bytes"] as? Int ?? 0) > 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outputs.path).count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: checkouts.path) == [try headCommit(repo)])

        // Back to v3, kept: a cache hit. Back to v1, collected: it runs again, and its outputs are back.
        _ = try run("/usr/bin/git", ["-C", repo.path, "revert", "--no-edit", "HEAD"])
        let revert = try sluice("plan", "--repo", repo.path, "--state", state.path)
        #expect(revert.stdout.contains("cache hit"), "\(revert.stdout)")
        try version(1)
        #expect(runs(log) == ["v1", "v2", "v3", "v4", "v1"])
        let again = try sluice("gc", "--state", state.path)
        #expect(again.stdout.hasPrefix("Removed "), "\(again.stdout)")
    }

    /// A health check reads the whole answer, as a browser would: Python's http.server logs the requests, and no
    /// ConnectionResetError from a probe that hung up mid-answer.
    @Test func healthChecksDoNotResetTheServicesConnections() throws {
        let folder = try TemporaryFolder()
        let repo = folder.url.appendingPathComponent("repo")
        try folder.write("repo/sluice.yaml", controllerManifest("""
            - name: web
              service: {run: 'exec python3 -m http.server $SLUICE_PORT --bind 127.0.0.1', health: {http: /}}
        """))
        try commitAll(in: repo, initialize: true)
        let state = folder.url.appendingPathComponent("state")
        let controller = try RunningController(repo: repo, state: state)
        defer { controller.stop() }
        let logs = { (try? sluice("logs", "w/web", "--state", state.path))?.stdout ?? "" }
        #expect(eventually { logs().components(separatedBy: "\"GET / HTTP/1.1\" 200").count > 5 }, "\(logs())\n\(controller.output)")
        #expect(!logs().contains("ConnectionResetError") && !logs().contains("Traceback"), "\(logs())")
    }
}
