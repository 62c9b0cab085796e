import Foundation
import Hummingbird
import Logging
import Synchronization

/// What happened, in the order it happened, across receivers and the test itself: tests check order, not time.
final class EventLog: Sendable {
    private let events = Mutex<[String]>([])

    func append(_ event: String) { events.withLock { $0.append(event) } }
    var all: [String] { events.withLock { $0 } }

    /// Whether `first` was logged, and before `second` if that was logged at all.
    func happened(_ first: String, before second: String) -> Bool {
        let log = all
        guard let firstIndex = log.firstIndex(of: first) else { return false }
        return log.firstIndex(of: second).map { firstIndex < $0 } ?? true
    }
}

/// A request as it reached the receiver.
struct ReceivedRequest: Sendable {
    var method: String
    /// As sent, percent-encoding kept.
    var path: String
    /// Lowercased names.
    var headers: [String: String]
    var body: [UInt8]

    func header(_ name: String) -> String? { headers[name.lowercased()] }

    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
}

/// What the receiver answers to one request.
struct Reply: Sendable {
    var status: Int
    var body = ""
}

/// A real HTTP server on 127.0.0.1 that records every request and answers from a script, the last reply repeating.
/// It can hold its first request open until the test releases it.
final class Receiver: Sendable {
    let name: String
    let events: EventLog
    private let replies: [Reply]
    private let holdsFirst: Bool
    private let arrivalContinuation: AsyncStream<Int>.Continuation
    /// How many requests have arrived, once per arrival.
    let arrivals: AsyncStream<Int>
    private let state = Mutex(State())

    private struct State {
        var received: [ReceivedRequest] = []
        var port = 0
        var released = false
        var holding: CheckedContinuation<Void, Never>?
    }

    private init(name: String, replies: [Reply], holdsFirst: Bool, events: EventLog) {
        self.name = name
        self.replies = replies
        self.holdsFirst = holdsFirst
        self.events = events
        (arrivals, arrivalContinuation) = AsyncStream.makeStream(of: Int.self)
    }

    var received: [ReceivedRequest] { state.withLock { $0.received } }
    var port: Int { state.withLock { $0.port } }
    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Runs `body` with a receiver listening on an ephemeral port, and stops it afterwards.
    static func run<T: Sendable>(name: String = "receiver", replies: [Reply] = [Reply(status: 201)], holdingFirst: Bool = false,
                                 events: EventLog = EventLog(), _ body: (Receiver) async throws -> T) async throws -> T {
        let receiver = Receiver(name: name, replies: replies, holdsFirst: holdingFirst, events: events)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in try await receiver.respond(to: request) },
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: Logger(label: "receiver") { _ in SwiftLogNoOpLogHandler() })
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            defer {
                receiver.release()
                group.cancelAll()
            }
            for await port in ports { receiver.state.withLock { $0.port = port } }
            return try await body(receiver)
        }
    }

    /// Waits until `count` requests have arrived (the suites' time limit ends a wait that is never met).
    func waitForRequests(_ count: Int) async {
        if received.count >= count { return }
        for await arrived in arrivals where arrived >= count { return }
    }

    /// Lets the held request be answered.
    func release() {
        state.withLock { state in
            state.released = true
            return state.holding.take()
        }?.resume()
    }

    private func respond(to request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        let recorded = ReceivedRequest(
            method: request.method.rawValue, path: request.head.path ?? "",
            headers: Dictionary(request.headers.map { ($0.name.canonicalName, $0.value) }, uniquingKeysWith: { first, _ in first }),
            body: Array(buffer: body))
        let number = state.withLock { state in
            state.received.append(recorded)
            return state.received.count
        }
        events.append("\(name) received \(number)")
        arrivalContinuation.yield(number)
        if holdsFirst && number == 1 { await holdUntilReleased() }
        let reply = replies[min(number, replies.count) - 1]
        events.append("\(name) answered \(number)")
        return Response(status: .init(code: reply.status), body: .init(byteBuffer: ByteBuffer(string: reply.body)))
    }

    /// Waits for `release()`. Should the code under test wait for this answer before letting the test go on, the
    /// request is let go after a while rather than never: the event log then shows the wrong order.
    private func holdUntilReleased() async {
        let fallback = Task { [events, name] in
            try await Task.sleep(for: .seconds(10))
            events.append("\(name) let go unreleased")
            self.release()
        }
        await withCheckedContinuation { continuation in
            let releasedAlready = state.withLock { state in
                guard !state.released else { return true }
                state.holding = continuation
                return false
            }
            if releasedAlready { continuation.resume() }
        }
        fallback.cancel()
    }
}
