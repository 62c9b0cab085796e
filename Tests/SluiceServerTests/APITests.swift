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
            #expect(response.text == Fixture.workflowsJSON)
            let workflows = try #require(try JSONSerialization.jsonObject(with: Data(response.text.utf8)) as? [[String: Any]])
            #expect(workflows.compactMap { $0["name"] as? String } == ["customer-service", "broken"])
        }
    }

    @Test func showsOneWorkflow() async throws {
        try await makeServer(TestBackend()).test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/workflows/broken", method: .get)
            #expect(response.status == .ok)
            let workflow = try #require(try JSONSerialization.jsonObject(with: Data(response.text.utf8)) as? [String: Any])
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
}
