import Foundation
import SluiceProcess

/// How an attempt ended, as the supervisor recorded it in `result.json`.
public struct AttemptResult: Sendable, Codable, Hashable {
    /// The shell's exit code; `nil` when it was killed by a signal or never started.
    public var exitCode: Int32?
    /// The signal that killed the shell, if one did.
    public var signal: Int32?
    /// The attempt ran past its timeout and was stopped.
    public var timedOut: Bool
    /// The attempt was stopped on request (`LocalExecutor.cancel`, or SIGTERM/SIGINT to the supervisor).
    public var cancelled: Bool
    public var startedAt: Date
    public var endedAt: Date
    /// One line for people: "exit code 1", "timed out after 10m", "killed by signal 9", "cancelled",
    /// or "could not start: …". Stored rather than derived because only the supervisor knows the
    /// timeout it enforced and why a start failed.
    public var summary: String
    /// The supervisor that recorded it.
    public var supervisorPID: Int32? = nil

    public var succeeded: Bool { exitCode == 0 && !timedOut && !cancelled }

    /// - Parameter summary: `nil` derives it from the other fields (a timeout is then described
    ///   by the attempt's duration).
    public init(
        exitCode: Int32?,
        signal: Int32? = nil,
        timedOut: Bool = false,
        cancelled: Bool = false,
        startedAt: Date,
        endedAt: Date,
        summary: String? = nil
    ) {
        self.exitCode = exitCode
        self.signal = signal
        self.timedOut = timedOut
        self.cancelled = cancelled
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.summary = summary ?? Self.describe(
            exitCode: exitCode, signal: signal, timedOut: timedOut, cancelled: cancelled,
            timeout: endedAt.timeIntervalSince(startedAt))
    }

    /// The summary line; see `AttemptSummary`.
    public static func describe(
        exitCode: Int32?, signal: Int32?, timedOut: Bool, cancelled: Bool, timeout: Double?
    ) -> String {
        AttemptSummary.describe(exitCode: exitCode, signal: signal, timedOut: timedOut, cancelled: cancelled, timeout: timeout)
    }

    /// Formats seconds the way manifests write durations: `500ms`, `1.5s`, `90s` → `1m30s`, `10m`, `2h`.
    public static func formatDuration(_ seconds: Double) -> String {
        AttemptSummary.formatDuration(seconds)
    }
}
