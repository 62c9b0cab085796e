import Foundation
import Testing

/// `apply`, `status`, `logs`, `history` and `demo` through the real binary.
@Suite struct ApplyCLITests {
    @Test func demoRunsTheExampleEndToEnd() throws {
        let result = try sluice("demo", in: sourceRoot)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("customer-service: succeeded — 5 succeeded, 0 failed"))
        #expect(result.stdout.contains("The model's metrics, from the metrics store"))
        #expect(result.stdout.range(of: #"customer-service/evaluate +accuracy +0\.\d+"#, options: .regularExpression) != nil)
        #expect(result.stdout.contains("per_class.negative.f1"))
        #expect(result.stdout.contains("healthy at http://127.0.0.1:"))
        let repo = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("Repository ") }?.split(separator: " ")[1])
        let log = try run("/usr/bin/git", ["-C", String(repo), "log", "--format=%s", "sluice/status"])
        #expect(log.stdout.hasPrefix("customer-service: 5 succeeded, 0 failed @ "))
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: String(repo)).deletingLastPathComponent().path)
    }

    @Test func applyStatusLogsAndHistory() throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", """
        apiVersion: sluice/v1
        kind: ResourcePool
        metadata: {name: local}
        spec:
          nodes: [{name: n1, capacity: {cpu: 2}}]
        ---
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: hello}
        spec:
          pool: local
          tasks:
            - {name: greet, run: echo "hello from sluice"}
            - {name: fail, run: echo "about to fail" >&2; exit 4}
        """)
        try commitAll(in: folder.url, initialize: true)
        let state = folder.url.appendingPathComponent("state").path
        let applied = try sluice("apply", "--repo", folder.url.path, "--state", state)
        #expect(applied.status == 1)
        #expect(applied.stdout.contains("✔ hello/greet  succeeded"))
        #expect(applied.stdout.contains("✘ hello/fail  attempt 1 failed: exit code 4"))
        #expect(applied.stdout.contains("Status commit "))

        let status = try sluice("status", "hello", "--state", state, "--output", "json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
        let tasks = try #require(json.first?["tasks"] as? [[String: Any]])
        #expect(Set(tasks.compactMap { $0["phase"] as? String }) == ["succeeded", "failed"])

        let logs = try sluice("logs", "hello/greet", "--state", state)
        #expect(logs.stdout.contains("hello from sluice"))
        let failedLogs = try sluice("logs", "hello/fail", "--attempt", "1", "--state", state)
        #expect(failedLogs.stdout.contains("about to fail"))

        let history = try sluice("history", "hello", "--repo", folder.url.path, "--state", state)
        #expect(history.stdout.contains("hello: 1 succeeded, 1 failed @ "))
    }

    @Test func aMissingOrCorruptStateDatabaseIsAClearErrorNamingTheFile() throws {
        let folder = try TemporaryFolder()
        let missing = try sluice("status", "--state", folder.url.path)
        #expect(missing.status == 3)
        #expect(missing.stderr.hasPrefix("error: \(folder.url.path)/state.sqlite: no state database here"))

        try folder.write("state.sqlite", String(repeating: "not a database ", count: 100))
        let corrupt = try sluice("status", "--state", folder.url.path)
        #expect(corrupt.status == 1)
        #expect(corrupt.stderr.hasPrefix("error: \(folder.url.path)/state.sqlite: "))
        #expect(!corrupt.stderr.contains("Fatal error"))
        let bytes = try Data(contentsOf: folder.url.appendingPathComponent("state.sqlite"))
        #expect(bytes == Data(String(repeating: "not a database ", count: 100).utf8), "a corrupt database is left as it was")
    }
}

@Suite struct LogsFollowTests {
    @Test func followPrintsWhatARunningAttemptWritesUntilItEnds() throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", controllerManifest("    - {name: talk, run: echo early; sleep 1.5; echo late}"))
        try commitAll(in: folder.url, initialize: true)
        let state = folder.url.appendingPathComponent("state").path
        let apply = Process()
        apply.executableURL = URL(fileURLWithPath: sluiceBinaryPath)
        apply.arguments = ["apply", "--repo", folder.url.path, "--state", state]
        apply.standardOutput = FileHandle.nullDevice
        try apply.run()
        defer { apply.waitUntilExit() }
        #expect(eventually(timeout: 30) { (try? sluice("logs", "w/talk", "--state", state))?.stdout.contains("early") == true })
        let followed = try sluice("logs", "w/talk", "--follow", "--state", state)
        #expect(followed.status == 0)
        #expect(followed.stdout.contains("early\n") && followed.stdout.contains("late\n"))
    }
}
