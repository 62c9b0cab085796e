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
}
