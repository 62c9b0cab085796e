import Foundation
import Logging
import Testing
@testable import SluiceFeedback

/// Delivery over real loopback sockets: retries, refusals, give-ups, and a caller that is never kept waiting.
@Suite(.timeLimit(.minutes(1)))
struct FeedbackSenderTests {
    static let notification = WorkflowNotification(event: "workflow.failed", workflow: "customer-service", phase: "failed",
                                                   reason: "train failed")

    static func notifying(_ url: URL) -> FeedbackRequest {
        NotificationTarget(url: url).request(for: notification)
    }

    @Test(arguments: [500, 503, 429])
    func retriesUntilDeliveredWithTheSameDeliveryID(failure: Int) async throws {
        let sender = FeedbackSender(logger: CapturedLogs().logger(), retryDelays: [0.01, 0.01, 0.01])
        let (received, deliveryID) = try await Receiver.run(replies: [Reply(status: failure), Reply(status: failure), Reply(status: 200)]) { receiver in
            let request = Self.notifying(receiver.url)
            sender.send(request)
            #expect(await sender.drain(timeout: 10))
            return (receiver.received, request.deliveryID)
        }
        #expect(received.count == 3)
        #expect(received.map { $0.header("X-Sluice-Delivery") } == Array(repeating: deliveryID, count: 3))
        #expect(Set(received.map(\.body)).count == 1)
        #expect(sender.delivered == 1)
        #expect(sender.failed == 0)
    }

    @Test func aClientErrorIsNotRetried() async throws {
        let logs = CapturedLogs()
        let sender = FeedbackSender(logger: logs.logger(), retryDelays: [0.01, 0.01])
        let count = try await Receiver.run(replies: [Reply(status: 404, body: "no such hook")]) { receiver in
            sender.send(Self.notifying(receiver.url))
            #expect(await sender.drain(timeout: 10))
            return receiver.received.count
        }
        #expect(count == 1)
        #expect(sender.failed == 1)
        #expect(sender.delivered == 0)
        let error = try #require(logs.all.first { $0.level == .error })
        #expect(error.metadata["status"] == "404")
        #expect(error.metadata["answer"] == "no such hook")
    }

    @Test func anUnreachableDestinationIsGivenUpAfterTheRetriesAndLogged() async throws {
        // A port that was just listened on and is closed now: connections to it are refused.
        let port = try await Receiver.run { $0.port }
        let logs = CapturedLogs()
        // The shared HTTP client tries to connect again and again until an attempt's time is up: a short one keeps
        // this test short.
        let sender = FeedbackSender(logger: logs.logger(), retryDelays: [0.01, 0.01], timeout: 1)
        let request = Self.notifying(URL(string: "http://127.0.0.1:\(port)/hook")!)
        sender.send(request)
        #expect(await sender.drain(timeout: 30))
        #expect(sender.failed == 1)
        #expect(sender.delivered == 0)
        #expect(logs.all.filter { $0.level == .notice }.map(\.metadata["attempts"]) == ["1", "2"])
        let gaveUp = try #require(logs.all.first { $0.level == .error })
        #expect(gaveUp.metadata["host"] == "127.0.0.1:\(port)")
        #expect(gaveUp.metadata["delivery"] == request.deliveryID)
        #expect(gaveUp.metadata["event"] == "workflow.failed")
        #expect(gaveUp.metadata["attempts"] == "3")
        #expect(gaveUp.metadata["status"] == nil)
    }

    @Test func sendReturnsWhileTheReceiverHoldsTheRequest() async throws {
        let events = EventLog()
        // Longer than the receiver holds a request it is not told to release, so that a sender that waits shows in
        // the order of events, not in a timeout of its own.
        let sender = FeedbackSender(logger: CapturedLogs().logger(), retryDelays: [], timeout: 30)
        let received = try await Receiver.run(name: "hook", holdingFirst: true, events: events) { receiver in
            sender.send(Self.notifying(receiver.url))
            events.append("first send returned")
            await receiver.waitForRequests(1)
            // The first request is in flight and unanswered; a second send must not wait for it either.
            sender.send(Self.notifying(receiver.url))
            events.append("second send returned")
            receiver.release()
            #expect(await sender.drain(timeout: 20))
            return receiver.received.count
        }
        #expect(received == 2)
        #expect(events.happened("first send returned", before: "hook answered 1"))
        #expect(events.happened("second send returned", before: "hook answered 1"))
        #expect(!events.all.contains("hook let go unreleased"))
        #expect(sender.delivered == 2)
    }

