import Foundation

/// Where things live under the state directory (`.sluice/` by default).
public struct StateLayout: Sendable {
    public let root: URL

    public init(root: String) {
        self.root = URL(fileURLWithPath: root, isDirectory: true).standardizedFileURL
    }

    public var database: URL { root.appendingPathComponent("state.sqlite") }
    public var mirrors: URL { root.appendingPathComponent("mirrors") }
    /// Where commands that ask a running controller for something (`sluice rerun`) leave a note: the controller
    /// watches this folder and makes a pass at once.
    public var requests: URL { root.appendingPathComponent("requests") }

    /// Tells a controller watching `requests` that the store holds something new for it.
    public func notifyController(_ what: String) {
        try? FileManager.default.createDirectory(at: requests, withIntermediateDirectories: true)
        try? Data("\(what)\n".utf8).write(to: requests.appendingPathComponent("latest"), options: .atomic)
    }

    /// Outputs are kept by fingerprint: the same fingerprint on any branch or after a revert finds them again.
    public func outputs(fingerprint: String) -> URL {
        root.appendingPathComponent("outputs").appendingPathComponent(fingerprint)
    }

    /// A new, unique folder for an attempt (spec, supervisor files, logs, result).
    public func attempt(workflow: String, task: String, fingerprint: String) -> URL {
        root.appendingPathComponent("attempts").appendingPathComponent(workflow).appendingPathComponent(task)
            .appendingPathComponent("\(fingerprint.prefix(12))-\(UUID().uuidString.prefix(8).lowercased())")
    }

    /// The schedule the optimizer predicted for a workflow's last pass, for "plan vs actual" in its status.
    public func plannedSchedule(workflow: String) -> URL {
        root.appendingPathComponent("schedules").appendingPathComponent("\(workflow).json")
    }

    /// A read-only export of a commit's tree, made once per commit: the working directory of its tasks.
    public func checkout(commit: String) -> URL {
        root.appendingPathComponent("checkouts").appendingPathComponent(commit)
    }
}
