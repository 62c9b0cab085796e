import Foundation
import Testing

/// Metrics files, `sluice metrics` and the status page's metrics, through the real binary and a real repository.
@Suite struct MetricsTests {
    /// A train task that writes `{"accuracy": A}` from a file in git, and an evaluate task that writes a nested YAML file.
    private func manifest(extra: String = "") -> String {
        controllerManifest("""
            - name: train
              run: cp data/accuracy.json "$SLUICE_OUTPUT/metrics.json"
              inputs: [data/accuracy.json]
              metrics: [metrics.json]
            - name: evaluate
              needs: [train]
              run: cp data/eval.yaml "$SLUICE_OUTPUT/eval.yaml"
              metrics: [eval.yaml, missing.json]
        \(extra)
        """)
    }

    @Test func metricsAreStoredComparedAcrossCommitsAndChartedOnTheStatusBranch() throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", manifest())
        try folder.write("data/accuracy.json", #"{"accuracy": 0.80}"#)
        try folder.write("data/eval.yaml", "loss:\n  val: 0.25\nlabel: text\n")
        try commitAll(in: folder.url, initialize: true, message: "first model")
        // Outside the repository: `commitAll` adds every file.
        let stateFolder = try TemporaryFolder()
        let state = stateFolder.url.path
        let first = try sluice("apply", "--repo", folder.url.path, "--state", state)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")

        try folder.write("data/accuracy.json", #"{"accuracy": 0.85}"#)
        try commitAll(in: folder.url, message: "better model")
        // Before the new commit runs, its side has no number: it says so.
        let pending = try sluice("metrics", "--repo", folder.url.path, "--state", state, "--base", "HEAD~1", "--output", "json")
        #expect(pending.status == 0, "\(pending.stderr)")
        let before = try rows(pending.stdout)
        let accuracyBefore = try #require(before.first { $0["metric"] as? String == "accuracy" }, "\(pending.stdout)")
        #expect(accuracyBefore["value"] is NSNull)
        #expect(accuracyBefore["base"] as? Double == 0.80)
        #expect((accuracyBefore["note"] as? String)?.hasPrefix("not run yet at HEAD (") == true)

        let second = try sluice("apply", "--repo", folder.url.path, "--state", state)
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")

        let compared = try sluice("metrics", "--repo", folder.url.path, "--state", state, "--base", "HEAD~1", "--output", "json")
        #expect(compared.status == 0, "\(compared.stderr)")
        let all = try rows(compared.stdout)
        let accuracy = try #require(all.first { $0["metric"] as? String == "accuracy" })
        #expect(accuracy["workflow"] as? String == "w")
        #expect(accuracy["task"] as? String == "train")
        #expect(accuracy["value"] as? Double == 0.85)
        #expect(accuracy["base"] as? Double == 0.80)
        #expect(accuracy["change"] as? Double == 0.05)
        // Nested YAML flattens with '.', text is not a metric, and evaluate did not change.
        let loss = try #require(all.first { $0["metric"] as? String == "loss.val" })
        #expect(loss["value"] as? Double == 0.25 && loss["base"] as? Double == 0.25 && loss["change"] as? Double == 0)
        #expect(!all.contains { $0["metric"] as? String == "label" })

        let text = try sluice("metrics", "w", "--repo", folder.url.path, "--state", state, "--base", "HEAD~1")
        #expect(text.stdout.range(of: #"w/train +accuracy +0\.85 +0\.8 +\+0\.05"#, options: .regularExpression) != nil, "\(text.stdout)")

        let page = try run("/usr/bin/git", ["-C", folder.url.path, "show", "sluice/status:workflows/w/README.md"]).stdout
        let previous = try run("/usr/bin/git", ["-C", folder.url.path, "rev-parse", "--short=7", "HEAD~1"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(page.contains("| train | accuracy | 0.85 | 0.8 (`\(previous)`) | +0.05 |"), "\(page)")
        #expect(page.contains("xychart-beta"))
        #expect(page.contains("title \"train: accuracy\""))
        #expect(page.contains("line [0.8, 0.85]"))
        // The missing file is a warning in the status; the task still succeeded.
        #expect(page.contains("⚠️ evaluate: metrics file missing.json was not written"), "\(page)")
        let status = try run("/usr/bin/git", ["-C", folder.url.path, "show", "sluice/status:workflows/w/status.yaml"]).stdout
        #expect(status.contains(#"metricsWarning: "metrics file missing.json was not written""#))
    }

    @Test func aTaskThatNeverRanSaysSoAndBadDeclarationsAreRefusedAtTheirLine() throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", manifest())
        try folder.write("data/accuracy.json", #"{"accuracy": 0.80}"#)
        try commitAll(in: folder.url, initialize: true)
        let state = folder.url.appendingPathComponent("state").path
        let nothing = try sluice("metrics", "--repo", folder.url.path, "--state", state)
        #expect(nothing.status == 0, "\(nothing.stderr)")
        #expect(nothing.stdout.contains("not run yet at HEAD ("))
        let unknown = try sluice("metrics", "nope", "--repo", folder.url.path, "--state", state)
        #expect(unknown.status == 3)
        #expect(unknown.stderr.contains("no workflow 'nope' at HEAD ("))

        try folder.write("bad.yaml", """
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: bad}
        spec:
          pool: local
          tasks:
            - name: a
              run: "true"
              metrics: [../escape.json]
        """)
        let validate = try sluice("validate", folder.url.appendingPathComponent("bad.yaml").path)
        #expect(validate.status != 0)
        #expect((validate.stdout + validate.stderr).contains("bad.yaml:9:17: metrics file '../escape.json' of task 'a' leaves the task's output folder"), "\(validate.stdout + validate.stderr)")
    }

    @Test func metricsDeclaredAfterATaskRanAreReadFromItsOutputsWithoutRunningIt() throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", controllerManifest("""
            - name: train
              run: echo '{"accuracy":0.7}' > "$SLUICE_OUTPUT/metrics.json"
        """))
        try commitAll(in: folder.url, initialize: true)
        let stateFolder = try TemporaryFolder()
        #expect(try sluice("apply", "--repo", folder.url.path, "--state", stateFolder.url.path).status == 0)
        try folder.write("sluice.yaml", controllerManifest("""
            - name: train
              run: echo '{"accuracy":0.7}' > "$SLUICE_OUTPUT/metrics.json"
              metrics: [metrics.json]
        """))
        try commitAll(in: folder.url, message: "declare the metrics")
        let second = try sluice("apply", "--repo", folder.url.path, "--state", stateFolder.url.path)
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(!second.stdout.contains("▶ w/train"), "the task does not run again")
        let metrics = try sluice("metrics", "--repo", folder.url.path, "--state", stateFolder.url.path, "--output", "json")
        #expect(try rows(metrics.stdout).first?["value"] as? Double == 0.7, "\(metrics.stdout)")
    }

    private func rows(_ json: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
    }
}
