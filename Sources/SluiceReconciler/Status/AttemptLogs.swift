import Foundation
import SluiceStore

/// The log of a task's attempt, as `sluice logs` and the HTTP API show it.
public enum AttemptLogs {
    public enum Problem: Error, CustomStringConvertible {
        case neverRan(String)
        case noSuchAttempt(String, Int, available: [Int])

        public var description: String {
            switch self {
            case .neverRan(let task): "no attempt of \(task) has run (see `sluice status`)"
            case .noSuchAttempt(let task, let number, let available):
                "\(task) has no attempt \(number) at its latest fingerprint; it has \(available.map(String.init).joined(separator: ", "))"
            }
        }
    }

    /// stdout.log then stderr.log of the attempt, each under a `==>` header; `attempt` numbers count at the task's
    /// latest fingerprint, nil for the latest.
    public static func text(store: Store, workflow: String, task: String, attempt: Int?) throws -> String {
        let chosen = try Self.attempt(store: store, workflow: workflow, task: task, number: attempt)
        var out = ""
        for stream in ["stdout.log", "stderr.log"] {
            let path = URL(fileURLWithPath: chosen.attemptPath).appendingPathComponent(stream).path
            guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { continue }
            out += "==> \(workflow)/\(task) attempt \(chosen.number) \(stream) <==\n" + String(decoding: data, as: UTF8.self)
        }
        return out
    }

    /// The attempt `number` at the task's latest fingerprint, or its latest attempt that ran.
    public static func attempt(store: Store, workflow: String, task: String, number: Int?) throws -> Attempt {
        let ran = try store.attempts(workflow: workflow, task: task).filter { !$0.attemptPath.isEmpty }
        guard let latest = ran.last else { throw Problem.neverRan("\(workflow)/\(task)") }
        let atFingerprint = ran.filter { $0.fingerprint == latest.fingerprint }
        guard let chosen = number.map({ number in atFingerprint.first { $0.number == number } }) ?? atFingerprint.last else {
            throw Problem.noSuchAttempt("\(workflow)/\(task)", number!, available: atFingerprint.map(\.number))
        }
        return chosen
    }

    /// Hands both logs to `emit` as they grow (stdout's new bytes first at each look), until the attempt is over and
    /// nothing more was written, or `emit` or `idle` answers false (the reader went away). `idle` is asked after each
    /// look that found nothing new: a quiet attempt's reader is noticed leaving too. Blocking: call it on a thread of
    /// its own. Returns how the attempt ended, when it did.
    @discardableResult
    public static func follow(_ attempt: Attempt, store: Store, idle: () -> Bool = { true }, emit: (Data) -> Bool) throws -> String? {
        let folder = URL(fileURLWithPath: attempt.attemptPath)
        var offsets = ["stdout.log": UInt64(0), "stderr.log": UInt64(0)]
        // A write to a log (or the supervisor's result) wakes the next look, through inotify on the attempt's folder.
        let changed = DispatchSemaphore(value: 0)
        let watcher = FolderWatcher(folders: [folder.path], name: "sluice.log-watcher") { changed.signal() }
        defer { withExtendedLifetime(watcher) {} }
        while true {
            // The supervisor's result file says so even when no pass has taken the result in yet.
            let current = try store.attempt(attempt.id)
            let finished = current?.phase.isFinal ?? true
                || FileManager.default.fileExists(atPath: folder.appendingPathComponent("result.json").path)
            var wrote = false
            for stream in offsets.keys.sorted().reversed() {
                guard let handle = try? FileHandle(forReadingFrom: folder.appendingPathComponent(stream)) else { continue }
                defer { try? handle.close() }
                try handle.seek(toOffset: offsets[stream]!)
                let data = handle.readDataToEndOfFile()
                guard !data.isEmpty else { continue }
                offsets[stream]! += UInt64(data.count)
                guard emit(data) else { return nil }
                wrote = true
            }
            if finished && !wrote {
                return current.map { $0.message ?? $0.phase.rawValue } ?? "ended"
            }
            if !wrote && !idle() { return nil }
            // Woken by a change; the wait is bounded so that `idle` is asked now and then, and an end recorded only in
            // the store (a lost supervisor) is seen. Without inotify, a look every 200 ms, as `tail -f` does.
            _ = changed.wait(timeout: .now() + (watcher == nil ? 0.2 : 1))
        }
    }
}
