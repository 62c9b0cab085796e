import Crypto
import Foundation
import Testing

/// A push webhook against a running controller that watches a remote repository (fetched only on a timer or a hook).
@Suite(.serialized) struct WebhookTests {
    let secret = "s3cr3t-for-tests"

    private func post(_ port: Int, body: String, headers: [String: String]) throws -> Int {
        var arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "--data-binary", body, "http://127.0.0.1:\(port)/hooks/git"]
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        return Int(try run("/usr/bin/curl", arguments).stdout) ?? 0
    }

    private func signature(_ body: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    @Test func aSignedPushTriggersAPassAndBadOnesAreRefused() throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", controllerManifest("    - {name: hello, run: echo one}"))
        try commitAll(in: folder.url, initialize: true)
        // The watched remote is bare, as a hosted one is; the status branch is pushed back to it.
        let remote = folder.url.appendingPathComponent("remote.git")
        _ = try run("/usr/bin/git", ["clone", "-q", "--bare", folder.url.path, remote.path])
        let state = try TemporaryFolder()
        try state.write("secret", secret + "\n")
        let port = freePort()
        let controller = try RunningController(repoLocation: "file://" + remote.path, state: state.url.appendingPathComponent("state"),
                                               arguments: ["--listen", "127.0.0.1:\(port)", "--interval", "1h",
                                                           "--webhook-secret-file", state.url.appendingPathComponent("secret").path])
        defer { controller.stop() }
        #expect(eventually { statusLog(remote).first?.hasPrefix("w: 1 succeeded") == true }, "\(controller.output)")
        let ready = try run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(port)/readyz"])
        #expect(ready.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ready")

        try folder.write("sluice.yaml", controllerManifest("    - {name: hello, run: echo two}"))
        try commitAll(in: folder.url, message: "say two")
        _ = try run("/usr/bin/git", ["-C", folder.url.path, "push", "-q", remote.path, "main"])
        let head = try headCommit(folder.url)
        let body = #"{"ref":"refs/heads/main","after":"\#(head)"}"#
        let seen: () -> Bool = {
            statusLog(remote).first.map { $0.hasPrefix("Synced to \(head.prefix(7)) (say two): w: 1 succeeded") && $0.contains("Sluice-Source: \(head)") } == true
        }

        #expect(try post(port, body: body, headers: ["X-Hub-Signature-256": "sha256=" + String(repeating: "0", count: 64)]) == 401)
        #expect(try post(port, body: body, headers: [:]) == 401)
        let big = state.url.appendingPathComponent("big.json")
        try Data(String(repeating: "x", count: 2 << 20).utf8).write(to: big)
        #expect(try post(port, body: "@" + big.path, headers: ["X-Hub-Signature-256": signature(body)]) == 413)
        Thread.sleep(forTimeInterval: 1)
        #expect(!seen(), "a refused webhook must not trigger a pass")

        let sent = Date()
        #expect(try post(port, body: body, headers: ["X-Hub-Signature-256": signature(body), "X-GitHub-Event": "push"]) == 202)
        #expect(eventually(timeout: 10, seen), "\(controller.output)")
        print("webhook to status commit: \(Int(Date().timeIntervalSince(sent) * 1000)) ms")

        let metrics = try run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(port)/metrics"]).stdout
        #expect(metrics.contains(#"sluice_webhooks_total{result="accepted"} 1"#))
        #expect(metrics.contains(#"sluice_webhooks_total{result="refused"} 3"#))
        #expect(metrics.contains(#"sluice_tasks{phase="succeeded"} 1"#))
        #expect(metrics.contains("sluice_git_fetch_duration_seconds_count"))
        let workflows = try run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(port)/api/v1/workflows"]).stdout
        #expect(workflows.contains(#""name":"w""#))
    }
}
