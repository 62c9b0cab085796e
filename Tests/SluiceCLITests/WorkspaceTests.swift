import Foundation
import Testing

/// Where commands look when no flag says, and the exit codes a CI job acts on.
@Suite struct WorkspaceTests {
    /// The repository is found upward from the current folder and its state lives in it, so `plan` gives the same
    /// answer from the repository, a subfolder of it, and its parent with `--repo`.
    @Test func theStateDirectoryIsTheRepositorysWhereverYouStand() throws {
        let parent = try TemporaryFolder()
        let repo = parent.url.appendingPathComponent("pipelines")
        #expect(try sluice("init", repo.path).status == 0)
        let applied = try sluice("apply", in: repo)
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        #expect(FileManager.default.fileExists(atPath: repo.appendingPathComponent(".sluice/state.sqlite").path))
        // `init` git-ignores the state: applying leaves the working tree clean.
        let porcelain = try run("/usr/bin/git", ["-C", repo.path, "status", "--porcelain"])
        #expect(porcelain.stdout.isEmpty, "\(porcelain.stdout)")

        let fromParent = try sluice("plan", "--repo", "pipelines", in: parent.url)
        #expect(fromParent.status == 0, "\(fromParent.stderr)")
        #expect(fromParent.stdout.contains("up to date") && !fromParent.stdout.contains("never run"), "\(fromParent.stdout)")
        let fromSubfolder = try sluice("plan", in: repo.appendingPathComponent("tasks"))
        #expect(fromSubfolder.status == 0, "\(fromSubfolder.stderr)")
        #expect(fromSubfolder.stdout == fromParent.stdout)
        let status = try sluice("status", in: repo.appendingPathComponent("data"))
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("succeeded"), "\(status.stdout)")
        // Outside any repository, nothing is found, and the message says which folder was tried.
        let outside = try TemporaryFolder()
        let lost = try sluice("plan", in: outside.url)
        #expect(lost.status == 3)
        #expect(lost.stderr.contains("cannot open repository '.'"), "\(lost.stderr)")
    }

    @Test func exitCodesTellTheWorkFromTheInput() throws {
        let help = try sluice("--help")
        #expect(help.stdout.contains("Exit codes: 0 success; 1 the work failed; 2 usage error; 3 invalid input"), "\(help.stdout)")
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", controllerManifest("""
            - {name: ok, run: "true"}
            - {name: boom, run: "exit 5"}
        """))
        try commitAll(in: folder.url, initialize: true)
        let state = try TemporaryFolder()
        func sluiceHere(_ arguments: String...) throws -> ProcessResult {
            try run(sluiceBinaryPath, arguments + ["--state", state.url.path], in: folder.url)
        }
        #expect(try sluiceHere("plan", "--bogus").status == 2)
        #expect(try sluiceHere("plan", "--ref", "no-such-branch").status == 3)
        #expect(try sluiceHere("apply").status == 1)  // boom fails: the work failed

        // A missing secret is the input's fault, not the work's.
        try folder.write("sluice.yaml", controllerManifest("    - {name: ok, run: \"true\", secrets: {TOKEN: api-token}}"))
        try commitAll(in: folder.url)
        let secretless = try sluiceHere("apply")
        #expect(secretless.status == 3, "\(secretless.stdout)\(secretless.stderr)")

        try folder.write("sluice.yaml", controllerManifest("    - {name: ok, run: \"true\", needs: [nobody]}"))
        #expect(try sluice("validate", folder.url.path).status == 3)
        try commitAll(in: folder.url)
        #expect(try sluiceHere("plan").status == 3)
        #expect(try sluiceHere("apply").status == 3)
        let unknown = try sluiceHere("status", "nope")
        #expect(unknown.status == 3)
        #expect(unknown.stderr.hasPrefix("error: no workflow 'nope'"), "\(unknown.stderr)")
    }
}
