import Crypto
import Foundation
import Testing

/// Commit statuses and notifications from a real `sluice controller` to a real HTTP receiver on loopback, which records
/// every request and refuses the first one to the webhook (so the retry shows).
@Suite(.serialized) struct FeedbackTests {
    @Test func theControllerSetsCommitStatusesAndNotifiesFailureAndRecovery() throws {
        let (folder, repo) = try committedRepository("""
            - name: a
              run: echo "token is $TOKEN"; sleep 1; exit $(cat data/code)
              inputs: [data/code]
              secrets: {TOKEN: api-token}
        """)
        try folder.write("repo/data/code", "0\n")
        try commitAll(in: repo, message: "first run")
        let first = try headCommit(repo)
        try folder.write("secrets/api-token", "hunter2-secret")
        try folder.write("forge-token", "tok-123\n")
        try folder.write("notify-secret", "shh")
        let receiver = try Receiver(failFirst: "/hook")
        defer { receiver.stop() }
        let controller = try RunningController(repo: repo, state: folder.url.appendingPathComponent("state"), arguments: [
            "--secrets-dir", folder.url.appendingPathComponent("secrets").path,
            "--forge", "github", "--forge-url", "http://127.0.0.1:\(receiver.port)/api/v3", "--forge-repo", "acme/pipes",
            "--forge-token-file", folder.url.appendingPathComponent("forge-token").path,
            "--notify", "http://127.0.0.1:\(receiver.port)/hook", "--notify-secret-file", folder.url.appendingPathComponent("notify-secret").path,
            "--external-url", "https://dash.example",
        ])
        defer { controller.stop() }

        // The first commit: pending while `a` runs, then success.
        let statuses = { receiver.requests.filter { $0.path == "/api/v3/repos/acme/pipes/statuses/\(first)" } }
        #expect(eventually(timeout: 30) { statuses().contains { $0.json["state"] as? String == "success" } }, "\(receiver.requests)\n\(controller.output)")
        let states = statuses().compactMap { $0.json["state"] as? String }
        #expect(states.first == "pending" && states.last == "success", "\(states)")
        let success = try #require(statuses().last)
        #expect(success.method == "POST")
        #expect(success.header("Authorization") == "Bearer tok-123")
        #expect(success.header("X-GitHub-Api-Version") == "2022-11-28")
        #expect(success.json["context"] as? String == "sluice")
        #expect(success.json["target_url"] as? String == "https://dash.example/")
        #expect(success.json["description"] as? String == "w: 1 succeeded, 0 failed")

        let succeeded = try #require(receiver.eventually { $0.path == "/hook" && $0.answer == 201 && $0.json["event"] as? String == "workflow.succeeded" })
        // The receiver refused the first delivery: the same notification came again, with the same delivery id.
        let hooks = receiver.requests.filter { $0.path == "/hook" }
        #expect(hooks.first?.answer == 500)
        #expect(hooks.first?.header("X-Sluice-Delivery") == succeeded.header("X-Sluice-Delivery"))
        #expect(succeeded.header("X-Sluice-Event") == "workflow.succeeded")
        let signature = HMAC<SHA256>.authenticationCode(for: Array(succeeded.body.utf8), using: SymmetricKey(data: Array("shh".utf8)))
        #expect(succeeded.header("X-Sluice-Signature-256") == "sha256=" + signature.map { String(format: "%02x", $0) }.joined())
        #expect(succeeded.json["workflow"] as? String == "w")
        #expect(succeeded.json["phase"] as? String == "succeeded")
        #expect(succeeded.json["commit"] as? String == first)
        #expect(succeeded.json["commitSummary"] as? String == "first run")
        #expect(succeeded.json["link"] as? String == "https://dash.example/#workflow=w")
        #expect((succeeded.json["text"] as? String)?.hasPrefix(":white_check_mark: w succeeded") == true, "\(succeeded.body)")
        #expect(succeeded.json["time"] is String)

        // A commit that breaks `a`: failure on the forge, and a notification with its masked log tail.
        try folder.write("repo/data/code", "3\n")
        try commitAll(in: repo, message: "break it")
        let broken = try headCommit(repo)
        let failed = try #require(receiver.eventually(timeout: 30) { $0.path == "/hook" && $0.json["event"] as? String == "workflow.failed" }, "\(controller.output)")
        #expect(failed.json["commit"] as? String == broken)
        #expect(failed.json["previousPhase"] as? String == "succeeded")
        let task = try #require((failed.json["failedTasks"] as? [[String: Any]])?.first)
        #expect(task["task"] as? String == "a")
        #expect((task["message"] as? String)?.contains("exit code 3") == true)
        #expect((task["logTail"] as? String)?.contains("token is ***") == true)
        #expect(!receiver.requests.contains { $0.body.contains("hunter2-secret") }, "a secret value never leaves")
        #expect(eventually(timeout: 10) {
            receiver.requests.contains { $0.path.hasSuffix("/statuses/\(broken)") && $0.json["state"] as? String == "failure" }
        })

        try folder.write("repo/data/code", "0\n")
        try commitAll(in: repo, message: "fix it")
        let recovered = try #require(receiver.eventually(timeout: 30) { $0.path == "/hook" && $0.json["event"] as? String == "workflow.recovered" }, "\(controller.output)")
        #expect(recovered.json["previousPhase"] as? String == "failed")
        #expect(recovered.json["commitSummary"] as? String == "fix it")
    }

    /// A service that answers its health check for 3 s, then 500: after the controller's 10 s of grace it is unhealthy.
    @Test func aServiceThatStopsAnsweringItsHealthCheckIsNotified() throws {
        let (folder, repo) = try committedRepository("""
            - name: api
              service:
                run: python3 flaky.py
                health: {http: /healthz}
        """)
        try folder.write("repo/flaky.py", """
        import http.server, os, time
        start = time.time()
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200 if time.time() - start < 3 else 500)
                self.send_header("Content-Length", "0")
                self.end_headers()
            def log_message(self, *args):
                pass
        http.server.HTTPServer(("127.0.0.1", int(os.environ["SLUICE_PORT"])), Handler).serve_forever()
        """)
        try commitAll(in: repo, message: "a flaky service")
        let receiver = try Receiver(failFirst: "/none")
        defer { receiver.stop() }
        let controller = try RunningController(repo: repo, state: folder.url.appendingPathComponent("state"),
                                               arguments: ["--notify", "http://127.0.0.1:\(receiver.port)/hook"])
        defer { controller.stop() }
        let unhealthy = try #require(receiver.eventually(timeout: 60) { $0.json["event"] as? String == "service.unhealthy" }, "\(controller.output)")
        #expect(unhealthy.json["workflow"] as? String == "w")
        #expect(unhealthy.json["task"] as? String == "api")
        #expect(unhealthy.json["reason"] as? String == "stopped answering its health check")
        #expect(unhealthy.header("X-Sluice-Signature-256") == nil, "no secret, no signature")
    }

    @Test func badFeedbackFlagsAreUsageErrors() throws {
        let noToken = try sluice("controller", "--repo", ".", "--forge", "github")
        #expect(noToken.status == 64 || noToken.status == 2)
        #expect(noToken.stderr.contains("--forge github needs --forge-token-file FILE"))
        let badURL = try sluice("controller", "--repo", ".", "--notify", "ftp://x")
        #expect(badURL.stderr.contains("--notify 'ftp://x' is not an http(s) URL"))
        let noURL = try sluice("controller", "--repo", ".", "--forge", "gitlab", "--forge-token-file", "/dev/null")
        #expect(noURL.stderr.contains("--forge gitlab needs --forge-url"))
    }
}

