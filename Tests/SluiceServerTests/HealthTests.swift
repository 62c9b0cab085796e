import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import SluiceServer

@Suite struct HealthTests {
    @Test func healthzAnswersOkWhetherOrNotReady() async throws {
        try await makeServer(TestBackend(ready: false)).test(.router) { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(response.text == "ok\n")
        }
    }

    @Test func readyzIs503UntilTheFirstPassThen200() async throws {
        let backend = TestBackend(ready: false)
        try await makeServer(backend).test(.router) { client in
            let before = try await client.execute(uri: "/readyz", method: .get)
            #expect(before.status == .serviceUnavailable)
            #expect(before.text.contains("first reconcile pass"))
            backend.setReady(true)
            let after = try await client.execute(uri: "/readyz", method: .get)
            #expect(after.status == .ok)
        }
    }

    @Test func unknownRouteIsAJSONError() async throws {
        try await makeServer(TestBackend()).test(.router) { client in
            let response = try await client.execute(uri: "/api/v2/things", method: .get)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(response.errorMessage?.contains("/api/v1/workflows") == true)
        }
    }

    /// The page comes from its template, its script and style from files beside it: nothing from elsewhere.
    @Test func dashboardIsRenderedFromItsTemplate() async throws {
        try await makeServer(TestBackend(), token: "0123456789abcdef0123456789abcdef").test(.router) { client in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            let page = response.text
            #expect(page.hasPrefix("<!doctype html>"))
            #expect(page.contains(#"data-token-required="true""#) && !page.contains("{{"), "the template was rendered")
            #expect(page.contains(#"<script src="assets/page.js""#) && page.contains(#"href="assets/dashboard.css""#))
            // No CDN: an absolute URL in the page could only be the SVG namespace, a name that is never fetched.
            let absolute = page.ranges(of: "://").map { page[page.index($0.lowerBound, offsetBy: -5)..<page.index($0.upperBound, offsetBy: 13)] }
            #expect(absolute.allSatisfy { $0.hasSuffix("www.w3.org/20") }, "absolute URLs in the page: \(absolute)")
            // Every script the page names is served, without the token (they hold no data).
            let scripts = page.ranges(of: #"src=""#).map { page[$0.upperBound...].prefix { $0 != "\"" } }
            #expect(scripts.count > 5)
            for source in scripts {
                let served = try await client.execute(uri: "/" + source, method: .get)
                #expect(served.status == .ok, "\(source)")
            }
            let traversal = try await client.execute(uri: "/assets/..%2Fopenapi.json", method: .get)
            #expect(traversal.status == .unauthorized || traversal.status == .notFound)
            let script = try await client.execute(uri: "/assets/page.js", method: .get)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(script.text.contains("api/v1/workflows"))
            let style = try await client.execute(uri: "/assets/dashboard.css", method: .get)
            #expect(style.headers[.contentType] == "text/css; charset=utf-8")
        }
        try await makeServer(TestBackend()).test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.text.contains(#"data-token-required="false""#))
        }
    }

    /// The page's script is JavaScript that parses (a syntax error would leave the dashboard blank).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/node"), "needs node to parse the script"))
    func dashboardScriptsParse() throws {
        let folder = try #require(Assets.folder?.appendingPathComponent("dashboard/assets"))
        let scripts = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".js") }
        #expect(scripts.count > 5)
        for script in scripts {
            let node = Process()
            node.executableURL = URL(fileURLWithPath: "/usr/bin/node")
            node.arguments = ["--check", folder.appendingPathComponent(script).path]
            let errors = Pipe()
            node.standardError = errors
            try node.run()
            node.waitUntilExit()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(node.terminationStatus == 0, "node --check \(script): \(message)")
        }
    }
}
