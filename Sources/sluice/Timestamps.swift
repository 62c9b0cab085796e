import Foundation

/// RFC 3339 times in UTC, as every output of Sluice writes them.
enum Timestamps {
    private static let seconds = Date.ISO8601FormatStyle()
    private static let milliseconds = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// `2026-11-30T08:26:35Z`
    static func seconds(_ date: Date) -> String { date.formatted(seconds) }

    /// `2026-11-30T08:26:35.794Z`
    static func milliseconds(_ date: Date) -> String { date.formatted(milliseconds) }
}
