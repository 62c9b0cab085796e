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

    @Test func dashboardIsOneSelfContainedPage() async throws {
        try await makeServer(TestBackend()).test(.router) { client in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            let page = response.text
            #expect(page.hasPrefix("<!doctype html>"))
            #expect(page.contains("api/v1/workflows"))
            // No CDN: the only absolute URL is the SVG namespace, which is a name, not something fetched.
            let absolute = page.ranges(of: "://").map { page[page.index($0.lowerBound, offsetBy: -5)..<page.index($0.upperBound, offsetBy: 13)] }
            #expect(absolute.allSatisfy { $0.hasSuffix("www.w3.org/20") }, "absolute URLs in the page: \(absolute)")
            #expect(!page.contains("<script src") && !page.contains("<link"))
        }
    }

    /// The page's script is JavaScript that parses (a syntax error would leave the dashboard blank).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/node"), "needs node to parse the script"))
    func dashboardScriptParses() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-dashboard-\(UUID().uuidString).js")
        try DashboardPage.script.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let node = Process()
        node.executableURL = URL(fileURLWithPath: "/usr/bin/node")
        node.arguments = ["--check", file.path]
        let errors = Pipe()
        node.standardError = errors
        try node.run()
        node.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(node.terminationStatus == 0, "node --check: \(message)")
    }
}
