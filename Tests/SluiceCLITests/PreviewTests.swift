import Foundation
import Testing

/// `sluice controller --preview`: a branch's work runs before it is merged, behind the followed ref's, its page shows its
/// metrics against the followed branch, and merging it reruns nothing.
@Suite(.serialized) struct PreviewTests {
    @Test func aPreviewedBranchShowsItsMetricsAndMergingItIsAllCacheHits() throws {
        let folder = try TemporaryFolder()
        let repo = folder.url.appendingPathComponent("repo")
        // One cpu: the followed ref's tasks and the preview's cannot run side by side, so the order shows who goes first.
        try folder.write("repo/sluice.yaml", controllerManifest("""
            - name: clean
              run: cat data/raw.txt > "$SLUICE_OUTPUT/clean.txt"; sleep 0.5
              inputs: [data/raw.txt]
              resources: {cpu: 1}
            - name: train
              needs: [clean]
              run: cp data/accuracy.json "$SLUICE_OUTPUT/metrics.json"; sleep 0.5
              inputs: [data/accuracy.json]
              resources: {cpu: 1}
              metrics: [metrics.json]
            - name: publish
              run: test -n "$TOKEN"
              secrets: {TOKEN: hub-token}
        """, capacity: "{cpu: 1, memory: 4Gi}"))
        try folder.write("repo/data/raw.txt", "some rows\n")
        try folder.write("repo/data/accuracy.json", #"{"accuracy": 0.80}"#)
        try commitAll(in: repo, initialize: true, message: "baseline")
        try git(repo, "checkout", "-q", "-b", "exp/better")
        try folder.write("repo/data/accuracy.json", #"{"accuracy": 0.85}"#)
        try commitAll(in: repo, message: "better model")
        try git(repo, "checkout", "-q", "main")

        let state = folder.url.appendingPathComponent("state")
        try folder.write("secrets/hub-token", "s3cret")
        let controller = try RunningController(repo: repo, state: state, arguments: ["--preview", "exp/*", "--secrets-dir", folder.url.appendingPathComponent("secrets").path])
        defer { controller.stop() }
        let page = { (try? run("/usr/bin/git", ["-C", repo.path, "show", "sluice/status:plans/exp/better.md"]).stdout) ?? "" }
        let ready = eventually(timeout: 60) { page().contains("| w | train | accuracy | 0.85 | 0.8 | +0.05 |") }
        #expect(ready, "\(page())\n\(controller.output)")
        #expect(page().contains("## Preview run"))
        #expect(page().contains("- ⚠️ w: publish not previewed (services, tasks with secrets, and what needs them run once merged)"), "\(page())")
        // The log names a task's workflow and task as metadata: the preview's publish never shows there.
        #expect(controller.output.contains("workflow=w@exp/better"), "\(controller.output)")
        #expect(!controller.output.contains("task=publish workflow=w@exp/better"))
        #expect(page().contains("| w | train | ✅ succeeded | 1 |  |"), "\(page())")
        // clean is the same work on both branches: the preview reused the followed ref's outputs.
        #expect(page().contains("| w | clean | ✅ cached | 0 | outputs of an earlier run at this fingerprint reused |"), "\(page())")

        // The followed ref's work went first: the preview's train started after the followed ref's last task ended.
        let log = controller.output
        let followedDone = try #require(log.range(of: #"task succeeded seconds=\S+ task=train workflow=w\n"#, options: .regularExpression), "\(log)")
        let previewStarted = try #require(log.range(of: "task started attempt=1 node=n1 task=train workflow=w@exp/better"), "\(log)")
        #expect(followedDone.lowerBound < previewStarted.lowerBound)
        #expect(log.range(of: "task started [^\n]*task=clean workflow=w@exp/better", options: .regularExpression) == nil, "clean is a cache hit on the preview, never run twice")
        #expect(log.contains("cache hit task=clean workflow=w@exp/better"))

        let mainTrainRuns = try attemptFolders(state, "w/train")
        #expect(mainTrainRuns == 1)
        try git(repo, "-c", "user.name=Test", "-c", "user.email=test@example.com", "merge", "-q", "--no-ff", "-m", "merge exp/better", "exp/better")
        let merged = try headCommit(repo)
        let status = { (try? run("/usr/bin/git", ["-C", repo.path, "show", "sluice/status:workflows/w/status.yaml"]).stdout) ?? "" }
        #expect(eventually(timeout: 30) { status().contains("commit: \"\(merged)\"") || status().contains("commit: \(merged)") }, "\(status())")
        // Nothing ran for the merge: train's outputs and metrics are the preview's.
        #expect(try attemptFolders(state, "w/train") == 1)
        #expect(try attemptFolders(state, "w/clean") == 1)
        #expect(try attemptFolders(state, "w/publish") == 1, "publish, not previewed and unchanged by the branch, ran once on main")
        #expect(status().contains("phase: cached"))
        let metrics = try sluice("metrics", "--repo", repo.path, "--state", state.path, "--output", "json")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(metrics.stdout.utf8)) as? [[String: Any]])
        #expect(rows.first { $0["metric"] as? String == "accuracy" }?["value"] as? Double == 0.85)
        let readme = try run("/usr/bin/git", ["-C", repo.path, "show", "sluice/status:workflows/w/README.md"]).stdout
        #expect(readme.contains("| train | accuracy | 0.85 |"), "\(readme)")
    }

    private func git(_ repo: URL, _ arguments: String...) throws {
        let result = try run("/usr/bin/git", ["-C", repo.path] + arguments)
        guard result.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: result.stderr]) }
    }

    /// How many attempt folders a task has under the state directory (`workflow/task`).
    private func attemptFolders(_ state: URL, _ task: String) throws -> Int {
        let folder = state.appendingPathComponent("attempts").appendingPathComponent(task)
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).count
    }
}
