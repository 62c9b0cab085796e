import Yams

/// Reads Yams nodes into typed values, reporting every problem with its place instead of stopping at the first.
struct YAMLReader {
    let file: String
    var sink = DiagnosticSink()

    init(file: String) {
        self.file = file
    }

    func location(_ node: Node) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    mutating func report(_ node: Node, _ message: String) {
        sink.report(location(node), message)
    }

    /// The fields of a mapping, after checking that `node` is a mapping, that every key is allowed and
    /// that every required key is present. `context` names the thing in messages ("task 'train'").
    mutating func fields(_ node: Node, of context: String, allowed: [String], required: [String] = [],
                         openKeys: Bool = false) -> Fields? {
        guard case .mapping(let mapping) = node else {
            report(node, "\(context) must be a mapping of fields, not \(Self.describe(node))")
            return nil
        }
        var fields = Fields(node: node)
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                report(key, "a key in \(context) must be a plain name, not \(Self.describe(key))")
                continue
            }
            if !openKeys && !allowed.contains(scalar.string) {
                report(key, "unknown field '\(scalar.string)' in \(context)\(Self.suggestion(for: scalar.string, among: allowed))")
                continue
            }
            fields.entries.append((scalar.string, key, value))
        }
        for name in required where fields[name] == nil {
            report(node, "\(context) is missing the required field '\(name)'")
        }
        return fields
    }

    mutating func string(_ node: Node, _ what: String) -> String? {
        guard case .scalar(let scalar) = node, !Self.isNull(scalar) else {
            report(node, "\(what) must be a string, not \(Self.describe(node))")
            return nil
        }
        return scalar.string
    }

    /// `true` or `false`, plain; YAML 1.1's `yes`/`on` are refused, so the file means the same to every reader.
    mutating func boolean(_ node: Node, _ what: String) -> Bool? {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any, ["true", "false"].contains(scalar.string) else {
            report(node, "\(what) must be true or false, not \(Self.describe(node))")
            return nil
        }
        return scalar.string == "true"
    }

    mutating func integer(_ node: Node, _ what: String, in range: ClosedRange<Int>) -> Int? {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any, let value = Int(scalar.string) else {
            report(node, "\(what) must be a whole number, not \(Self.describe(node))")
            return nil
        }
        guard range.contains(value) else {
            report(node, "\(what) must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
            return nil
        }
        return value
    }

    /// A list of strings, with the place of each element.
    mutating func stringList(_ node: Node, _ what: String) -> [(String, SourceLocation)]? {
        guard case .sequence(let sequence) = node else {
            report(node, "\(what) must be a list, not \(Self.describe(node)); write [a, b] or one '- item' per line")
            return nil
        }
        return sequence.compactMap { element in string(element, "an entry of \(what)").map { ($0, location(element)) } }
    }

    /// A mapping of names to string values (labels, env). Numbers and booleans are taken as their text.
    mutating func stringMap(_ node: Node, _ what: String, keyPattern: (String) -> Bool = { _ in true },
                            keyRule: String = "") -> [String: String]? {
        guard let fields = fields(node, of: what, allowed: [], openKeys: true) else { return nil }
        var result: [String: String] = [:]
        for (name, key, value) in fields.entries {
            guard keyPattern(name) else {
                report(key, "'\(name)' is not a valid name in \(what)\(keyRule.isEmpty ? "" : ": \(keyRule)")")
                continue
            }
            if let text = string(value, "\(what).\(name)") { result[name] = text }
        }
        return result
    }

    /// A short phrase for the kind of a node, used in "must be X, not Y" messages.
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if isNull(scalar) { return "empty" }
            return "'\(scalar.string)'"
        }
    }

    static func isNull(_ scalar: Node.Scalar) -> Bool {
        let plain = scalar.style == .plain || scalar.style == .any
        return plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    static func isNumber(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return Double(scalar.string) != nil
    }

    /// The allowed name closest to a misspelt one, if one is close enough to be what was meant.
    static func closest(to name: String, among allowed: [String]) -> String? {
        let scored = allowed.map { ($0, editDistance(name.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(1, min(3, name.count / 3)) else { return nil }
        return best.0
    }

    /// ` (did you mean 'needs'?)` when a close allowed name exists, else the list of allowed names.
    static func suggestion(for name: String, among allowed: [String]) -> String {
        guard !allowed.isEmpty else { return "" }
        if let best = closest(to: name, among: allowed) { return " (did you mean '\(best)'?)" }
        return "; allowed fields: \(allowed.joined(separator: ", "))"
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// The checked fields of one mapping, in file order.
struct Fields {
    let node: Node
    var entries: [(name: String, key: Node, value: Node)] = []

    subscript(name: String) -> Node? {
        // By index, so that looking does not copy (and retain) every entry on the way.
        entries.firstIndex { $0.name == name }.map { entries[$0].value }
    }

    func key(_ name: String) -> Node? {
        entries.firstIndex { $0.name == name }.map { entries[$0].key }
    }
}
