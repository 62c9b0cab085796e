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
        #expect(history.status == 3)
        #expect(history.stderr.contains("no status commit on sluice/status names workflow 'nope'"))
        #expect(try sluice("history", "w", "--repo", folder.url.path).status == 0)
    }

    @Test func planExitCodeSaysWhetherWorkIsPending() throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", controllerManifest("    - {name: only, run: \"true\"}"))
        try commitAll(in: folder.url, initialize: true)
        let stateFolder = try TemporaryFolder()
        let pending = try sluice("plan", "--repo", folder.url.path, "--state", stateFolder.url.path, "--exit-code")
        #expect(pending.status == 4, "\(pending.stdout)\(pending.stderr)")
        #expect(try sluice("plan", "--repo", folder.url.path, "--state", stateFolder.url.path).status == 0)
        #expect(try sluice("apply", "--repo", folder.url.path, "--state", stateFolder.url.path).status == 0)
        #expect(try sluice("plan", "--repo", folder.url.path, "--state", stateFolder.url.path, "--exit-code").status == 0)
    }

    @Test func aListenAddressInUseIsOneClearError() throws {
        let (folder, repo) = try committedRepository("    - {name: only, run: \"true\"}")
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", "import socket, sys, time; s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(60)"]
        let pipe = Pipe()
        holder.standardOutput = pipe
        try holder.run()
        defer { kill(holder.processIdentifier, SIGKILL); holder.waitUntilExit() }
        var line = Data()
        while let byte = try pipe.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
        let port = try #require(Int(String(decoding: line, as: UTF8.self)))
        let result = try sluice("controller", "--repo", repo.path, "--state", folder.url.appendingPathComponent("state").path,
                                "--listen", "127.0.0.1:\(port)")
        #expect(result.status == 3)
        #expect(result.stderr.contains("--listen 127.0.0.1:\(port): 127.0.0.1:\(port) is already in use"), "\(result.stderr)")
        #expect(!result.stderr.contains("controller started"))
    }

    @Test func initCommitsAsTheUserIntoAFolderThatOnlyGitInitTouched() throws {
        let home = try TemporaryFolder()
        try home.write(".gitconfig", "[user]\n\tname = Ada Lovelace\n\temail = ada@example.com\n")
        let target = try TemporaryFolder()
        #expect(try run("/usr/bin/git", ["init", "-q", target.url.path]).status == 0)
        let created = try run(sluiceBinaryPath, ["init", target.url.path], environment: ["HOME": home.url.path])
        #expect(created.status == 0, "\(created.stderr)")
        let author = try run("/usr/bin/git", ["-C", target.url.path, "log", "-1", "--format=%an <%ae>"])
        #expect(author.stdout == "Ada Lovelace <ada@example.com>\n")
        // Once it has a commit, it is not fresh any more.
        let again = try run(sluiceBinaryPath, ["init", target.url.path], environment: ["HOME": home.url.path])
        #expect(again.status == 3)
        #expect(again.stderr.contains("is not empty"))
    }

    @Test func versionNamesTheCommitItWasBuiltFrom() throws {
        let head = try run("/usr/bin/git", ["-C", sourceRoot.path, "rev-parse", "--short=12", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let flag = try sluice("--version")
        #expect(flag.status == 0)
        #expect(flag.stdout.hasPrefix("sluice 0.12.0 (commit \(head)"), "\(flag.stdout) vs \(head)")
        #expect(try sluice("version").stdout == flag.stdout)
    }
}
