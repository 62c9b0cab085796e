import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
@testable import SluiceServer

/// A backend with fixed statuses and logs that records what the server asks of it.
final class TestBackend: ServerBackend {
    struct Wake: Equatable, Sendable {
        var reason: String
        var ref: String?
    }

    private let state: Mutex<(ready: Bool, wakes: [Wake], logRequests: [String], reruns: [String])>
    let failing: Bool

    init(ready: Bool = false, failing: Bool = false) {
        self.failing = failing
        self.state = Mutex((ready: ready, wakes: [], logRequests: [], reruns: []))
    }

    var wakes: [Wake] { state.withLock { $0.wakes } }
    var logRequests: [String] { state.withLock { $0.logRequests } }
    var reruns: [String] { state.withLock { $0.reruns } }
    func setReady(_ ready: Bool) { state.withLock { $0.ready = ready } }

    func workflowsJSON() async throws -> Data {
        if failing { throw TestFailure(message: "state database is locked") }
        return Data(Fixture.workflowsJSON.utf8)
    }

    func workflowJSON(named name: String) async throws -> Data? {
        let all = try JSONSerialization.jsonObject(with: try await workflowsJSON()) as! [[String: Any]]
        return try all.first { $0["name"] as? String == name }.map { try JSONSerialization.data(withJSONObject: $0) }
    }

    func logs(workflow: String, task: String, attempt: Int?) async throws -> String? {
        state.withLock { $0.logRequests.append("\(workflow)/\(task)@\(attempt.map(String.init) ?? "latest")") }
        guard workflow == "customer-service", task == "train" else { return nil }
        switch attempt {
        case nil, 2: return "epoch 1 loss 0.41\nepoch 2 loss 0.22\n"
        case 1: return "CUDA out of memory\n"
        default: return nil
        }
    }

    func runsJSON(workflow: String, limit: Int) async throws -> Data? {
        guard workflow == "customer-service" else { return nil }
        return Data("[\(Array(repeating: Fixture.runJSON, count: min(limit, 3)).joined(separator: ","))]".utf8)
    }

    func plansJSON() async throws -> Data {
        Data(##"[{"branch":"exp/bigger","markdown":"# Plan of `exp/bigger`\n"}]"##.utf8)
    }

    func followLogs(workflow: String, task: String, attempt: Int?) async throws -> AsyncStream<LogChunk>? {
        guard workflow == "customer-service", task == "train" else { return nil }
        return AsyncStream { continuation in
            continuation.yield(.text("epoch 1 loss 0.41\n"))
            continuation.yield(.text("epoch 2\r\nloss 0.22\n"))
            continuation.yield(.end("exit code 0"))
            continuation.finish()
        }
    }

    func rerun(workflow: String, task: String, downstream: Bool, by person: String) async throws -> Data {
        guard workflow == "customer-service", task == "train" else {
            throw BackendProblem(.notFound, "workflow '\(workflow)' has no task '\(task)'")
        }
        state.withLock { $0.reruns.append("\(workflow)/\(task)\(downstream ? "+" : "") by \(person)") }
        return Data(#"{"workflow":"customer-service","tasks":["train"],"requestedBy":"the API (bearer token)","requestedAt":"2026-11-30T08:00:00.000Z"}"#.utf8)
    }

    func isReady() async -> Bool { state.withLock { $0.ready } }

    func wake(reason: String, ref: String?) async {
        state.withLock { $0.wakes.append(Wake(reason: reason, ref: ref)) }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

enum Fixture {
    static let secret = Array("It's a Secret to Everybody".utf8)

    /// Two workflows in the shape the controller sends.
    static let workflowsJSON = #"""
        [{"name":"customer-service","commit":"869126ee34c1d7a2f4b0e9d3a5c7b1e8f2d4a6c9","phase":"succeeded","errors":[],
          "tasks":[{"name":"train","phase":"succeeded","fingerprint":"a0556f39","attempts":2,"exitCode":0,"node":"node-1",
            "startedAt":"2026-11-25T11:51:31.468Z","endedAt":"2026-11-25T11:51:31.634Z","durationMilliseconds":166,"message":null,
            "logTail":null,"isService":false},
           {"name":"serve","phase":"running","fingerprint":"b1f0","attempts":1,"exitCode":null,"node":"node-1",
            "startedAt":"2026-11-25T11:51:32.000Z","endedAt":null,"durationMilliseconds":null,"message":null,"logTail":null,
            "isService":true,"service":{"address":"http://127.0.0.1:41234","healthy":true}}],
          "planned":{"pool":"local","makespan":140,"lowerBound":140,"criticalPath":140,"resourceEnergy":35,"gap":0,"cost":0.13,
            "tasks":[{"workflow":"customer-service","task":"train","start":20,"end":80,"node":"node-1","gpus":[0,1,2]}]}},
         {"name":"broken","commit":null,"phase":"invalid","errors":["sluice.yaml:23:15: task 'c' needs 'bee', which is not a task"],"tasks":[]}]
        """#

    static let runJSON = #"{"commit":{"id":"869126ee34c1d7a2f4b0e9d3a5c7b1e8f2d4a6c9","message":"Smooth the classifier"},"outcome":"succeeded","startedAt":"2026-11-25T11:51:31.468Z","endedAt":"2026-11-25T11:51:32.000Z","durationSeconds":0.532,"tasks":[]}"#

    static func hmacHex(_ body: [UInt8], secret: [UInt8] = Fixture.secret) -> String {
        HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret)).map { String(format: "%02x", $0) }.joined()
    }

    static func pushBody(ref: String = "refs/heads/main") -> [UInt8] {
        Array(#"{"ref":"\#(ref)","before":"0000000000000000000000000000000000000000","after":"869126ee34c1d7a2f4b0e9d3a5c7b1e8f2d4a6c9","repository":{"full_name":"acme/pipelines"}}"#.utf8)
    }
}

/// The server under test, with a logger that drops everything.
func makeServer(_ backend: TestBackend, metrics: ControllerMetrics = ControllerMetrics(), secret: [UInt8]? = Fixture.secret,
                maxWebhookBody: Int = 1 << 20, token: String? = nil) -> some ApplicationProtocol {
    var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, webhookSecret: secret, maxWebhookBody: maxWebhookBody)
    configuration.apiToken = token
    return buildServer(backend: backend, metrics: metrics, configuration: configuration,
                       logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }).application
}

/// The `items` (or `item`) of an API v1 answer, after checking its envelope.
func envelopeBody(_ text: String, kind: String) throws -> Any? {
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    guard object?["apiVersion"] as? String == "sluice/v1", object?["kind"] as? String == kind else { return nil }
    return object?["items"] ?? object?["item"]
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The `error` field of a JSON error body, or nil when the body is not one.
    var errorMessage: String? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["error"] as? String
    }
}
