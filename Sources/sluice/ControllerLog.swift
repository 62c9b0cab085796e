import ArgumentParser
import Foundation
import Logging
import SluiceModel
import SluiceReconciler

/// `--log-format`: how the controller writes its log on standard error.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    /// `2026-11-30T08:26:00Z info sluice.controller: pass trigger=timer commit=1a2b3c4`, for people and journald.
    case text
    /// One JSON object per line (`time`, `level`, `logger`, `message`, then the metadata), for log shippers.
    case json
}

/// A swift-log handler for the controller: every line has its UTC time, level, logger and metadata, and lines are
/// written whole under one lock, so the engine's, the server's and the feedback's lines never interleave.
struct ControllerLogHandler: LogHandler {
    let label: String
    let format: LogFormat
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    private static let lock = NSLock()

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let time = Timestamps.milliseconds(Date())
        let line: String
        switch format {
        case .text:
            let fields = all.keys.sorted().map { key in "\(key)=\(Self.quoted("\(all[key]!)"))" }.joined(separator: " ")
            line = "\(time) \(event.level) \(label): \(event.message)" + (fields.isEmpty ? "" : " " + fields)
        case .json:
            var object: [String: Any] = ["time": time, "level": "\(event.level)", "logger": label, "message": "\(event.message)"]
            for (key, value) in all where object[key] == nil { object[key] = Self.plain(value) }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        }
        Self.lock.withLock { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    /// A value with spaces or quotes is quoted, so `key=value` pairs split unambiguously.
    private static func quoted(_ text: String) -> String {
        text.isEmpty || text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline })
            ? JSONValueText.quote(text) : text
    }

    private static func plain(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): "\(convertible)"
        case .array(let values): values.map(plain)
        case .dictionary(let values): values.mapValues(plain)
        }
    }
}

enum JSONValueText {
    /// A JSON string literal for `text`.
    static func quote(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }
}

/// The controller's progress as log lines (the terminal's `Progress` is for `apply`): one line per task event, with
/// the workflow and task as metadata, in the same stream as everything else the controller says.
enum ProgressLog {
    static func observer(_ logger: Logger) -> PassObserver {
        { event in
            switch event {
            case .planned(let plan):
                for workflow in plan.workflows {
                    for task in workflow.tasks where task.action != .upToDate {
                        logger.info("planned", metadata: ["workflow": "\(workflow.name)", "task": "\(task.name)", "action": "\(task.action.label)", "reason": "\(task.reason)"])
                    }
                }
            case .started(let workflow, let task, let attempt, let node):
                logger.info("task started", metadata: ["workflow": "\(workflow)", "task": "\(task)", "attempt": "\(attempt)", "node": "\(node)"])
            case .succeeded(let workflow, let task, let duration):
                logger.info("task succeeded", metadata: ["workflow": "\(workflow)", "task": "\(task)", "seconds": "\(duration)"])
            case .failed(let workflow, let task, let summary, let attempt, let retryIn):
                var metadata: Logger.Metadata = ["workflow": "\(workflow)", "task": "\(task)", "attempt": "\(attempt)", "result": "\(summary)"]
                if let retryIn { metadata["retryInSeconds"] = "\(retryIn)" }
                logger.warning("task failed", metadata: metadata)
            case .skipped(let workflow, let task, let reason):
                logger.warning("task skipped", metadata: ["workflow": "\(workflow)", "task": "\(task)", "reason": "\(reason)"])
            case .cached(let workflow, let task):
                logger.info("cache hit", metadata: ["workflow": "\(workflow)", "task": "\(task)"])
            case .serviceHealthy(let workflow, let task, let address):
                logger.info("service healthy", metadata: ["workflow": "\(workflow)", "task": "\(task)", "address": "\(address)"])
            case .serviceUnhealthy(let workflow, let task, let reason):
                logger.warning("service unhealthy", metadata: ["workflow": "\(workflow)", "task": "\(task)", "reason": "\(reason)"])
            case .retired(let workflow, let task, let attempt):
                logger.info("service version retired", metadata: ["workflow": "\(workflow)", "task": "\(task)", "attempt": "\(attempt)"])
            case .statusCommitted(let commit):
                logger.info("status committed", metadata: ["commit": "\(commit.short)", "branch": "sluice/status"])
            case .fetched, .passFinished, .summary, .statuses:
                break
            }
        }
    }
}
