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

    private let state: Mutex<(ready: Bool, wakes: [Wake], logRequests: [String])>
    let failing: Bool

    init(ready: Bool = false, failing: Bool = false) {
        self.failing = failing
        self.state = Mutex((ready: ready, wakes: [], logRequests: []))
    }

    var wakes: [Wake] { state.withLock { $0.wakes } }
    var logRequests: [String] { state.withLock { $0.logRequests } }
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

    static func hmacHex(_ body: [UInt8], secret: [UInt8] = Fixture.secret) -> String {
        HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret)).map { String(format: "%02x", $0) }.joined()
    }

    static func pushBody(ref: String = "refs/heads/main") -> [UInt8] {
        Array(#"{"ref":"\#(ref)","before":"0000000000000000000000000000000000000000","after":"869126ee34c1d7a2f4b0e9d3a5c7b1e8f2d4a6c9","repository":{"full_name":"acme/pipelines"}}"#.utf8)
    }
}

/// The server under test, with a logger that drops everything.
func makeServer(_ backend: TestBackend, metrics: ControllerMetrics = ControllerMetrics(), secret: [UInt8]? = Fixture.secret,
                maxWebhookBody: Int = 1 << 20) -> some ApplicationProtocol {
    buildServer(backend: backend, metrics: metrics,
                configuration: ServerConfiguration(host: "127.0.0.1", port: 0, webhookSecret: secret, maxWebhookBody: maxWebhookBody),
                logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The `error` field of a JSON error body, or nil when the body is not one.
    var errorMessage: String? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["error"] as? String
    }
}
