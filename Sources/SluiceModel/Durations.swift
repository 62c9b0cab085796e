/// Parsing of durations such as `90s`, `30m`, `2h`, `1h30m`, `500ms`, `1d`.
public enum Durations {
    private static let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]

    /// The longest duration a manifest may give (a year). Every later stage does arithmetic on durations (schedules,
    /// deadlines, formatting), so validation bounds them rather than each stage guarding against 10^20 seconds.
    public static let longest: Double = 365 * 86400

    /// Seconds, or nil when `text` is not a duration.
    public static func parse(_ text: String) -> Double? {
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !digits.isEmpty, let number = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            // "ms" must be tried before "m" and "s".
            guard let (unit, factor) = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.count)
            total += number * factor
        }
        return total
    }

    /// A short human form: `2h`, `1h30m`, `45s`, `1.5s`.
    public static func format(_ seconds: Double) -> String {
        if seconds == 0 { return "0s" }
        // Measured or summed durations are not bounded by validation; print those beyond Int's range as they are.
        guard seconds.isFinite, seconds > 0, seconds < 1e15 else { return "\(seconds)s" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 { return seconds == seconds.rounded() ? "\(Int(seconds))s" : String(format1(seconds)) + "s" }
        var rest = Int(seconds.rounded())
        var parts: [String] = []
        for (unit, size) in [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
            parts.append("\(rest / size)\(unit)")
            rest %= size
        }
        return parts.joined()
    }

    private static func format1(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
