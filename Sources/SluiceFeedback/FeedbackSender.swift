import Foundation
import Logging
import NIOCore
import Synchronization

/// Sends feedback requests in the background and retries the ones that fail, without ever making its caller wait.
///
/// Each destination (scheme, host and port) has a queue of its own, served by a task of its own that lives while the
/// queue has requests. Within a destination requests go out one at a time in the order they were sent, so a forge
/// never gets an older status after a newer one; a destination that is slow, or down and waiting out its back-off,
/// holds up only its own queue, not the webhooks and forges behind other addresses. A queue keeps at most `capacity`
/// requests and drops its oldest when full, so a dead destination costs bounded memory and pushes out nothing of
/// another's.
public final class FeedbackSender: Sendable {
    let logger: Logger
    /// The waits before the second, third, … attempt; a request is given up after `retryDelays.count + 1` attempts.
    let retryDelays: [Double]
    /// Seconds one attempt may take, answer included.
    let timeout: Double
    let capacity: Int
    private let state = Mutex(State())

    /// Where requests queue up together.
    struct Destination: Hashable, Sendable, CustomStringConvertible {
        var scheme: String
        var host: String
        var port: Int

        init(_ url: URL) {
            scheme = url.scheme?.lowercased() ?? "http"
            host = url.host?.lowercased() ?? ""
            port = url.port ?? (scheme == "https" ? 443 : 80)
        }

        var description: String { "\(host):\(port)" }
    }

    private struct State {
        /// The requests waiting for each destination; a destination is here exactly while a task serves it.
        var queues: [Destination: CircularBuffer<FeedbackRequest>] = [:]
        /// Requests sent and neither delivered nor given up yet, queued or in flight.
        var outstanding = 0
        var delivered = 0
        var failed = 0
        var dropped = 0
        /// `drain` calls waiting for `outstanding` to reach 0, by a number of their own.
        var idleWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    /// - Parameters:
    ///   - retryDelays: seconds to wait before each retry, in turn.
    ///   - timeout: seconds one attempt may take.
    ///   - capacity: how many requests one destination's queue keeps.
    public init(logger: Logger, retryDelays: [Double] = [1, 2, 4, 8, 16], timeout: Double = 10, capacity: Int = 1000) {
        precondition(capacity > 0, "a feedback queue must hold at least one request")
        self.logger = logger
        self.retryDelays = retryDelays
        self.timeout = timeout
        self.capacity = capacity
    }

    /// Requests delivered: answered 2xx, or found already applied.
    public var delivered: Int { state.withLock { $0.delivered } }
    /// Requests refused, or given up after the last retry.
    public var failed: Int { state.withLock { $0.failed } }
    /// Requests dropped unsent from a full queue.
    public var dropped: Int { state.withLock { $0.dropped } }

    /// Queues `request` for delivery and returns at once; safe to call from any thread.
    public func send(_ request: FeedbackRequest) {
        let destination = Destination(request.url)
        let (startsServing, dropped) = state.withLock { state -> (Bool, FeedbackRequest?) in
            let startsServing = state.queues[destination] == nil
            state.queues[destination, default: []].append(request)
            guard state.queues[destination]!.count > capacity else {
                state.outstanding += 1
                return (startsServing, nil)
            }
            state.dropped += 1
            return (startsServing, state.queues[destination]!.removeFirst())
        }
        if let dropped {
            logger.warning("Feedback queue full: dropped its oldest request", metadata: [
                "host": "\(destination)", "event": "\(dropped.event)", "delivery": "\(dropped.deliveryID)",
                "capacity": "\(capacity)",
            ])
        }
        if startsServing {
            Task { await self.serve(destination) }
        }
    }

    /// Waits until every request sent so far is delivered or given up, for `timeout` seconds at most.
    /// - Returns: whether all were.
    public func drain(timeout: Double) async -> Bool {
        let idle = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.waitUntilIdle(); return true }
            // The deadline: the queue's own end is the event waited for (`waitUntilIdle` resumes on it).
            group.addTask { try? await Task.sleep(for: .seconds(timeout)); return false }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        return idle || state.withLock { $0.outstanding == 0 }
    }

    /// Delivers the destination's requests in order until its queue is empty.
    private func serve(_ destination: Destination) async {
        while let request = next(for: destination) {
            let delivered = await deliver(request)
            finish(delivered: delivered)
        }
    }

    /// The destination's oldest request; nil, and the destination unserved, when there is none.
    private func next(for destination: Destination) -> FeedbackRequest? {
        state.withLock { state in
            guard let request = state.queues[destination]?.popFirst() else {
                // In the same lock as `send`'s look, so a request sent now finds no task and starts one.
                state.queues[destination] = nil
                return nil
            }
            return request
        }
    }

    private func finish(delivered: Bool) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            if delivered { state.delivered += 1 } else { state.failed += 1 }
            state.outstanding -= 1
            guard state.outstanding == 0 else { return [] }
            defer { state.idleWaiters = [:] }
            return Array(state.idleWaiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when nothing is outstanding, or when the task is cancelled.
    private func waitUntilIdle() async {
        let number = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumesNow = state.withLock { state in
                    // Cancellation is flagged before its handler runs: checked here, under the lock the handler takes,
                    // no cancellation is missed.
                    guard state.outstanding > 0, !Task.isCancelled else { return true }
                    state.idleWaiters[number] = continuation
                    return false
                }
                if resumesNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.idleWaiters.removeValue(forKey: number) }?.resume()
        }
    }
}
