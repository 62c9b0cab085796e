import Foundation
import Testing

/// `sluice controller` as a real daemon: commits, crashes, services.
@Suite(.serialized) struct ControllerTests {
    @Test func aCommitGetsItsStatusCommit() throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", controllerManifest("    - {name: hello, run: echo one}"))
        try commitAll(in: folder.url, initialize: true)
        let controller = try RunningController(repo: folder.url, state: folder.url.appendingPathComponent(".sluice"))
        defer { controller.stop() }
        var head = try headCommit(folder.url)
        #expect(eventually { statusLog(folder.url).first?.contains("Sluice-Source: \(head)") == true && statusLog(folder.url).first!.hasPrefix("w: 1 succeeded") }, "\(controller.output)")

        try folder.write("sluice.yaml", controllerManifest("    - {name: hello, run: echo two}"))
        try commitAll(in: folder.url, message: "say two")
        head = try headCommit(folder.url)
        let committed = Date()
        // A new source commit: the status commit says which one it synced to.
        #expect(eventually { statusLog(folder.url).first.map { $0.contains("Sluice-Source: \(head)") && $0.hasPrefix("Synced to \(head.prefix(7)) (say two): w: 1 succeeded") } == true }, "\(controller.output)")
        print("commit to status commit: \(Int(Date().timeIntervalSince(committed) * 1000)) ms")
    }

    @Test func aControllerKilledWhileATaskRunsLosesNothingAndRunsItOnce() throws {
        let folder = try TemporaryFolder()
        let counter = folder.url.appendingPathComponent("runs.txt").path
        try folder.write("sluice.yaml", controllerManifest("    - {name: slow, run: echo started >> \(counter); sleep 2; echo done}"))
        try commitAll(in: folder.url, initialize: true)
        let state = folder.url.appendingPathComponent(".sluice")
        let first = try RunningController(repo: folder.url, state: state)
        #expect(eventually { FileManager.default.fileExists(atPath: counter) }, "\(first.output)")
        first.kill9()
        // The task finishes while no controller runs; its supervisor records the result.
        Thread.sleep(forTimeInterval: 2.5)
        let second = try RunningController(repo: folder.url, state: state)
        defer { second.stop() }
        #expect(eventually { statusLog(folder.url).first?.hasPrefix("w: 1 succeeded") == true }, "\(second.output)")
        #expect(try String(contentsOfFile: counter, encoding: .utf8) == "started\n")
        let status = try sluice("status", "w", "--state", state.path, "--output", "json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
        let task = try #require((json.first?["tasks"] as? [[String: Any]])?.first)
        #expect(task["phase"] as? String == "succeeded")
        #expect(task["attempts"] as? Int == 1)
    }

    @Test func aSecondControllerOnTheSameStateIsRefused() throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", controllerManifest("    - {name: hello, run: echo one}"))
        try commitAll(in: folder.url, initialize: true)
        let state = folder.url.appendingPathComponent(".sluice")
        let first = try RunningController(repo: folder.url, state: state)
        defer { first.stop() }
        #expect(eventually { FileManager.default.fileExists(atPath: state.appendingPathComponent("controller.lock").path) })
        Thread.sleep(forTimeInterval: 0.3)
        let second = try sluice("controller", "--repo", folder.url.path, "--state", state.path, "--listen", "off")
        #expect(second.status == 3)
        #expect(second.stderr.contains("is held by another Sluice controller or apply (pid \(first.process.processIdentifier))"))
        let apply = try sluice("apply", "--repo", folder.url.path, "--state", state.path)
        #expect(apply.status == 3)
        #expect(apply.stderr.contains("is held by another Sluice controller or apply"))
    }

    @Test func aKilledServiceIsRestartedAndANewModelRollsWithoutAGap() throws {
        let folder = try TemporaryFolder()
        let server = """
        import http.server, os, sys
        version = open("model.txt").read().strip()
        open(os.environ["SLUICE_OUTPUT"] + "/pid", "w").write(str(os.getpid()))
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200); self.end_headers(); self.wfile.write(version.encode())
            def log_message(self, *a): pass
        http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["SLUICE_PORT"])), H).serve_forever()
        """
        let task = "    - name: api\n      service: {run: python3 serve.py, health: {http: /healthz}}\n      inputs: [serve.py, model.txt]"
        try folder.write("serve.py", server)
        try folder.write("model.txt", "v1")
        try folder.write("sluice.yaml", controllerManifest(task))
        try commitAll(in: folder.url, initialize: true)
        let state = folder.url.appendingPathComponent(".sluice")
        let controller = try RunningController(repo: folder.url, state: state)
        defer { controller.stop() }

        func ports() -> [Int] {
            let root = state.appendingPathComponent("attempts/w/api")
            let folders = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
            return folders.compactMap { name in
                guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(name).appendingPathComponent("spec.json").path),
                      let spec = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                      let env = spec["environment"] as? [String: String] else { return nil }
                return env["SLUICE_PORT"].flatMap(Int.init)
            }
        }
        func answering() -> [String] { ports().compactMap { httpGet(port: $0) } }

        #expect(eventually { answering() == ["v1"] }, "\(controller.output)")
        let pidFile = try #require(try FileManager.default.contentsOfDirectory(atPath: state.appendingPathComponent("outputs").path)
            .map { state.appendingPathComponent("outputs/\($0)/pid").path }.first { FileManager.default.fileExists(atPath: $0) })
        let firstPID = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        kill(firstPID, SIGKILL)
        #expect(eventually { (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0) } != firstPID && answering() == ["v1"] },
                "\(controller.output)")

        let beforeRoll = controller.output.count
        try folder.write("model.txt", "v2")
        try commitAll(in: folder.url, message: "new model")
        var gaps = 0
        let rolled = eventually(timeout: 30) {
            let versions = answering()
            if versions.isEmpty { gaps += 1 }
            return versions == ["v2"]
        }
        #expect(rolled, "\(controller.output)")
        // A gap must say where it came from: the controller restarting a live service it thought unhealthy shows in its log.
        #expect(gaps == 0, "no moment without a healthy version: \(controller.output)")
        // Stopping the old version is the roll working, not a failure.
        #expect(eventually { controller.output.contains("service version retired") }, "\(controller.output)")
        #expect(!controller.output.dropFirst(beforeRoll).contains("failed"), "\(controller.output.dropFirst(beforeRoll))")
    }
}

/// GET / on loopback; the body, or nil when nothing answers.
func httpGet(port: Int) -> String? {
    // A generous timeout: on a loaded machine a slow answer is still an answer, not a gap.
    let result = try? run("/usr/bin/curl", ["-s", "-m", "5", "http://127.0.0.1:\(port)/"])
    guard let result, result.status == 0, !result.stdout.isEmpty else { return nil }
    return result.stdout
}