    @Test func aSlowDestinationDoesNotHoldUpAnother() async throws {
        let events = EventLog()
        // Longer than the receiver holds a request it is not told to release, so that a sender that waits shows in
        // the order of events, not in a timeout of its own.
        let sender = FeedbackSender(logger: CapturedLogs().logger(), retryDelays: [], timeout: 30)
        try await Receiver.run(name: "slow", holdingFirst: true, events: events) { slow in
            try await Receiver.run(name: "fast", events: events) { fast in
                sender.send(Self.notifying(slow.url))
                await slow.waitForRequests(1)
                sender.send(Self.notifying(fast.url))
                await fast.waitForRequests(1)
                slow.release()
                #expect(await sender.drain(timeout: 20))
            }
        }
        // The fast destination got its request while the slow one was still held. (Which of the two answers is logged
        // first after the release is a race between two servers, not something the sender decides.)
        #expect(events.happened("fast received 1", before: "slow answered 1"))
        #expect(!events.all.contains("slow let go unreleased"))
        #expect(sender.delivered == 2)
    }

    @Test func oneDestinationGetsItsRequestsInTheOrderSent() async throws {
        let sender = FeedbackSender(logger: CapturedLogs().logger(), retryDelays: [])
        let states = try await Receiver.run { receiver in
            let forge = ForgeConfiguration(kind: .gitea, apiURL: receiver.url, repository: "a/b", token: "t")
            for state in [CommitState.pending, .failure, .pending, .success] {
                sender.send(forge.request(for: CommitStatus(commit: ForgeStatusTests.sha, state: state, description: "")))
            }
            #expect(await sender.drain(timeout: 10))
            return receiver.received.map { $0.json?["state"] as? String }
        }
        #expect(states == ["pending", "failure", "pending", "success"])
    }

    @Test func aFullQueueDropsItsOldestRequest() async throws {
        let logs = CapturedLogs()
        let sender = FeedbackSender(logger: logs.logger(), retryDelays: [], capacity: 2)
        let bodies = try await Receiver.run(holdingFirst: true) { receiver in
            let workflows = ["in-flight", "oldest", "middle", "newest"]
            let requests = workflows.map { workflow in
                NotificationTarget(url: receiver.url).request(for: WorkflowNotification(event: "workflow.failed", workflow: workflow, phase: "failed"))
            }
            sender.send(requests[0])
            await receiver.waitForRequests(1)
            for request in requests.dropFirst() { sender.send(request) }
            receiver.release()
            #expect(await sender.drain(timeout: 10))
            return receiver.received.map { $0.json?["workflow"] as? String }
        }
        #expect(bodies == ["in-flight", "middle", "newest"])
        #expect(sender.dropped == 1)
        #expect(sender.delivered == 3)
        #expect(logs.all.contains { $0.level == .warning && $0.metadata["capacity"] == "2" })
    }

    @Test func drainReportsWhatIsStillOutstanding() async throws {
        let sender = FeedbackSender(logger: CapturedLogs().logger(), retryDelays: [])
        #expect(await sender.drain(timeout: 1))
        try await Receiver.run(holdingFirst: true) { receiver in
            sender.send(Self.notifying(receiver.url))
            await receiver.waitForRequests(1)
            #expect(await sender.drain(timeout: 0.05) == false)
            receiver.release()
            #expect(await sender.drain(timeout: 10))
        }
    }

    @Test func answersAreSortedIntoDeliveredRetryableAndRefused() {
        #expect(FeedbackSender.answer(status: 201, body: "", alreadyAppliedMarker: nil) == .delivered(status: 201))
        #expect(FeedbackSender.answer(status: 502, body: "", alreadyAppliedMarker: nil) == .retryable(status: 502, cause: "HTTP 502"))
        #expect(FeedbackSender.answer(status: 408, body: "", alreadyAppliedMarker: nil) == .retryable(status: 408, cause: "HTTP 408"))
        #expect(FeedbackSender.answer(status: 401, body: "bad credentials", alreadyAppliedMarker: "x") == .refused(status: 401, answer: "bad credentials"))
        #expect(FeedbackSender.answer(status: 400, body: "a Cannot transition status b", alreadyAppliedMarker: "Cannot transition status")
                == .alreadyApplied(status: 400))
        #expect(FeedbackSender.answer(status: 400, body: "Cannot transition status", alreadyAppliedMarker: nil)
                == .refused(status: 400, answer: "Cannot transition status"))
    }
}
