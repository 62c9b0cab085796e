import Foundation
import Testing

/// The status says what is true now: tasks deleted from git leave it, and what did not succeed is counted.
@Suite struct StatusTruthTests {
    @Test func aDeletedFailingTaskLeavesTheStatusAndSkippedTasksAreCounted() throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", controllerManifest("""
            - {name: a, run: 'echo a'}
            - {name: b, run: 'exit 1'}
            - {name: c, run: 'echo c', needs: [b]}
        """))
        try commitAll(in: folder.url, initialize: true)
        let failed = try sluice("apply", "--repo", folder.url.path, in: folder.url)
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("w: failed — 1 succeeded, 1 failed, 1 skipped @"), "\(failed.stdout)")
        #expect(statusLog(folder.url).first?.hasPrefix("w: 1 succeeded, 1 failed, 1 skipped @") == true, "\(statusLog(folder.url))")

        try folder.write("sluice.yaml", controllerManifest("    - {name: a, run: 'echo a'}"))
        try commitAll(in: folder.url, message: "drop b and c")
        let applied = try sluice("apply", "--repo", folder.url.path, in: folder.url)
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        #expect(applied.stdout.contains("All desired tasks succeeded."))
        #expect(statusLog(folder.url).first?.hasPrefix("Synced to \(try headCommit(folder.url).prefix(7)) (drop b and c): w: 1 succeeded, 0 failed\n") == true, "\(statusLog(folder.url))")
        let yaml = try run("/usr/bin/git", ["-C", folder.url.path, "show", "sluice/status:workflows/w/status.yaml"]).stdout
        #expect(yaml.contains("phase: succeeded"))
        #expect(!yaml.contains("exit code 1") && !yaml.contains("upstream b failed"), "\(yaml)")
        let status = try sluice("status", in: folder.url)
        #expect(status.stdout.contains("w  succeeded"), "\(status.stdout)")
        #expect(!status.stdout.contains("  b  ") && !status.stdout.contains("  c  "), "\(status.stdout)")
    }

    /// The task exits 0 while its attempt folder cannot be written (made immutable, which binds root too): its outcome
    /// must wait for the folder, not turn into a failure, and is recorded once the folder is writable again.
    @Test func anOutcomeThatCannotBeWrittenYetIsRecordedOnceItCanBe() throws {
        let (folder, repo) = try committedRepository("    - {name: a, run: 'sleep 1; echo done'}")
        let state = folder.url.appendingPathComponent("state")
        let apply = Process()
        apply.executableURL = URL(fileURLWithPath: sluiceBinaryPath)
        apply.arguments = ["apply", "--repo", repo.path, "--state", state.path]
        let output = folder.url.appendingPathComponent("apply.log")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        apply.standardOutput = try FileHandle(forWritingTo: output)
        apply.standardError = apply.standardOutput
        try apply.run()
        defer { if apply.isRunning { apply.terminate() } }

        var attempt: URL?
        #expect(eventually { attempt = attemptFolder(under: state); return attempt != nil })
        let folderOfAttempt = try #require(attempt)
        try setWritable(folderOfAttempt, false)
        defer { try? setWritable(folderOfAttempt, true) }
        #expect(!FileManager.default.createFile(atPath: folderOfAttempt.appendingPathComponent("probe").path, contents: nil),
                "the attempt folder must really be unwritable for this test to mean anything")
        Thread.sleep(forTimeInterval: 2.5)
        #expect(apply.isRunning, "the outcome is not given up")
        #expect(!FileManager.default.fileExists(atPath: folderOfAttempt.appendingPathComponent("result.json").path))

        try setWritable(folderOfAttempt, true)
        apply.waitUntilExit()
        let log = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        #expect(apply.terminationStatus == 0, "\(log)")
        #expect(log.contains("All desired tasks succeeded."), "\(log)")
        let stderr = (try? String(contentsOf: folderOfAttempt.appendingPathComponent("stderr.log"), encoding: .utf8)) ?? ""
        #expect(stderr.contains("cannot record the result yet"), "\(stderr)")
    }

    private func attemptFolder(under state: URL) -> URL? {
        let root = state.appendingPathComponent("attempts")
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            if url.lastPathComponent == "supervisor.lock" { return url.deletingLastPathComponent() }
        }
        return nil
    }

    /// chmod for an ordinary user; root ignores permission bits, so it also sets the immutable attribute.
    private func setWritable(_ folder: URL, _ writable: Bool) throws {
        func immutable(_ on: Bool) throws {
            guard geteuid() == 0 else { return }
            let result = try run("/usr/bin/chattr", [on ? "+i" : "-i", folder.path])
            guard result.status == 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSLocalizedDescriptionKey: result.stderr]) }
        }
        // An immutable folder's mode cannot change either: the attribute goes last on, first off.
        if writable { try immutable(false) }
        try FileManager.default.setAttributes([.posixPermissions: writable ? 0o755 : 0o555], ofItemAtPath: folder.path)
        if !writable { try immutable(true) }
    }
}

/// One phase for a workflow whose service is up and healthy, whoever is asked: `sluice status` (another process,
/// reading the store), the API and the status branch.
@Suite struct PhaseAgreementTests {
    @Test func aHealthyServiceIsDoneEverywhere() throws {
        let (folder, repo) = try committedRepository("""
            - {name: prepare, run: 'echo ready'}
            - name: api
              needs: [prepare]
              service: {run: 'exec python3 -m http.server $SLUICE_PORT --bind 127.0.0.1', health: {http: /}}
        """)
        let state = folder.url.appendingPathComponent("state")
        let port = freePort()
        let controller = try RunningController(repo: repo, state: state, arguments: ["--listen", "127.0.0.1:\(port)"])
        defer { controller.stop() }

        let branchPhase = { (try? run("/usr/bin/git", ["-C", repo.path, "show", "sluice/status:workflows/w/status.yaml"]).stdout) ?? "" }
        #expect(eventually(timeout: 30) { branchPhase().contains("phase: succeeded") }, "\(controller.output)")
        let api = try run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(port)/api/v1/workflows/w"]).stdout
        #expect(api.contains("\"phase\":\"succeeded\"") || api.contains("\"phase\" : \"succeeded\""), "\(api)")
        let cli = try run(sluiceBinaryPath, ["status", "--state", state.path])
        #expect(cli.stdout.hasPrefix("w  succeeded"), "\(cli.stdout)")
    }
}

/// The status branch as a history a person reads: one commit per pass, a "Synced to" when a new source commit is seen
/// even if it changes no task, and never two first lines in a row that say the same.
@Suite struct StatusHistoryTests {
    @Test func theStatusBranchSaysWhatEachCommitIs() throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", controllerManifest("""
            - {name: a, run: "sleep 0.5"}
            - {name: b, run: "true", needs: [a]}
        """))
        try commitAll(in: folder.url, initialize: true)
        let controller = try RunningController(repo: folder.url, state: folder.url.appendingPathComponent(".sluice"))
        defer { controller.stop() }
        let summaries = { statusLog(folder.url).map { String($0.split(separator: "\n").first ?? "") } }
        #expect(eventually { summaries().first?.hasPrefix("w: 2 succeeded, 0 failed @") == true }, "\(controller.output)")
        #expect(summaries().count == 1, "one commit for the first pass: \(summaries())")

        // A commit that changes no task: the branch still says it synced to it.
        try folder.write("README.md", "notes\n")
        try commitAll(in: folder.url, message: "Add notes")
        let head = try headCommit(folder.url)
        #expect(eventually { summaries().first == "Synced to \(head.prefix(7)) (Add notes): w: 2 succeeded, 0 failed" }, "\(summaries())")

        // A branch's plan page alone changes (the resync every second finds the new branch): the commit says so.
        _ = try run("/usr/bin/git", ["-C", folder.url.path, "checkout", "-q", "-b", "exp/idea"])
        try folder.write("sluice.yaml", controllerManifest("""
            - {name: a, run: "sleep 0.6"}
            - {name: b, run: "true", needs: [a]}
        """))
        try commitAll(in: folder.url, message: "Slower a")
        _ = try run("/usr/bin/git", ["-C", folder.url.path, "checkout", "-q", "main"])
        #expect(eventually { summaries().first == "Plans of other branches at \(head.prefix(7)): exp/idea" }, "\(summaries())")
        let plan = try run("/usr/bin/git", ["-C", folder.url.path, "show", "sluice/status:plans/exp/idea.md"]).stdout
        #expect(plan.contains("rerun"), "\(plan)")
        let all = summaries()
        #expect(zip(all, all.dropFirst()).allSatisfy { $0 != $1 }, "no two status commits in a row say the same: \(all)")
    }
}
