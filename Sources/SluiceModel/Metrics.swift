import Yams

/// Rules for the files a task names under `metrics:`, relative to its output folder.
public enum MetricsPath {
    /// Why `path` cannot name a metrics file, or nil when it is fine.
    public static func problem(with path: String) -> String? {
        if path.isEmpty { return "is empty" }
        if path.hasPrefix("/") || path.hasPrefix("~") { return "is absolute: write a path relative to the task's output folder ($SLUICE_OUTPUT)" }
        if path.split(separator: "/").contains("..") { return "leaves the task's output folder ('..'): write a path inside $SLUICE_OUTPUT" }
        if InputPath.normalized(path).isEmpty { return "names the output folder itself: name a file in it" }
        return nil
    }
}

/// The numbers of a metrics file: JSON or YAML whose numeric leaves are the metrics, nested keys joined with `.`
/// (`{"loss": {"val": 0.3}}` is `loss.val`) and list items by index (`f1.0`). Strings, booleans and nulls are not metrics.
/// Pure: the caller reads the file.
public enum MetricsFile {
    /// More than this many numbers in one file is a sign the task pointed at data rather than results.
    public static let maximumCount = 1_000
    /// A larger file is not parsed: results fit in far less.
    public static let maximumBytes = 4 << 20

    public struct Reading: Sendable, Hashable {
        public var values: [String: Double]
        /// What went wrong, for the status: not YAML or JSON, no numbers, too many.
        public var warning: String?
    }

    public static func parse(_ text: String) -> Reading {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            return Reading(values: [:], warning: "is neither JSON nor YAML (\(firstLine(of: error)))")
        }
        var values: [String: Double] = [:]
        var truncated = false
        var visits = 0
        if let root { flatten(root, prefix: "", into: &values, truncated: &truncated, visits: &visits) }
        if visits > maximumVisits { return Reading(values: values, warning: "has more than \(maximumVisits) entries (YAML aliases count each time they are used); \(values.count) numbers are kept") }
        if values.isEmpty { return Reading(values: [:], warning: "holds no numbers") }
        if truncated { return Reading(values: values, warning: "holds more than \(maximumCount) numbers; the first \(maximumCount) are kept") }
        return Reading(values: values, warning: nil)
    }

    /// Entries walked at most: a few kilobytes of YAML aliases can stand for billions of them.
    public static let maximumVisits = 100_000

    private static func flatten(_ node: Node, prefix: String, into values: inout [String: Double], truncated: inout Bool, visits: inout Int) {
        visits += 1
        guard visits <= maximumVisits else { return }
        func join(_ key: String) -> String { prefix.isEmpty ? key : prefix + "." + key }
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                flatten(value, prefix: join(key.string ?? "?"), into: &values, truncated: &truncated, visits: &visits)
            }
        case .sequence(let sequence):
            for (index, value) in sequence.enumerated() {
                flatten(value, prefix: join(String(index)), into: &values, truncated: &truncated, visits: &visits)
            }
        case .scalar(let scalar):
            // A quoted "0.9" is a string the task chose to write as text; YAML's own words for infinity are not results.
            guard scalar.style == .plain, !prefix.isEmpty, let number = Double(scalar.string), number.isFinite else { return }
            guard values.count < maximumCount else { truncated = true; return }
            values[prefix] = number
        case .alias:
            return
        }
    }

    private static func firstLine(of error: any Error) -> String {
        String(describing: error).split(separator: "\n").first.map(String.init) ?? "unreadable"
    }
}
