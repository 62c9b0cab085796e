/// Amounts of named resources, in canonical units: cpu in cores, memory in bytes,
/// gpu as a count, bandwidth in bits per second, custom resources as plain numbers.
public struct Resources: Hashable, Sendable, Codable, CustomStringConvertible {
    public private(set) var amounts: [String: Double]

    public init(_ amounts: [String: Double] = [:]) {
        self.amounts = amounts.filter { $0.value != 0 }
    }

    public subscript(name: String) -> Double {
        get { amounts[name] ?? 0 }
        set { amounts[name] = newValue == 0 ? nil : newValue }
    }

    public var names: [String] { amounts.keys.sorted() }
    public var isEmpty: Bool { amounts.isEmpty }

    /// True when every demand here is at most what `capacity` offers.
    public func fits(in capacity: Resources) -> Bool {
        amounts.allSatisfy { $0.value <= capacity[$0.key] }
    }

    public var description: String {
        names.map { "\($0): \(Quantity.format(amounts[$0]!, of: $0))" }.joined(separator: ", ")
    }
}

/// Parsing and printing of resource quantities (`2`, `500m`, `4Gi`, `100Mbps`).
public enum Quantity {
    public static let wellKnown = ["cpu", "memory", "gpu", "bandwidth"]

    private static let binarySuffixes: [(String, Double)] = [
        ("Ki", 0x1p10), ("Mi", 0x1p20), ("Gi", 0x1p30), ("Ti", 0x1p40), ("Pi", 0x1p50), ("Ei", 0x1p60),
    ]
    private static let decimalSuffixes: [(String, Double)] = [
        ("k", 1e3), ("K", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("E", 1e18),
    ]
    private static let bandwidthSuffixes: [(String, Double)] = [
        ("Kbps", 1e3), ("kbps", 1e3), ("Mbps", 1e6), ("Gbps", 1e9), ("Tbps", 1e12), ("bps", 1),
    ]

    /// Why a quantity was refused, phrased so that the user knows what to write instead.
    public struct Problem: Error, Equatable, Sendable {
        public var message: String
    }

    /// Parses the quantity of resource `name`, given either as a YAML number or a string.
    public static func parse(_ text: String, isNumber: Bool, for name: String) -> Result<Double, Problem> {
        let value: Double?
        switch name {
        case "cpu":
            value = text.hasSuffix("m") && !isNumber
                ? Double(text.dropLast()).map { $0 / 1000 }
                : Double(text)
            if value == nil { return .failure(Problem(message: "bad cpu quantity '\(text)': write cores (2, 0.5) or millicores (500m)")) }
        case "memory":
            value = scaled(text, suffixes: binarySuffixes + decimalSuffixes)
            if value == nil { return .failure(Problem(message: "bad memory quantity '\(text)': write bytes with a suffix such as 512Mi, 4Gi, 1G")) }
        case "gpu":
            guard let count = Int(text), count >= 0 else {
                return .failure(Problem(message: "bad gpu quantity '\(text)': write a whole number of GPUs (0, 1, 2, ...)"))
            }
            value = Double(count)
        case "bandwidth":
            value = scaled(text, suffixes: bandwidthSuffixes, requireSuffix: !isNumber)
            if value == nil { return .failure(Problem(message: "bad bandwidth quantity '\(text)': write bits per second with a unit such as 100Mbps, 1Gbps")) }
        default:
            value = isNumber ? Double(text) : nil
            if value == nil { return .failure(Problem(message: "bad quantity '\(text)' for custom resource '\(name)': write a plain number")) }
        }
        guard let value, value.isFinite else {
            return .failure(Problem(message: "bad \(name) quantity '\(text)'"))
        }
        guard value >= 0 else {
            return .failure(Problem(message: "\(name) quantity '\(text)' is negative"))
        }
        let most = largest(of: name)
        guard value <= most else {
            return .failure(Problem(message: "\(name) quantity '\(text)' is more than \(format(most, of: name)), the most Sluice accepts"))
        }
        return .success(value)
    }

    /// The most of a resource one task or node may name. Far beyond any machine, yet small enough that sums over
    /// thousands of tasks and the schedule's arithmetic stay exact, and GPU indices stay countable.
    public static func largest(of name: String) -> Double {
        switch name {
        case "cpu": 1_000_000
        case "memory": 0x1p60  // 1Ei
        case "gpu": 4096
        case "bandwidth": 1e15  // 1000Tbps
        default: 1e12
        }
    }

    private static func scaled(_ text: String, suffixes: [(String, Double)], requireSuffix: Bool = false) -> Double? {
        for (suffix, factor) in suffixes where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * factor }
        }
        return requireSuffix ? nil : Double(text)
    }

    /// A short human form: `4Gi`, `500m`, `100Mbps`.
    public static func format(_ value: Double, of name: String) -> String {
        switch name {
        case "cpu":
            return value < 1 && value > 0 ? "\(trimmed(value * 1000))m" : trimmed(value)
        case "memory":
            for (suffix, factor) in binarySuffixes.reversed() where value >= factor && (value / factor).rounded() == value / factor {
                return "\(trimmed(value / factor))\(suffix)"
            }
            return trimmed(value)
        case "bandwidth":
            for (suffix, factor) in [("Tbps", 1e12), ("Gbps", 1e9), ("Mbps", 1e6), ("Kbps", 1e3)] where value >= factor {
                return "\(trimmed(value / factor))\(suffix)"
            }
            return "\(trimmed(value))bps"
        default:
            return trimmed(value)
        }
    }

    /// The canonical text of a number: integers without a fraction, others in Swift's shortest round-trip form.
    public static func trimmed(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 9e15 { return String(Int64(value)) }
        return String(value)
    }
}
