import Foundation
@testable import SluiceStore

/// A fresh folder under the system's temporary directory, removed when `body` returns.
func withTemporaryFolder<T>(_ body: (URL) throws -> T) throws -> T {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("sluice-store-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try body(folder)
}

func withTemporaryFolder<T>(_ body: (URL) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("sluice-store-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try await body(folder)
}

/// A fixed clock: whole seconds after a moment in 2027, so that dates survive the millisecond storage exactly.
func at(_ seconds: Int) -> Date {
    Date(timeIntervalSince1970: 1_800_000_000 + Double(seconds))
}

func newAttempt(workflow: String = "customer-service", task: String = "train", fingerprint: String = "fp-a",
                pass: Int64, phase: AttemptPhase = .pending, node: String? = nil, message: String? = nil) -> NewAttempt {
    NewAttempt(workflow: workflow, task: task, fingerprint: fingerprint,
               inputsJSON: #"{"run":"python3 tasks/\#(task).py"}"#, commit: "5c1e0a2f", passID: pass,
               isService: false, node: node, outputPath: "/state/outputs/\(fingerprint)",
               attemptPath: "/state/attempts/\(workflow)/\(task)", phase: phase, message: message)
}

extension Store {
    /// Creates, starts and ends an attempt that ran from `start` to `end` seconds of the test clock.
    @discardableResult
    func ranAttempt(task: String = "train", fingerprint: String = "fp-a", pass: Int64, phase: AttemptPhase,
                    start: Int, end: Int, workflow: String = "customer-service") throws -> Attempt {
        let created = try createAttempt(newAttempt(workflow: workflow, task: task, fingerprint: fingerprint, pass: pass),
                                        at: at(start))
        try markStarted(created.id, supervisorPID: 4242, node: "node-1", at: at(start))
        return try markFinished(created.id, phase: phase, exitCode: phase == .succeeded ? 0 : 1, message: nil, at: at(end))
    }

    /// Every event, oldest first, for checks that count them.
    func allEvents() throws -> [StoredEvent] {
        try events(workflow: nil, limit: 10_000).reversed()
    }
}
