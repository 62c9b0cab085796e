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
        #expect(statusLog(folder.url).first?.hasPrefix("w: 1 succeeded, 0 failed @") == true, "\(statusLog(folder.url))")
        let yaml = try run("/usr/bin/git", ["-C", folder.url.path, "show", "sluice/status:workflows/w/status.yaml"]).stdout
        #expect(yaml.contains("phase: succeeded"))
        #expect(!yaml.contains("exit code 1") && !yaml.contains("upstream b failed"), "\(yaml)")
        let status = try sluice("status", in: folder.url)
        #expect(status.stdout.contains("w  succeeded"), "\(status.stdout)")
        #expect(!status.stdout.contains("  b  ") && !status.stdout.contains("  c  "), "\(status.stdout)")
    }
}
