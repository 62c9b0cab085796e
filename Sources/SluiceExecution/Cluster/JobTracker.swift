import Foundation
import SluiceProcess
import Synchronization

/// Watches the jobs of a cluster executor on a thread of its own: one listing of the engine's jobs every `interval`
/// (never one request per job), and an event for each attempt whose job changed phase, whose `result.json` appeared,
/// or whose job ended `resultGrace` ago without one. It sleeps without a timer while nothing is watched.
final class JobTracker: Sendable {
    struct Entry: Sendable {
        var attempt: AttemptHandle
        var phase: ClusterJob.Phase?
        /// When the job was first seen ended: its supervisor's `result.json` may take a moment to reach this host.
        var endedSeen: Date?
        var graceReported = false
        /// The engine answered without this job while its phase was unknown (reported once, so the engine looks again).
        var absenceReported = false
    }

    private final class Shared: Sendable {
        let entries = Mutex<[String: Entry]>([:])
        let wake = DispatchSemaphore(value: 0)
    }

    private let shared = Shared()
    let resultGrace: TimeInterval

    init(engine: any ClusterEngine, interval: TimeInterval, resultGrace: TimeInterval,
         report: @escaping @Sendable (AttemptHandle) -> Void) {
        self.resultGrace = resultGrace
        let shared = self.shared
        let thread = Thread { Self.loop(shared, engine: engine, interval: interval, resultGrace: resultGrace, report: report) }
        thread.name = "sluice.cluster-jobs"
        thread.start()
    }

    /// Starts (or keeps) watching a submitted job; `phase` is what the caller has just seen of it, if anything.
    func track(_ attempt: AttemptHandle, submissionID: String, phase: ClusterJob.Phase?) {
        let added = shared.entries.withLock { entries -> Bool in
            var entry = entries[submissionID] ?? Entry(attempt: attempt)
            let isNew = entries[submissionID] == nil
            if let phase { entry.phase = phase }
            if entry.endedSeen == nil, phase.map({ if case .ended = $0 { true } else { false } }) == true { entry.endedSeen = Date() }
            entries[submissionID] = entry
            return isNew
        }
        if added { shared.wake.signal() }
    }

    /// What the tracker last saw of a job: its phase, and when it was first seen ended.
    func lastSeen(_ submissionID: String) -> Entry? {
        shared.entries.withLock { $0[submissionID] }
    }

    private static func loop(_ shared: Shared, engine: any ClusterEngine, interval: TimeInterval, resultGrace: TimeInterval,
                             report: @Sendable (AttemptHandle) -> Void) {
        while true {
            if shared.entries.withLock({ $0.isEmpty }) {
                shared.wake.wait()
                continue
            }
            Thread.sleep(forTimeInterval: interval)
            let watched = shared.entries.withLock { $0 }
            // An engine that does not answer now may answer at the next turn; the attempts stay watched meanwhile.
            let listed = try? engine.jobs(Set(watched.keys))
            var changed: [AttemptHandle] = []
            let now = Date()
            shared.entries.withLock { entries in
                for (id, old) in watched {
                    guard var entry = entries[id] else { continue }
                    if DurableFile.exists(AttemptFiles(entry.attempt.directory).result) {
                        entries[id] = nil
                        changed.append(entry.attempt)
                        continue
                    }
                    var moved = false
                    if let listed {
                        if let job = listed[id] {
                            moved = job.phase != old.phase
                            entry.phase = job.phase
                        } else if old.phase != nil && !(old.phase.map(isEnded) ?? false) {
                            // Gone from the queue before it was seen to end: the engine's accounting knows how.
                            moved = true
                            entry.phase = nil
                        } else if old.phase == nil && !entry.absenceReported {
                            entry.absenceReported = true
                            moved = true
                        }
                    }
                    if entry.phase.map(isEnded) == true {
                        entry.endedSeen = entry.endedSeen ?? now
                        if !entry.graceReported, now.timeIntervalSince(entry.endedSeen!) >= resultGrace {
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
}

func isEnded(_ phase: ClusterJob.Phase) -> Bool {
    if case .ended = phase { return true }
    return false
}
