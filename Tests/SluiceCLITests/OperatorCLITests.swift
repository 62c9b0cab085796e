import Foundation
import Testing

/// Small things an operator meets first: completions, help, flag messages, counts in words, exit codes.
@Suite struct OperatorCLITests {
    @Test func completionScriptsLoadInTheirShell() throws {
        let bash = try sluice("completion", "bash")
        #expect(bash.status == 0)
        #expect(bash.stdout.contains("metrics") && bash.stdout.contains("report"))
        let script = try TemporaryFolder()
        try script.write("sluice.bash", bash.stdout)
        // Loaded by a real bash, the script registers a completion for `sluice`.
        let loaded = try run("/bin/bash", ["-c", "source \(script.url.appendingPathComponent("sluice.bash").path) && complete -p sluice"])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        #expect(loaded.stdout.contains("sluice"))
        #expect(try sluice("completion", "zsh").stdout.hasPrefix("#compdef sluice"))
        #expect(try sluice("completion", "fish").stdout.contains("complete -c 'sluice'"))
        let unknown = try sluice("completion", "tcsh")
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("'bash', 'zsh' or 'fish'"))
    }

    @Test func helpSaysEachDefaultOnce() throws {
        for command in ["plan", "apply", "controller", "metrics"] {
            let help = try sluice(command, "--help")
            let line = try #require(help.stdout.split(separator: "\n").first { $0.hasPrefix("  --ref <REF>") }, "\(command)")
            #expect(line.components(separatedBy: "default: HEAD").count == 2, "\(command): \(line)")
        }
    }

    @Test func intervalMessagesSayWhatIsWrong() throws {
        let zero = try sluice("controller", "--repo", ".", "--interval", "0s")
        #expect(zero.stderr.contains("--interval '0s' is out of range: give a duration from 1ms to 365d"))
        let words = try sluice("controller", "--repo", ".", "--interval", "soon")
        #expect(words.stderr.contains("--interval 'soon' is not a duration"))
    }

    @Test func countsAreInWordsAndUnknownHistoryFails() throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", controllerManifest("    - {name: only, run: \"true\"}"))
        try commitAll(in: folder.url, initialize: true)
        let validate = try sluice("validate", folder.url.path)
        #expect(validate.stdout.contains("1 workflow (1 task), 1 pool"), "\(validate.stdout)")
        let stateFolder = try TemporaryFolder()
        #expect(try sluice("apply", "--repo", folder.url.path, "--state", stateFolder.url.path).status == 0)
        // A second state directory, where the task's outputs are unknown: after the first, a revert is a cache hit.
        try folder.write("sluice.yaml", controllerManifest("    - {name: only, run: \"true\", env: {X: \"1\"}}"))
        try commitAll(in: folder.url)
        #expect(try sluice("apply", "--repo", folder.url.path, "--state", stateFolder.url.path).status == 0)
        _ = try run("/usr/bin/git", ["-C", folder.url.path, "revert", "--no-edit", "HEAD"])
        let plan = try sluice("plan", "--repo", folder.url.path, "--state", stateFolder.url.path)
        #expect(plan.stdout.contains("Plan: 1 cache hit."), "\(plan.stdout)")

        let history = try sluice("history", "nope", "--repo", folder.url.path)
        #expect(history.status == 1)
        #expect(history.stderr.contains("no status commit on sluice/status names workflow 'nope'"))
        #expect(try sluice("history", "w", "--repo", folder.url.path).status == 0)
    }
}
