/// A Prometheus histogram: cumulative bucket counts, a sum and a count.
struct Histogram: Sendable {
    /// Upper bounds of the buckets in seconds, ascending; `+Inf` is implied.
    let bounds: [Double]
    /// `cumulative[i]` counts the observations `<= bounds[i]`.
    private(set) var cumulative: [Int]
    private(set) var sum: Double = 0
    private(set) var count: Int = 0

    init(bounds: [Double]) {
        self.bounds = bounds
        self.cumulative = Array(repeating: 0, count: bounds.count)
    }

    mutating func observe(_ value: Double) {
        // A negative or NaN duration is a clock glitch of the caller; counting it as 0 keeps `_sum` monotonic.
        let value = value.isNaN ? 0 : max(0, value)
        for index in bounds.indices where value <= bounds[index] {
            cumulative[index] += 1
        }
        sum += value
        count += 1
    }

    /// The sample lines of the histogram `name`, in the text exposition format.
    func render(name: String, into output: inout String) {
        for (bound, count) in zip(bounds, cumulative) {
            output += "\(name)_bucket{le=\"\(PrometheusText.number(bound))\"} \(count)\n"
        }
        output += "\(name)_bucket{le=\"+Inf\"} \(count)\n"
        output += "\(name)_sum \(PrometheusText.number(sum))\n"
        output += "\(name)_count \(count)\n"
    }
}

/// Formatting rules of the Prometheus text exposition format, version 0.0.4.
enum PrometheusText {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    static func header(_ name: String, type: String, help: String, into output: inout String) {
        output += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    /// A sample value: integers without a fraction, other values as Swift prints them (which Prometheus parses).
    static func number(_ value: Double) -> String {
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value.isNaN { return "NaN" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return "\(value)"
    }

    /// A label value with `\`, `"` and newlines escaped.
    static func label(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
