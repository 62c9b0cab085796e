import Foundation
import Logging
import SluiceProcess
import Synchronization

/// Watches the jobs of a cluster executor on a thread of its own, and posts an event for each attempt whose
/// `result.json` appeared, whose job changed phase, or whose job ended `resultGrace` ago without a result.
///
/// A result is noticed at once through inotify on the attempts' folders, which the supervisor inside the job writes:
/// that is the end of almost every attempt. The engine is listed once every `interval` (never one request per job)
/// for the rest: starts, and ends the supervisor could not record. A shared filesystem may not deliver inotify events
/// for writes made on other nodes; the listing then notices the end, at most `interval` later. The thread sleeps
/// without a timer while nothing is watched.
final class JobTracker: Sendable {
    struct Entry: Sendable {
        var attempt: AttemptHandle
        var phase: ClusterJob.Phase?
        /// When the job was first seen ended: its supervisor's `result.json` may take a moment to reach this host.
        var endedSeen: Date?
        var graceReported = false
        /// The engine answered without this job while its phase was unknown; reported once per look of the executor's.
        var absenceReported = false
        /// Its folder's inotify watch.
        var watch: Int32 = -1
    }

    private final class Shared: Sendable {
        let entries = Mutex<[String: Entry]>([:])
        let wake = DispatchSemaphore(value: 0)
        let arrivals = FileArrivals()
    }

    private let shared = Shared()

    init(engine: any ClusterEngine, interval: TimeInterval, grace: @escaping @Sendable (ClusterEnd) -> TimeInterval,
         logger: Logger, report: @escaping @Sendable (AttemptHandle) -> Void) {
        let shared = self.shared
        let thread = Thread {
            Self.loop(shared, engine: engine, interval: interval, grace: grace, logger: logger, report: report)
        }
        thread.name = "sluice.cluster-jobs"
        thread.start()
    }

    /// Starts (or keeps) watching a job; `phase` is what the caller has just seen of it, nil when it could not tell
    /// (the tracker then reports the attempt again at the next listing that lacks it).
    func track(_ attempt: AttemptHandle, submissionID: String, phase: ClusterJob.Phase?) {
        let added = shared.entries.withLock { entries -> Bool in
            let isNew = entries[submissionID] == nil
            var entry = entries[submissionID] ?? Entry(attempt: attempt)
            if isNew { entry.watch = shared.arrivals.watch(attempt.directory) }
            if let phase {
                entry.phase = phase
                if phase.hasEnded { entry.endedSeen = entry.endedSeen ?? Date() }
            } else {
                entry.absenceReported = false
            }
            entries[submissionID] = entry
            return isNew
        }
        if added { shared.wake.signal() }
    }

    /// What the tracker last saw of a job: its phase, and when it was first seen ended.
    func lastSeen(_ submissionID: String) -> Entry? {
        shared.entries.withLock { $0[submissionID] }
    }

    private static func loop(_ shared: Shared, engine: any ClusterEngine, interval: TimeInterval,
                             grace: (ClusterEnd) -> TimeInterval, logger: Logger, report: (AttemptHandle) -> Void) {
        var nextListing = Date()
        var failing = false
        while true {
            if shared.entries.withLock({ $0.isEmpty }) {
                shared.wake.wait()
                nextListing = Date().addingTimeInterval(interval)
                continue
            }
            if shared.arrivals.wait(until: nextListing) {
                // Only files changed: look for results, without asking the engine.
                results(shared).forEach(report)
                continue
            }
            nextListing = Date().addingTimeInterval(interval)
            let watched = shared.entries.withLock { $0 }
            let listed: [String: ClusterJob]?
            do {
                listed = try engine.jobs(Set(watched.keys))
                if failing { logger.info("the cluster answers again", metadata: ["engine": "\(engine.name)"]) }
                failing = false
            } catch {
                // The attempts stay watched: the engine may answer at the next turn.
                if !failing { logger.warning("cannot list the cluster's jobs", metadata: ["engine": "\(engine.name)", "error": "\(error)"]) }
                failing = true
                listed = nil
            }
            var changed = results(shared)
            let now = Date()
            shared.entries.withLock { entries in
                for (id, old) in watched {
                    guard var entry = entries[id] else { continue }
                    var moved = false
                    if let listed {
                        if let job = listed[id] {
                            moved = job.phase != old.phase
                            entry.phase = job.phase
                            entry.absenceReported = false
                        } else if let phase = old.phase, !phase.hasEnded {
                            // Gone from the queue before it was seen to end: the engine's accounting knows how.
                            moved = true
                            entry.phase = nil
                        } else if old.phase == nil && !entry.absenceReported {
                            entry.absenceReported = true
                            moved = true
                        }
                    }
                    if case .ended(let end)? = entry.phase {
                        entry.endedSeen = entry.endedSeen ?? now
                        if !entry.graceReported, now.timeIntervalSince(entry.endedSeen!) >= grace(end) {
                            entry.graceReported = true
                            moved = true
                        }
                    }
                    entries[id] = entry
                    if moved { changed.append(entry.attempt) }
                }
            }
            changed.forEach(report)
        }
    }

    /// The attempts whose `result.json` exists, which stop being watched. The files are looked at outside the lock:
    /// on a network filesystem a look can take a while.
    private static func results(_ shared: Shared) -> [AttemptHandle] {
        let watched = shared.entries.withLock { $0 }
        let done = watched.filter { DurableFile.exists(AttemptFiles($0.value.attempt.directory).result) }
        guard !done.isEmpty else { return [] }
        shared.entries.withLock { entries in
            for (id, entry) in done {
                shared.arrivals.unwatch(entry.watch)
                entries[id] = nil
            }
        }
        return done.map(\.value.attempt)
    }
}
