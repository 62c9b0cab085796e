/// The one line that tells people how an attempt ended.
public enum AttemptSummary {
    /// "exit code 1", "timed out after 10m", "killed by signal 9", "cancelled". A stop explains more than the
    /// signal it used, so it wins.
    public static func describe(exitCode: Int32?, signal: Int32?, timedOut: Bool, cancelled: Bool, timeout: Double?) -> String {
        if cancelled { return "cancelled" }
        if timedOut { return "timed out after \(formatDuration(timeout ?? 0))" }
        if let signal { return "killed by signal \(signal)" }
        if let exitCode { return "exit code \(exitCode)" }
        return "ended without an exit code"
    }

    /// Formats seconds the way manifests write durations: `500ms`, `1.5s`, `90s` → `1m30s`, `10m`, `2h`.
    public static func formatDuration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0, seconds < 1e15 else { return "\(seconds)s" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60, seconds != seconds.rounded() {
            let tenths = (seconds * 10).rounded() / 10
            return tenths == tenths.rounded() ? "\(Int(tenths))s" : "\(tenths)s"
        }
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        var text = ""
        if hours > 0 { text += "\(hours)h" }
        if minutes > 0 { text += "\(minutes)m" }
        if secs > 0 || text.isEmpty { text += "\(secs)s" }
        return text
    }
}
