/// A place in a manifest file, 1-based like every editor and compiler.
public struct SourceLocation: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}

/// One problem found in the manifests, printed as `file:line:column: message`.
public struct Diagnostic: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    /// The workflow the problem belongs to, when it belongs to one: that workflow is rejected, the others stay.
    public var workflow: String?

    public init(_ location: SourceLocation, _ message: String, workflow: String? = nil) {
        self.location = location
        self.message = message
        self.workflow = workflow
    }

    public var description: String { "\(location): \(message)" }
}

/// Collects diagnostics while a file is read, so that every error of a file is reported, not only the first.
struct DiagnosticSink {
    private(set) var diagnostics: [Diagnostic] = []

    mutating func report(_ location: SourceLocation, _ message: String) {
        diagnostics.append(Diagnostic(location, message))
    }

    var isEmpty: Bool { diagnostics.isEmpty }
}
