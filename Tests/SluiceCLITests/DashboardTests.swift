import Foundation
import Testing

/// The controller's API and dashboard as clients meet them: a real controller on loopback, its answers checked against
/// its own OpenAPI document, and its page in headless Chromium (scripts/dashboard-check.sh), token and all.
@Suite struct DashboardTests {
    static let manifest = controllerManifest("""
        - {name: train, run: 'echo "{\\"accuracy\\": 0.8}" > $SLUICE_OUTPUT/m.json', metrics: [m.json], estimate: 5s}
        - {name: slow, run: 'for i in 1 2 3 4 5 6 7 8; do echo tick-$i; sleep 0.5; done', needs: [train]}
        - name: web
          service: {run: 'exec python3 -m http.server $SLUICE_PORT --bind 127.0.0.1', health: {http: /}}
    """).replacingOccurrences(of: "  pool: local\n", with: "  pool: local\n  schedule: \"0 3 * * *\"\n  timezone: Europe/Paris\n")

    private func curl(_ arguments: String...) throws -> ProcessResult {
        try run("/usr/bin/curl", ["-s", "--max-time", "10"] + arguments)
    }

    @Test func theAPIMatchesItsOpenAPIDocumentAndTheDashboardShowsIt() throws {
        let folder = try TemporaryFolder()
        let repo = folder.url.appendingPathComponent("repo")
        try folder.write("repo/sluice.yaml", Self.manifest)
        try commitAll(in: repo, initialize: true)
        try folder.write("token", "0123456789abcdef0123456789abcdef\n")
        let token = folder.url.appendingPathComponent("token").path
        let port = freePort()
        let url = "http://127.0.0.1:\(port)"
        let controller = try RunningController(repo: repo, state: folder.url.appendingPathComponent("state"),
                                               arguments: ["--listen", "127.0.0.1:\(port)", "--api-token-file", token])
        defer { controller.stop() }
        let bearer = "Authorization: Bearer 0123456789abcdef0123456789abcdef"
        let settled = eventually(timeout: 60) {
            let answer = (try? curl("-H", bearer, "\(url)/api/v1/workflows/w"))?.stdout ?? ""
            return answer.contains(#""name":"slow","needs":["train"]"#) && answer.contains(#""phase":"succeeded","requestedBy":null"#)
                && answer.contains(#""healthy":true"#)
        }
        #expect(settled, "\(controller.output)")

        let unauthorized = try curl("-o", "/dev/null", "-w", "%{http_code}", "\(url)/api/v1/workflows")
        #expect(unauthorized.stdout == "401")
        let checked = try run("/usr/bin/env", ["python3", sourceRoot.appendingPathComponent("scripts/check-openapi.py").path, url, "--token-file", token])
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")

        let screenshots = folder.url.appendingPathComponent("shots")
        let page = try run(sourceRoot.appendingPathComponent("scripts/dashboard-check.sh").path, [url, screenshots.path, token])
        #expect(page.status == 0, "\(page.stdout)\(page.stderr)")
        #expect(page.stdout.contains("dashboard-check: ok: 1 workflow(s) (w)"), "\(page.stdout)")
        #expect(FileManager.default.fileExists(atPath: screenshots.appendingPathComponent("dashboard.png").path))

        // The rerun button's call, then the live log as the page follows it.
        let rerun = try curl("-X", "POST", "-H", bearer, "-w", "\n%{http_code}", "\(url)/api/v1/workflows/w/tasks/slow/rerun")
        #expect(rerun.stdout.hasSuffix("\n202"), "\(rerun.stdout)")
        #expect(rerun.stdout.contains(#""kind":"Rerun""#))
        let followed = try run(sourceRoot.appendingPathComponent("scripts/dashboard-check.sh").path, ["--follow", url, "w", "slow", token],
                               environment: ["EXPECT_LOG": "tick-4"])
        #expect(followed.status == 0, "\(followed.stdout)\(followed.stderr)")
        #expect(eventually(timeout: 30) {
            ((try? curl("-H", bearer, "\(url)/api/v1/workflows/w"))?.stdout ?? "").contains(#""phase":"succeeded","requestedBy":"the API (bearer token)""#)
        })
        let metrics = try curl("-H", bearer, "\(url)/metrics").stdout
        #expect(metrics.contains(#"sluice_workflow_phase{workflow="w",phase="succeeded"} 1"#), "\(metrics)")
        #expect(metrics.contains(#"sluice_service_healthy{workflow="w",task="web"} 1"#))
        #expect(metrics.contains("sluice_workflow_last_success_timestamp_seconds{workflow=\"w\"}"))
        #expect(metrics.contains("hb_requests{"))
    }

    /// Without a token the page is read-only (no rerun buttons) and so is the API.
    @Test func withoutATokenTheDashboardIsReadOnly() throws {
        let folder = try TemporaryFolder()
        let repo = folder.url.appendingPathComponent("repo")
        try folder.write("repo/sluice.yaml", controllerManifest("    - {name: a, run: \"true\"}"))
        try commitAll(in: repo, initialize: true)
        let port = freePort()
        let url = "http://127.0.0.1:\(port)"
        let controller = try RunningController(repo: repo, state: folder.url.appendingPathComponent("state"), arguments: ["--listen", "127.0.0.1:\(port)"])
        defer { controller.stop() }
        #expect(eventually { ((try? curl("\(url)/api/v1/workflows/w"))?.stdout ?? "").contains(#""outcome":"succeeded""#) }, "\(controller.output)")
        let page = try run(sourceRoot.appendingPathComponent("scripts/dashboard-check.sh").path, [url, folder.url.appendingPathComponent("shots").path])
        #expect(page.status == 0, "\(page.stdout)\(page.stderr)")
        let refused = try curl("-X", "POST", "-w", "\n%{http_code}", "\(url)/api/v1/workflows/w/tasks/a/rerun")
        #expect(refused.stdout.hasSuffix("\n403") && refused.stdout.contains("read-only"), "\(refused.stdout)")
    }

    /// The deployment examples never put the API on the network without a token.
    @Test func theDeploymentsListenBeyondLoopbackOnlyWithAToken() throws {
        let check = """
            import sys, yaml
            docs = list(yaml.safe_load_all(open(sys.argv[1])))
            pod = next(d for d in docs if d and d.get("kind") == "Deployment")["spec"]["template"]["spec"]
            args = pod["containers"][0]["args"]
            listen = next(a for a in args if a.startswith("--listen="))
            token = next((a for a in args if a.startswith("--api-token-file=")), None)
            mounts = [m["mountPath"] for m in pod["containers"][0]["volumeMounts"]]
            ok = listen.startswith("--listen=127.") or (token is not None and any(token.split("=", 1)[1].startswith(m + "/") for m in mounts))
            print("ok" if ok else "listen %s without a mounted --api-token-file" % listen)
            """
        let result = try run("/usr/bin/env", ["python3", "-c", check, sourceRoot.appendingPathComponent("Manifests/deploy/kubernetes.yaml").path])
        #expect(result.stdout == "ok\n", "\(result.stdout)\(result.stderr)")
        let unit = try String(contentsOf: sourceRoot.appendingPathComponent("Manifests/deploy/sluice-controller.service"), encoding: .utf8)
        #expect(unit.contains("--listen 127.0.0.1:7480") && unit.contains("--api-token-file /etc/sluice/api-token"))
    }
}
