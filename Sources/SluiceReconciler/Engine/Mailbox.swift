import Foundation

/// What wakes the engine.
enum EngineEvent: Sendable {
    /// An executor says an attempt's phase may have changed.
    case attempt(Int64)
    /// A full pass is asked for (a webhook, the ref moved, an operator), with why.
    case wake(String)
    /// A watched repository's refs changed on disk: the followed ref may have moved.
    case refsChanged
    /// A service's health probe answered.
    case probed(Int64, Bool)
    /// Graceful shutdown: stop starting work and return.
    case stop
}

/// The engine's queue of events. The engine's thread blocks in `take` until an event arrives or its next timer is
/// due, so it costs nothing while nothing happens, and an attempt's end reaches it as soon as the executor posts it.
final class Mailbox: @unchecked Sendable {
    private let condition = NSCondition()
    private var events: [EngineEvent] = []

    func post(_ event: EngineEvent) {
        condition.lock()
        events.append(event)
        condition.signal()
        condition.unlock()
    }

    /// Every queued event, waiting for the first one until `deadline` (`nil`: as long as it takes). Empty at the deadline.
    func take(until deadline: Date?) -> [EngineEvent] {
        condition.lock()
        defer { condition.unlock() }
        while events.isEmpty {
            if let deadline {
                if !condition.wait(until: deadline) { break }
            } else {
                condition.wait()
            }
        }
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }
}

/// Runs blocking work (libgit2, SQLite, files, processes) on a thread of its own, so that the cooperative pool, which
/// Hummingbird and the service group share, never waits on it.
enum EngineThread {
    static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.name = name
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
