import Crypto
import Foundation
import Testing
@testable import SluiceFeedback

@Suite(.timeLimit(.minutes(1)))
struct NotificationTests {
    static let sha = "abc1234def5678abc1234def5678abc1234def56"
    /// 2026-03-04T05:06:07Z
    static let time = Date(timeIntervalSince1970: 1_772_600_767)

    static let failed = WorkflowNotification(
        event: "workflow.failed", workflow: "customer-service", phase: "failed", previousPhase: "running", commit: sha,
        commitSummary: "Fix tokenizer", reason: "1 of 3 tasks failed",
        failedTasks: [.init(task: "train", message: "exit code 1", logTail: "epoch 3\nTraceback (most recent call last):\nValueError: bad token")],
        link: "https://sluice.example/workflows/customer-service", time: time)

    @Test func aWebhookReceivesEveryFieldWithEventDeliveryAndSignature() async throws {
        let secret = Array("s3cret".utf8)
        let sender = FeedbackSender(logger: CapturedLogs().logger(), retryDelays: [])
        let (received, deliveryID) = try await Receiver.run { receiver in
            let request = NotificationTarget(url: receiver.url.appending(path: "hooks/sluice"), secret: secret).request(for: Self.failed)
            sender.send(request)
            #expect(await sender.drain(timeout: 10))
            return (receiver.received, request.deliveryID)
        }
        let request = try #require(received.first)
        #expect(received.count == 1)
        #expect(request.method == "POST")
        #expect(request.path == "/hooks/sluice")
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.header("User-Agent") == "sluice")
        #expect(request.header("X-Sluice-Event") == "workflow.failed")
        #expect(request.header("X-Sluice-Delivery") == deliveryID)
        #expect(UUID(uuidString: deliveryID) != nil)

        let mac = HMAC<SHA256>.authenticationCode(for: request.body, using: SymmetricKey(data: secret))
        let hex = mac.map { String(format: "%02x", $0) }.joined()
        #expect(request.header("X-Sluice-Signature-256") == "sha256=" + hex)

        let json = try #require(request.json)
        #expect(json["event"] as? String == "workflow.failed")
        #expect(json["workflow"] as? String == "customer-service")
        #expect(json["phase"] as? String == "failed")
        #expect(json["previousPhase"] as? String == "running")
        #expect(json["commit"] as? String == Self.sha)
        #expect(json["commitSummary"] as? String == "Fix tokenizer")
        #expect(json["reason"] as? String == "1 of 3 tasks failed")
        #expect(json["link"] as? String == "https://sluice.example/workflows/customer-service")
        #expect(json["time"] as? String == "2026-03-04T05:06:07Z")
        #expect(json["text"] as? String == Self.failed.text)
        #expect(json["task"] == nil)
        let tasks = try #require(json["failedTasks"] as? [[String: String]])
        #expect(tasks == [["task": "train", "message": "exit code 1",
                           "logTail": "epoch 3\nTraceback (most recent call last):\nValueError: bad token"]])
        #expect(Set(json.keys) == ["event", "workflow", "phase", "previousPhase", "commit", "commitSummary", "reason",
                                   "failedTasks", "link", "time", "text"])
        #expect(try Self.decoded(request.body) == Self.failed)
    }

    @Test func withoutASecretNothingIsSigned() async throws {
        let sender = FeedbackSender(logger: CapturedLogs().logger(), retryDelays: [])
        let received = try await Receiver.run { receiver in
            sender.send(NotificationTarget(url: receiver.url).request(for: Self.failed))
            #expect(await sender.drain(timeout: 10))
            return receiver.received
        }
        let request = try #require(received.first)
        #expect(request.header("X-Sluice-Signature-256") == nil)
        #expect(request.header("X-Sluice-Event") == "workflow.failed")
    }

    @Test func theBodyIsTheSameBytesForTheSameNotification() {
        let target = NotificationTarget(url: URL(string: "https://hooks.example/x")!, secret: [1, 2, 3])
        let first = target.request(for: Self.failed, deliveryID: "one")
        let second = target.request(for: Self.failed, deliveryID: "one")
        #expect(first == second)
        #expect(String(decoding: first.body, as: UTF8.self).hasPrefix(#"{"commit":"#))
    }

    @Test func textSaysWhatFailedWhereAndWhy() {
        #expect(Self.failed.text == """
            :x: customer-service failed at abc1234 (Fix tokenizer): train failed: exit code 1
            https://sluice.example/workflows/customer-service
            train:
            ```
            epoch 3
            Traceback (most recent call last):
            ValueError: bad token
            ```
            """)
    }

    @Test func textOfOtherEvents() {
        let recovered = WorkflowNotification(event: "workflow.recovered", workflow: "customer-service", phase: "succeeded",
                                             previousPhase: "failed", commit: Self.sha, commitSummary: "Fix tokenizer again")
        #expect(recovered.text == ":white_check_mark: customer-service recovered at abc1234 (Fix tokenizer again)")
        let unhealthy = WorkflowNotification(event: "service.unhealthy", workflow: "customer-service", phase: "running",
                                             task: "serve", reason: "GET /healthz answered 503 three times")
        #expect(unhealthy.text == ":warning: customer-service: service serve is unhealthy: GET /healthz answered 503 three times")
        let invalid = WorkflowNotification(event: "workflow.failed", workflow: "etl", phase: "failed",
                                           reason: "sluice.yaml:4:3: unknown key\n'retries'")
        #expect(invalid.text == ":x: etl failed: sluice.yaml:4:3: unknown key 'retries'")
    }

    @Test func textStaysShortWhateverTheLogs() {
        let line = String(repeating: "x", count: 200)
        let log = (1...100).map { "line \($0) \(line)" }.joined(separator: "\n")
        let tasks = (1...5).map { WorkflowNotification.FailedTask(task: "task\($0)", message: "exit code \($0)", logTail: log) }
        let notification = WorkflowNotification(event: "workflow.failed", workflow: "big", phase: "failed",
                                                commit: Self.sha, commitSummary: String(repeating: "s", count: 500),
                                                failedTasks: tasks)
        #expect(notification.text.count <= 3_000)
        #expect(notification.text.contains("(\(String(repeating: "s", count: 99))…)"))
        // The end of the first task's log is what shows: the last line, whole.
        #expect(notification.text.contains("task1:\n```\n"))
        #expect(notification.text.contains("line 100 \(line)\n```"))
        #expect(!notification.text.contains("line 80 "))
        #expect(notification.text.hasSuffix("```"))
    }

    @Test func aFenceInALogDoesNotEndTheBlock() {
        let notification = WorkflowNotification(event: "workflow.failed", workflow: "w", phase: "failed",
                                                failedTasks: [.init(task: "t", logTail: "```\nboom")])
        #expect(notification.text == ":x: w failed: t failed\nt:\n```\n'''\nboom\n```")
    }

    static func decoded(_ body: [UInt8]) throws -> WorkflowNotification {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(WorkflowNotification.self, from: Data(body))
    }
}
