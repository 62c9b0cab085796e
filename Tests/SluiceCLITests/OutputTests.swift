import Foundation
import Testing

/// `--output json` on every command that reports, in the shapes docs/cli-json.md documents, and progress on a terminal
/// and in a log.
@Suite struct OutputTests {
    private func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    private func list(_ text: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]], "\(text)")
    }

    @Test func everyReportingCommandSpeaksJSON() throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", controllerManifest("""
            - {name: a, run: "true"}
            - {name: b, run: "true", needs: [a]}
        """))
        try commitAll(in: folder.url, initialize: true)
        let state = try TemporaryFolder()
        func here(_ arguments: String...) throws -> ProcessResult {
            try run(sluiceBinaryPath, arguments + ["--state", state.url.path], in: folder.url)
        }

        let valid = try object(try sluice("validate", folder.url.path, "--output", "json").stdout)
        #expect(valid["valid"] as? Bool == true)
        #expect(valid["workflows"] as? [String] == ["w"] && valid["pools"] as? [String] == ["local"] && valid["tasks"] as? Int == 2)
        #expect((valid["errors"] as? [Any])?.isEmpty == true)

        let plan = try object(try here("plan", "--output", "json").stdout)
        let planned = try #require((plan["workflows"] as? [[String: Any]])?.first?["tasks"] as? [[String: Any]])
        #expect(planned.map { $0["action"] as? String } == ["run", "run"])
        #expect(planned.last?["needs"] as? [String] == ["a"])

        let applied = try here("apply", "--output", "json")
        #expect(applied.status == 0, "\(applied.stderr)")
        let outcome = try object(applied.stdout)  // progress went to standard error, so this is all JSON
        #expect(outcome["succeeded"] as? Bool == true && outcome["exitCode"] as? Int == 0)
        #expect((outcome["statusCommit"] as? String)?.count == 40)
        #expect(((outcome["workflows"] as? [[String: Any]])?.first?["tasks"] as? [[String: Any]])?.count == 2)
        #expect(applied.stderr.contains("✔ w/b  succeeded in"), "\(applied.stderr)")

        let status = try list(try here("status", "--output", "json").stdout)
        #expect(status.first?["phase"] as? String == "succeeded")
        let history = try list(try here("history", "w", "--output", "json").stdout)
        #expect(history.count == 1)
        #expect(history.first?["summary"] as? String == "w: 2 succeeded, 0 failed @ " + String(try headCommit(folder.url).prefix(7)))
        #expect(history.first?["source"] as? String == (try headCommit(folder.url)))
        #expect((history.first?["time"] as? String)?.hasSuffix("Z") == true)
        #expect(try list(try here("metrics", "--output", "json").stdout).isEmpty)
        let unknown = try here("history", "nope", "--output", "json")
        #expect(unknown.status == 3 && unknown.stdout.isEmpty, "\(unknown.stdout)")

        // Errors are data too, and the exit code still says what kind of failure it was.
        try folder.write("sluice.yaml", controllerManifest("    - {name: a, run: \"true\", needs: [nobody]}"))
        let invalid = try sluice("validate", folder.url.path, "--output", "json")
        #expect(invalid.status == 3)
        let problem = try #require((try object(invalid.stdout)["errors"] as? [[String: Any]])?.first)
        #expect(problem["file"] as? String == folder.url.appendingPathComponent("sluice.yaml").path)
        #expect(problem["line"] as? Int == 13 && problem["workflow"] as? String == "w", "\(problem)")
        #expect((problem["message"] as? String)?.contains("nobody") == true)
    }

    @Test func progressShowsElapsedAgainstEstimateAndHowMuchIsDone() throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", controllerManifest("""
            - {name: slow, run: "sleep 2.5", estimate: 10s}
            - {name: after, run: "true", needs: [slow]}
        """))
        try commitAll(in: folder.url, initialize: true)
        let state = try TemporaryFolder()
        // In a log: plain lines, each with its UTC time, and the count done on the lines that end a task.
        let logged = try run(sluiceBinaryPath, ["apply", "--state", state.url.path], in: folder.url)
        #expect(logged.status == 0, "\(logged.stderr)")
        let lines = logged.stdout.split(separator: "\n").map(String.init)
        let started = try #require(lines.first { $0.contains("▶ w/slow") }, "\(logged.stdout)")
        #expect(started.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ▶ w/slow  running on n1$"#, options: .regularExpression) != nil, "\(started)")
        #expect(lines.contains { $0.hasSuffix("✔ w/slow  succeeded in 2.5s (estimate 10s)  (1/2 done)") || $0.contains("✔ w/slow  succeeded in 2.") && $0.hasSuffix("(estimate 10s)  (1/2 done)") }, "\(logged.stdout)")
        #expect(lines.contains { $0.hasSuffix("(2/2 done)") }, "\(logged.stdout)")
        #expect(!logged.stdout.contains("\u{1B}["))

        // On a terminal (script(1) gives it one): lines redrawn in place, the elapsed time ticking against the estimate.
        try folder.write("sluice.yaml", controllerManifest("""
            - {name: slow, run: "sleep 2.5 # again", estimate: 10s}
            - {name: after, run: "true", needs: [slow]}
        """))
        try commitAll(in: folder.url)
        let command = "\(sluiceBinaryPath) apply --state \(state.url.path)"
        let terminal = try run("/usr/bin/script", ["-qec", command, "/dev/null"], in: folder.url, environment: ["TERM": "xterm"])
        #expect(terminal.status == 0, "\(terminal.stdout)")
        #expect(terminal.stdout.contains("\u{1B}[2K"))
        #expect(terminal.stdout.contains("running on n1 · 1s of ~10s"), "\(terminal.stdout)")
        #expect(terminal.stdout.contains("running on n1 · 2s of ~10s"), "\(terminal.stdout)")
        #expect(terminal.stdout.contains("0 of 2 tasks done, 1 running"))
        #expect(terminal.stdout.contains("2 of 2 tasks done"))
    }
}

@Suite struct ControllerLogTests {
    /// `--log-format json`: every line one JSON object with time, level, logger and message, task events included,
    /// so a log shipper reads them all; no line of plain progress comes between.
    @Test func theControllerLogIsOneJSONObjectPerLine() throws {
        let folder = try TemporaryFolder()
        try folder.write("repo/sluice.yaml", controllerManifest("    - {name: a, run: \"true\"}"))
        let repo = folder.url.appendingPathComponent("repo")
        try commitAll(in: repo, initialize: true)
        let controller = try RunningController(repo: repo, state: folder.url.appendingPathComponent("state"), arguments: ["--log-format", "json"])
        defer { controller.stop() }
        #expect(eventually { controller.output.contains("\"message\":\"task succeeded\"") }, "\(controller.output)")
        controller.stop()
        let lines = controller.output.split(separator: "\n")
        #expect(lines.count >= 4)
        for line in lines {
            let object = try #require(try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
            #expect(object["time"] is String && object["level"] is String && object["logger"] is String && object["message"] is String, "\(line)")
        }
        let started = try #require(lines.first { $0.contains("\"message\":\"task started\"") })
        #expect(started.contains("\"workflow\":\"w\"") && started.contains("\"task\":\"a\"") && started.contains("\"node\":\"n1\""))
        #expect(lines.contains { $0.contains("\"message\":\"controller stopped\"") })
    }
}
