import Foundation
import Testing

/// What the controller reconciles is a branch, not whatever a working copy has checked out, and its readiness says
/// whether passes work.
@Suite struct FollowedBranchTests {
    @Test func checkingAnotherBranchOutDoesNotChangeWhatIsReconciled() throws {
        let (folder, repo) = try committedRepository("    - {name: a, run: 'echo a'}")
        let marker = folder.url.appendingPathComponent("experiment-ran").path
        let controller = try RunningController(repo: repo, state: folder.url.appendingPathComponent("state"))
        defer { controller.stop() }
        #expect(eventually { statusLog(repo).first?.hasPrefix("w: 1 succeeded") == true }, "\(controller.output)")
        #expect(controller.output.contains("ref=refs/heads/main"), "\(controller.output)")

        _ = try run("/usr/bin/git", ["checkout", "-q", "-b", "exp/x"], in: repo)
        try folder.write("repo/sluice.yaml", controllerManifest("    - {name: a, run: 'touch \(marker)'}"))
        try commitAll(in: repo, message: "experiment")
        // Three resyncs (--interval 1s) and the ref events of the commit: none may pick the experiment up.
        Thread.sleep(forTimeInterval: 3)
        #expect(!FileManager.default.fileExists(atPath: marker), "\(controller.output)")

        _ = try run("/usr/bin/git", ["checkout", "-q", "main"], in: repo)
        _ = try run("/usr/bin/git", ["merge", "-q", "exp/x"], in: repo)
        #expect(eventually { FileManager.default.fileExists(atPath: marker) }, "a commit on the followed branch runs: \(controller.output)")
    }

    @Test func readyzAnswers503WhilePassesKeepFailing() throws {
        let (folder, repo) = try committedRepository("    - {name: a, run: 'echo a'}")
        let port = freePort()
        let controller = try RunningController(repo: repo, state: folder.url.appendingPathComponent("state"),
                                               arguments: ["--listen", "127.0.0.1:\(port)"])
        defer { controller.stop() }
        #expect(eventually { httpStatus(port: port, path: "/readyz") == 200 }, "\(controller.output)")

        // The followed branch disappears: every pass fails to resolve it.
        let head = try headCommit(repo)
        _ = try run("/usr/bin/git", ["update-ref", "-d", "refs/heads/main"], in: repo)
        #expect(eventually { httpStatus(port: port, path: "/readyz") == 503 }, "\(controller.output)")
        #expect(controller.output.contains("pass failed"))
        #expect(httpStatus(port: port, path: "/healthz") == 200, "the process is alive, only not ready")

        _ = try run("/usr/bin/git", ["update-ref", "refs/heads/main", head], in: repo)
        #expect(eventually(timeout: 30) { httpStatus(port: port, path: "/readyz") == 200 }, "\(controller.output)")
    }
}
