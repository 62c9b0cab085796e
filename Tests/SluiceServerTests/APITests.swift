import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import SluiceServer

@Suite struct APITests {
    @Test func listsTheWorkflowsAsTheBackendEncodedThem() async throws {
        try await makeServer(TestBackend()).test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/workflows", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            #expect(response.text.hasPrefix(#"{"apiVersion":"sluice/v1","kind":"WorkflowList","items":"#))
            let workflows = try #require(try envelopeBody(response.text, kind: "WorkflowList") as? [[String: Any]])
            #expect(workflows.compactMap { $0["name"] as? String } == ["customer-service", "broken"])
        }
    }

    @Test func showsOneWorkflow() async throws {
        try await makeServer(TestBackend()).test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/workflows/broken", method: .get)
            #expect(response.status == .ok)
            let workflow = try #require(try envelopeBody(response.text, kind: "Workflow") as? [String: Any])
            #expect(workflow["name"] as? String == "broken")
            #expect(workflow["phase"] as? String == "invalid")
        }
    }

    @Test func unknownWorkflowIs404WithAMessage() async throws {
        try await makeServer(TestBackend()).test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/workflows/nope", method: .get)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let message = try #require(response.errorMessage)
            #expect(message.contains("'nope'"))
            #expect(message.contains("GET /api/v1/workflows"))
        }
    }

    @Test func backendFailureIs500WithTheReason() async throws {
        try await makeServer(TestBackend(failing: true)).test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/workflows", method: .get)
            #expect(response.status == .internalServerError)
            #expect(response.errorMessage?.contains("state database is locked") == true)
        }
    }

    @Test(arguments: [
        ("/api/v1/workflows/customer-service/tasks/train/logs", "epoch 1 loss 0.41\nepoch 2 loss 0.22\n", "customer-service/train@latest"),
        ("/api/v1/workflows/customer-service/tasks/train/logs?attempt=1", "CUDA out of memory\n", "customer-service/train@1"),
    ])
    func logsOfAnAttempt(uri: String, expected: String, asked: String) async throws {
        let backend = TestBackend()
        try await makeServer(backend).test(.router) { client in
            let response = try await client.execute(uri: uri, method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
            #expect(response.text == expected)
        }
        #expect(backend.logRequests == [asked])
    }

    @Test func unknownLogIs404() async throws {
        try await makeServer(TestBackend()).test(.router) { client in
            let task = try await client.execute(uri: "/api/v1/workflows/customer-service/tasks/nope/logs", method: .get)
            #expect(task.status == .notFound)
            #expect(task.errorMessage?.contains("'nope'") == true)
            let attempt = try await client.execute(uri: "/api/v1/workflows/customer-service/tasks/train/logs?attempt=7", method: .get)
            #expect(attempt.status == .notFound)
            #expect(attempt.errorMessage?.contains("attempt 7") == true)
        }
    }

    @Test(arguments: ["abc", "0", "-1", "1.5", ""])
    func badAttemptNumberIs400(attempt: String) async throws {
        let backend = TestBackend()
        try await makeServer(backend).test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/workflows/customer-service/tasks/train/logs?attempt=\(attempt)", method: .get)
            #expect(response.status == .badRequest)
            #expect(response.errorMessage?.contains("attempt must be a whole number") == true)
        }
        #expect(backend.logRequests.isEmpty)
    }

    @Test func runsPlansAndTheOpenAPIDocument() async throws {
        try await makeServer(TestBackend()).test(.router) { client in
            let runs = try await client.execute(uri: "/api/v1/workflows/customer-service/runs?limit=2", method: .get)
            #expect((try envelopeBody(runs.text, kind: "RunList") as? [Any])?.count == 2)
            let unknown = try await client.execute(uri: "/api/v1/workflows/nope/runs", method: .get)
            #expect(unknown.status == .notFound)
            let badLimit = try await client.execute(uri: "/api/v1/workflows/customer-service/runs?limit=0", method: .get)
            #expect(badLimit.status == .badRequest)
            #expect(badLimit.errorMessage?.contains("limit must be a whole number from 1 to 500") == true)
            let plans = try await client.execute(uri: "/api/v1/plans", method: .get)
            #expect((try envelopeBody(plans.text, kind: "PlanList") as? [[String: Any]])?.first?["branch"] as? String == "exp/bigger")
            let document = try await client.execute(uri: "/api/v1/openapi.json", method: .get)
            let openAPI = try #require(try JSONSerialization.jsonObject(with: Data(document.text.utf8)) as? [String: Any])
            #expect(openAPI["openapi"] as? String == "3.1.0")
            let paths = try #require(openAPI["paths"] as? [String: Any])
            for path in ["/api/v1/workflows", "/api/v1/workflows/{name}", "/api/v1/workflows/{name}/runs", "/api/v1/plans",
                         "/api/v1/workflows/{name}/tasks/{task}/logs/stream", "/api/v1/workflows/{name}/tasks/{task}/rerun"] {
                #expect(paths[path] != nil, "\(path)")
            }
        }
    }

    /// Server-sent events: each line of the log its own `data:` line, carriage returns as line ends, then `end`.
    @Test func followedLogsAreServerSentEvents() async throws {
        try await makeServer(TestBackend()).test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/workflows/customer-service/tasks/train/logs/stream", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/event-stream")
            #expect(response.text == "event: log\ndata: epoch 1 loss 0.41\ndata: \n\nevent: log\ndata: epoch 2\ndata: loss 0.22\ndata: \n\nevent: end\ndata: exit code 0\n\n")
            let unknown = try await client.execute(uri: "/api/v1/workflows/customer-service/tasks/nope/logs/stream", method: .get)
            #expect(unknown.status == .notFound)
        }
    }
}

