import Crypto
import Foundation
import Testing

/// Secrets come from a folder on the machine, reach the task in its environment, and are written nowhere: not the
/// database, not `spec.json`, not the logs, not the status branch.
@Suite struct SecretsTests {
    static let value = "s3cr3t-Value-42"
    /// The task checks what it received against this, so the value itself is not in the manifest.
    static let digest = SHA256.hash(data: Data(value.utf8)).map { String(format: "%02x", $0) }.joined()

    private func repository(secret: String = "api-token", tasks: String? = nil) throws -> (TemporaryFolder, URL) {
        // The second half of the value is printed 0.2 s after the first, so the supervisor gets it in two reads.
        let (folder, repo) = try committedRepository(tasks ?? """
            - name: a
              run: 'echo "token=$TOKEN"; printf "split=%s" "${TOKEN%???????}"; sleep 0.2; printf "%s!\\n" "${TOKEN#${TOKEN%???????}}"; echo "err $TOKEN" >&2; [ "$(printf %s "$TOKEN" | sha256sum | cut -d" " -f1)" = \(Self.digest) ] && echo received'
              secrets: {TOKEN: \(secret)}
            - name: b
              needs: [a]
              run: 'echo "failing with $TOKEN" >&2; exit 3'
              secrets: {TOKEN: \(secret)}
        """)
        // A Windows line end: "\r\n" is one Character in Swift, and the value must lose both bytes and nothing else.
        try folder.write("secrets/api-token", Self.value + "\r\n")
        return (folder, repo)
    }

    private func apply(_ folder: TemporaryFolder, _ repo: URL, _ extra: String...) throws -> ProcessResult {
        try run(sluiceBinaryPath, ["apply", "--repo", repo.path, "--state", folder.url.appendingPathComponent("state").path] + extra)
    }

    /// Every regular file under `root`, by path.
    private func files(under root: URL) -> [String: Data] {
        var found: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true, let data = try? Data(contentsOf: url) {
                found[url.path] = data
            }
        }
        return found
    }

    @Test func aSecretReachesTheTaskAndIsWrittenNowhere() throws {
        let (folder, repo) = try repository()
        let applied = try apply(folder, repo, "--secrets-dir", folder.url.appendingPathComponent("secrets").path)
        #expect(applied.status == 1, "task b fails on purpose: \(applied.stdout)\(applied.stderr)")
        #expect(!applied.stdout.contains(Self.value) && !applied.stderr.contains(Self.value))

        let state = files(under: folder.url.appendingPathComponent("state"))
        let stdout = try #require(state.first { $0.key.contains("/a/") && $0.key.hasSuffix("stdout.log") }?.value)
        #expect(String(decoding: stdout, as: UTF8.self) == "token=***\nsplit=***!\nreceived\n")
        #expect(state.contains { $0.key.contains("/a/") && $0.key.hasSuffix("stderr.log") && String(decoding: $0.value, as: UTF8.self).contains("err ***\n") })
        #expect(state.contains { $0.key.hasSuffix("spec.json") && String(decoding: $0.value, as: UTF8.self).contains("TOKEN") })
        for (path, data) in state {
            #expect(data.range(of: Data(Self.value.utf8)) == nil, "the secret's value is in \(path)")
        }

        let status = try run("/usr/bin/git", ["-C", repo.path, "log", "-p", "sluice/status"])
        #expect(status.status == 0)
        #expect(status.stdout.contains("failing with ***"), "the failed task's log tail is on the status branch, masked")
        #expect(!status.stdout.contains(Self.value))
        let objects = try run("/bin/sh", ["-c", "git -C '\(repo.path)' cat-file --batch-all-objects --batch"])
        #expect(!objects.stdout.contains(Self.value))
    }

    @Test func aMissingSecretIsAnErrorNamingItAndTheTaskDoesNotStart() throws {
        let (folder, repo) = try repository(secret: "absent")
        let applied = try apply(folder, repo, "--secrets-dir", folder.url.appendingPathComponent("secrets").path)
        #expect(applied.status == 3)
        #expect((applied.stdout + applied.stderr).contains("secret 'absent' (TOKEN of task 'a') is missing"), "\(applied.stdout)\(applied.stderr)")
        #expect(!files(under: folder.url.appendingPathComponent("state")).keys.contains { $0.hasSuffix("stdout.log") })

        let without = try apply(folder, repo)
        #expect(without.status == 3)
        #expect((without.stdout + without.stderr).contains("no secrets folder is given: pass --secrets-dir DIR or set SLUICE_SECRETS_DIR"))

        let notAFolder = try apply(folder, repo, "--secrets-dir", "/nonexistent/secrets")
        #expect(notAFolder.status != 0)
        #expect(notAFolder.stderr.contains("--secrets-dir '/nonexistent/secrets' is not a folder"), "\(notAFolder.stderr)")
    }

    @Test func aSecretsNameIsInTheFingerprintAndItsValueIsNot() throws {
        let (folder, repo) = try repository(tasks: """
            - {name: a, run: 'echo "$TOKEN" > /dev/null', secrets: {TOKEN: api-token}}
        """)
        let secrets = folder.url.appendingPathComponent("secrets").path
        #expect(try apply(folder, repo, "--secrets-dir", secrets).status == 0)
        try folder.write("secrets/api-token", "rotated")
        let state = folder.url.appendingPathComponent("state").path
        let unchanged = try run(sluiceBinaryPath, ["plan", "--repo", repo.path, "--state", state])
        #expect(unchanged.stdout.contains("Plan: 1 up to date."), "\(unchanged.stdout)")
        try folder.write("repo/sluice.yaml", controllerManifest("    - {name: a, run: 'echo \"$TOKEN\" > /dev/null', secrets: {TOKEN: other-token}}"))
        try commitAll(in: repo)
        let renamed = try run(sluiceBinaryPath, ["plan", "--repo", repo.path, "--state", state])
        #expect(renamed.stdout.contains("secret TOKEN changed: api-token → other-token"), "\(renamed.stdout)")
    }

    /// A task with a secret that floods its output: the supervisor copies it through the masker, and must still
    /// enforce the timeout rather than copy forever.
    @Test func aFloodingTaskWithASecretStillTimesOut() throws {
        let (folder, repo) = try repository(tasks: """
            - {name: a, run: 'yes "$TOKEN"', timeout: 1s, secrets: {TOKEN: api-token}}
        """)
        let started = Date()
        let applied = try apply(folder, repo, "--secrets-dir", folder.url.appendingPathComponent("secrets").path)
        #expect(applied.status == 1)
        #expect(applied.stdout.contains("timed out after 1s"), "\(applied.stdout)")
        #expect(Date().timeIntervalSince(started) < 30, "the timeout was enforced while the output flowed")
        let logs = files(under: folder.url.appendingPathComponent("state")).filter { $0.key.hasSuffix("stdout.log") }
        let log = try #require(logs.first?.value)
        #expect(log.count > 0 && log.range(of: Data(Self.value.utf8)) == nil)
        #expect(log.starts(with: Data("***\n***\n".utf8)))
    }
}