/// A real HTTP server (Python's http.server) on a free loopback port that records each POST as a JSON line.
final class Receiver: @unchecked Sendable {
    struct Request: CustomStringConvertible {
        var method: String
        var path: String
        var headers: [String: String]
        var body: String
        var answer: Int
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:] }
        func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }
        var description: String { "\(method) \(path) → \(answer): \(body)" }
    }

    let port: Int
    private let process = Process()
    private let log: URL

    init(failFirst: String) throws {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("receiver-\(UUID().uuidString).jsonl")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let script = """
        import http.server, json, sys
        out, fail_first = sys.argv[1], sys.argv[2]
        refused = set()
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                code = 201
                if self.path == fail_first and self.path not in refused:
                    refused.add(self.path)
                    code = 500
                with open(out, "a") as f:
                    f.write(json.dumps({"method": "POST", "path": self.path, "headers": dict(self.headers), "body": body, "answer": code}) + "\\n")
                self.send_response(code)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, log.path, failFirst]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var line = Data()
        while let byte = try pipe.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else { throw CocoaError(.fileReadCorruptFile) }
        self.port = port
    }

    var requests: [Request] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return Request(method: object["method"] as? String ?? "", path: object["path"] as? String ?? "",
                           headers: object["headers"] as? [String: String] ?? [:], body: object["body"] as? String ?? "",
                           answer: object["answer"] as? Int ?? 0)
        }
    }

    /// The first request matching `condition`, waiting for it up to `timeout` seconds.
    func eventually(timeout: Double = 20, _ condition: (Request) -> Bool) -> Request? {
        var found: Request?
        _ = SluiceCLITests.eventually(timeout: timeout) {
            found = requests.first(where: condition)
            return found != nil
        }
        return found
    }

    /// SIGKILL: the test runner starts its children with SIGTERM blocked.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: log)
    }
}
