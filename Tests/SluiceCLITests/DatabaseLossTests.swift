import Foundation
import Testing

/// The state database is deleted under a running controller: it stops with a clear error instead of writing into the
/// deleted file, and a restart on a fresh database finds the results still in the attempt folders.
@Suite struct DatabaseLossTests {
    @Test func aDeletedDatabaseStopsTheControllerAndResultsSurviveTheRestart() throws {
        let counter = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-runs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let (folder, repo) = try committedRepository("    - {name: a, run: 'echo ran >> \(counter)'}")
        let state = folder.url.appendingPathComponent("state")
        let controller = try RunningController(repo: repo, state: state)
        defer { controller.stop() }
        #expect(eventually { statusLog(repo).first?.hasPrefix("w: 1 succeeded") == true }, "\(controller.output)")

        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: state.path + "/state.sqlite" + suffix) }
        #expect(eventually { !controller.process.isRunning }, "\(controller.output)")
        #expect(controller.process.terminationStatus != 0)
        #expect(controller.output.contains("the state database was deleted while Sluice ran"), "\(controller.output)")
        #expect(!FileManager.default.fileExists(atPath: state.path + "/state.sqlite"), "nothing wrote a new file behind its back")

        let applied = try run(sluiceBinaryPath, ["apply", "--repo", repo.path, "--state", state.path])
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        #expect(applied.stdout.contains("cache hit"), "\(applied.stdout)")
        #expect(try String(contentsOfFile: counter, encoding: .utf8) == "ran\n", "the task ran once, before the database was lost")
    }
}
