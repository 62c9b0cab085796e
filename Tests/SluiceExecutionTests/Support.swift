import Foundation
import SluiceExecution
import Testing

/// Real processes and real directories for the execution tests.
enum Fixture {
    /// The `sluice-supervisor` binary built next to the test bundle.
    static let supervisorBinary: String? = {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("sluice-supervisor").path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }()

    static func executor() throws -> LocalExecutor {
        LocalExecutor(supervisorCommand: [try #require(supervisorBinary, "no sluice-supervisor binary near the test bundle")])
    }

    /// Whether the attempt's task runs: its supervisor wrote the task's process group into the lock file.
    static func taskStarted(_ attempt: String) -> Bool {
        read(attempt + "/supervisor.lock").split(separator: " ").count >= 2
    }

    /// A fresh directory, removed when `body` returns.
    static func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("sluice-exec-\(UUID().uuidString)").resolvingSymlinksInPath().path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }

    /// Waits for a finished result, failing the test if the attempt ends any other way.
    static func result(_ executor: LocalExecutor, _ attempt: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> AttemptResult {
        let status = await executor.wait(for: attempt)
        guard case .finished(let result) = status else {
            Issue.record("expected a finished attempt, got \(status)", sourceLocation: sourceLocation)
            throw ExecutionError("attempt not finished")
        }
        return result
    }

    /// Polls `condition` until it holds or `timeout` seconds pass.
    static func eventually(timeout: Double = 5, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// The pids a task wrote to a file, one a line.
    static func pids(in path: String) -> [Int32] {
        read(path).split(separator: "\n").compactMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// Whether a process is gone: no such pid, or a zombie (dead, merely not yet reaped by
    /// whichever process it was reparented to).
    static func isGone(_ pid: Int32) -> Bool {
        if kill(pid, 0) != 0 && errno == ESRCH { return true }
        let stat = read("/proc/\(pid)/stat")
        guard let close = stat.lastIndex(of: ")") else { return true }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state == "Z" || state == "X"
    }
}
