import Foundation
import Testing

/// `--verify-signatures FILE`: only commits signed (for real, by `git -c gpg.format=ssh`) with a key in the
/// allowed-signers file are applied; the last trusted commit stays in force.
@Suite struct SignedCommitTests {
    /// A repository whose first commit is signed by `trusted`, plus a second key that is not in the allowed signers.
    final class Keys {
        let folder: TemporaryFolder
        var repo: URL { folder.url.appendingPathComponent("repo") }
        var allowed: String { folder.url.appendingPathComponent("allowed_signers").path }
        var trusted: String { folder.url.appendingPathComponent("trusted").path }
        var stranger: String { folder.url.appendingPathComponent("stranger").path }

        init() throws {
            folder = try TemporaryFolder()
            for key in [trusted, stranger] {
                let made = try run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", key])
                guard made.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "exit \(made.status): \(made.stdout)\(made.stderr)"]) }
            }
            let publicKey = try String(contentsOfFile: trusted + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            try folder.write("allowed_signers", "alice@example.com \(publicKey)\n")
            try folder.write("repo/sluice.yaml", controllerManifest("    - {name: first, run: 'echo first'}"))
            _ = try run("/usr/bin/git", ["init", "-q", "-b", "main"], in: repo)
            try commit(signedWith: trusted, message: "trusted start")
        }

        /// Commits everything, signed with `key` (nil: unsigned); returns the commit id.
        @discardableResult
        func commit(signedWith key: String?, message: String) throws -> String {
            _ = try run("/usr/bin/git", ["add", "-A"], in: repo)
            var arguments = ["-c", "user.name=Alice", "-c", "user.email=alice@example.com"]
            if let key { arguments += ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(key).pub", "commit", "-S"] } else { arguments += ["commit"] }
            let made = try run("/usr/bin/git", arguments + ["-q", "--allow-empty", "-m", message], in: repo)
            guard made.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "exit \(made.status): \(made.stdout)\(made.stderr)"]) }
            return try headCommit(repo)
        }

        func apply() throws -> ProcessResult {
            try run(sluiceBinaryPath, ["apply", "--repo", repo.path, "--state", folder.url.appendingPathComponent("state").path,
                                       "--verify-signatures", allowed])
        }
    }

    @Test func applyRunsATrustedTipAndRefusesUnsignedOrStrangersCommits() throws {
        let keys = try Keys()
        let trusted = try keys.apply()
        #expect(trusted.status == 0, "\(trusted.stdout)\(trusted.stderr)")

        try keys.folder.write("repo/sluice.yaml", controllerManifest("    - {name: second, run: 'echo second'}"))
        let unsigned = try keys.commit(signedWith: nil, message: "unsigned")
        let refused = try keys.apply()
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("commit \(unsigned.prefix(7)) is not applied: it is not signed; nothing was run"), "\(refused.stderr)")

        try keys.folder.write("repo/sluice.yaml", controllerManifest("    - {name: third, run: 'echo third'}"))
        let foreign = try keys.commit(signedWith: keys.stranger, message: "signed by a stranger")
        let strange = try keys.apply()
        #expect(strange.status == 3)
        #expect(strange.stderr.contains("commit \(foreign.prefix(7)) is not applied: it is signed by a key that is not in \(keys.allowed)"), "\(strange.stderr)")
        #expect(!strange.stdout.contains("third"))

        try keys.commit(signedWith: keys.trusted, message: "trusted again")
        let again = try keys.apply()
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.contains("third"), "\(again.stdout)")
    }

    @Test func theControllerKeepsTheLastTrustedCommitAndSaysWhichItRefused() throws {
        let keys = try Keys()
        let state = keys.folder.url.appendingPathComponent("state")
        let controller = try RunningController(repo: keys.repo, state: state, arguments: ["--verify-signatures", keys.allowed])
        defer { controller.stop() }
        #expect(eventually { statusLog(keys.repo).contains { $0.contains("succeeded") } }, "\(controller.output)")

        try keys.folder.write("repo/sluice.yaml", controllerManifest("""
            - {name: first, run: 'echo first'}
            - {name: mallory, run: 'touch \(keys.folder.url.path)/mallory-ran'}
        """))
        let unsigned = try keys.commit(signedWith: nil, message: "unsigned")
        let readme = { (try? run("/usr/bin/git", ["-C", keys.repo.path, "show", "sluice/status:README.md"]).stdout) ?? "" }
        #expect(eventually { readme().contains("`\(unsigned.prefix(7))` is not applied: it is not signed") }, "\(readme())\n\(controller.output)")
        #expect(controller.output.contains("commit refused"))
        #expect(controller.output.contains(unsigned))
        #expect(!FileManager.default.fileExists(atPath: keys.folder.url.appendingPathComponent("mallory-ran").path))

        try keys.commit(signedWith: keys.trusted, message: "reviewed and signed")
        #expect(eventually { FileManager.default.fileExists(atPath: keys.folder.url.appendingPathComponent("mallory-ran").path) }, "\(controller.output)")
        #expect(eventually { !readme().contains("Refused commit") })
    }
}