/// `--api-token-file`: a bearer token on everything that holds data; reruns only with one.
@Suite struct TokenTests {
    static let token = "0123456789abcdef0123456789abcdef"

    @Test func everyPathButProbesWebhookAndPageNeedsTheToken() async throws {
        try await makeServer(TestBackend(ready: true), token: Self.token).test(.router) { client in
            for uri in ["/api/v1/workflows", "/api/v1/workflows/customer-service", "/api/v1/plans", "/metrics", "/api/v1/openapi.json",
                        "/api/v1/workflows/customer-service/tasks/train/logs"] {
                let bare = try await client.execute(uri: uri, method: .get)
                #expect(bare.status == .unauthorized, "\(uri)")
                #expect(bare.headers[.wwwAuthenticate] == "Bearer realm=\"sluice\"")
                #expect(bare.errorMessage?.contains("Authorization: Bearer") == true)
                let wrong = try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer " + String(Self.token.reversed())])
                #expect(wrong.status == .unauthorized, "\(uri)")
                #expect(wrong.errorMessage?.contains("not this controller's") == true)
                let right = try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer " + Self.token])
                #expect(right.status == .ok, "\(uri)")
            }
            for uri in ["/healthz", "/readyz", "/", "/assets/page.js", "/assets/dashboard.css"] {
                let open = try await client.execute(uri: uri, method: .get)
                #expect(open.status == .ok, "\(uri)")
            }
            // The webhook keeps its own check: no token needed, its signature is.
            let hook = try await client.execute(uri: "/hooks/git", method: .post, body: ByteBuffer(bytes: Fixture.pushBody()))
            #expect(hook.status == .unauthorized && hook.errorMessage?.contains("Bearer") == false)
        }
    }

    @Test func rerunNeedsATokenAndRecordsWhoAsked() async throws {
        let readOnly = TestBackend()
        try await makeServer(readOnly).test(.router) { client in
            let refused = try await client.execute(uri: "/api/v1/workflows/customer-service/tasks/train/rerun", method: .post)
            #expect(refused.status == .forbidden)
            #expect(refused.errorMessage?.contains("--api-token-file") == true)
        }
        #expect(readOnly.reruns.isEmpty)
        let backend = TestBackend()
        try await makeServer(backend, token: Self.token).test(.router) { client in
            let headers: HTTPFields = [.authorization: "Bearer " + Self.token]
            let accepted = try await client.execute(uri: "/api/v1/workflows/customer-service/tasks/train/rerun?downstream=true", method: .post, headers: headers)
            #expect(accepted.status == .accepted)
            #expect((try envelopeBody(accepted.text, kind: "Rerun") as? [String: Any])?["tasks"] as? [String] == ["train"])
            let unknown = try await client.execute(uri: "/api/v1/workflows/customer-service/tasks/nope/rerun", method: .post, headers: headers)
            #expect(unknown.status == .notFound)
        }
        #expect(backend.reruns == ["customer-service/train+ by the API (bearer token)"])
    }
}
