import Yams

/// One parsed manifest document.
public enum ManifestDocument: Hashable, Sendable {
    case workflow(Workflow)
    case pool(ResourcePool)
}

/// Turns the text of one manifest file into documents, with every problem of the file as a diagnostic.
public enum ManifestParser {
    static let namePattern = "lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters"

    /// Parses every document of `text`; documents with errors are left out and their problems reported.
    public static func parse(_ text: String, file: String) -> ParsedFile {
        var documents: [ManifestDocument] = []
        var diagnostics: [Diagnostic] = []
        var rejectedPools: [String] = []
        var flawedWorkflows: [Workflow] = []
        var ignored: [Diagnostic] = []
        do {
            // The basic resolver: the readers look at a scalar's text and style, never at an implicit tag, and
            // resolving tags by regular expression for every scalar was half the cost of reading a large repository.
            let parser = try Parser(yaml: text, resolver: .basic)
            while let root = try parser.nextRoot() {
                var reader = YAMLReader(file: file)
                if let reason = notSluice(root) {
                    ignored.append(Diagnostic(reader.location(root), reason))
                    continue
                }
                let document = readDocument(root, &reader)
                let workflowName = document.workflowName
                diagnostics += reader.sink.diagnostics.map { Diagnostic($0.location, $0.message, workflow: workflowName) }
                if reader.sink.isEmpty, let parsed = document.value {
                    documents.append(parsed)
                } else if let pool = document.poolName {
                    rejectedPools.append(pool)
                } else if case .workflow(let workflow)? = document.value {
                    flawedWorkflows.append(workflow)
                }
            }
        } catch let error as YamlError {
            // Another tool's YAML that does not parse (a Helm template, say) is none of Sluice's business; a file that
            // names Sluice's apiVersion anywhere is meant to be a manifest, and its syntax error is reported.
            let diagnostic = syntaxDiagnostic(error, file: file)
            if text.contains(sluiceAPIPrefix) {
                diagnostics.append(diagnostic)
            } else {
                ignored.append(Diagnostic(diagnostic.location, "not YAML Sluice can read, and no 'apiVersion: \(sluiceAPIPrefix)…' in it"))
            }
        } catch {
            diagnostics.append(Diagnostic(SourceLocation(file: file, line: 1, column: 1), "cannot read YAML: \(error)"))
        }
        return ParsedFile(documents: documents, diagnostics: diagnostics, rejectedPools: rejectedPools, flawedWorkflows: flawedWorkflows,
                          ignored: ignored)
    }

    static let sluiceAPIPrefix = "sluice/"

    /// Why a document belongs to another tool (a DVC `params.yaml`, a conda `environment.yml`, a Kubernetes object),
    /// or nil when it is Sluice's: its apiVersion starts with `sluice/`, or it has none but its kind is one of
    /// Sluice's (a manifest that forgot its apiVersion is told so, not silently skipped).
    private static func notSluice(_ root: Node) -> String? {
        guard case .mapping(let mapping) = root else {
            if case .scalar(let scalar) = root, YAMLReader.isNull(scalar) { return nil }
            return "a document that is not a mapping, so not a Sluice manifest"
        }
        func scalar(_ key: String) -> String? {
            for (name, value) in mapping where name.scalar?.string == key { return value.scalar?.string ?? "" }
            return nil
        }
        let isSluiceKind = scalar("kind").map { ["Workflow", "ResourcePool"].contains($0) } ?? false
        if let version = scalar("apiVersion") {
            // `Sluice/v1` or `sluice.io/v1` on a Workflow is a typo, not another tool: skipping it would prune the workflow.
            if version.hasPrefix(sluiceAPIPrefix) || (isSluiceKind && version.lowercased().contains("sluice")) { return nil }
            return "apiVersion '\(version)' is not Sluice's (\(sluiceAPIPrefix)…)"
        }
        if isSluiceKind { return nil }
        return "no apiVersion, so not a Sluice manifest"
    }

    public struct ParsedFile: Sendable {
        public var documents: [ManifestDocument]
        public var diagnostics: [Diagnostic]
        /// Pools defined in the file that have errors, so that workflows on them are not told the pool is missing.
        public var rejectedPools: [String]
        /// Workflows read whole but with field errors: rejected, yet still checked across tasks so that
        /// every error of the file is reported at once.
        public var flawedWorkflows: [Workflow]
        /// Documents of other tools, each with where it starts and why it is not Sluice's: not errors.
        public var ignored: [Diagnostic] = []
    }

    /// A document as far as it could be read: its workflow name is kept even when it has errors,
    /// so that the error can be reported in that workflow's status.
    private struct PartialDocument {
        var value: ManifestDocument?
        var workflowName: String?
        var poolName: String?
    }

    private static func readDocument(_ root: Node, _ reader: inout YAMLReader) -> PartialDocument {
        if case .scalar(let scalar) = root, YAMLReader.isNull(scalar) { return PartialDocument() }
        guard let fields = reader.fields(root, of: "the document", allowed: ["apiVersion", "kind", "metadata", "spec"],
                                         required: ["apiVersion", "kind", "metadata", "spec"]) else { return PartialDocument() }
        if let node = fields["apiVersion"], let version = reader.string(node, "apiVersion"), version != sluiceAPIVersion {
            reader.report(node, "unknown apiVersion '\(version)': Sluice reads '\(sluiceAPIVersion)'")
        }
        let metadata = fields["metadata"].flatMap { readMetadata($0, &reader) }
        guard let kindNode = fields["kind"], let kind = reader.string(kindNode, "kind") else { return PartialDocument() }
        switch kind {
        case "Workflow":
            let name = metadata?.name
            let workflow = fields["spec"].flatMap { WorkflowReader.read(spec: $0, metadata: metadata, &reader) }
            return PartialDocument(value: workflow.map(ManifestDocument.workflow), workflowName: name)
        case "ResourcePool":
            let pool = fields["spec"].flatMap { PoolReader.read(spec: $0, metadata: metadata, &reader) }
            return PartialDocument(value: pool.map(ManifestDocument.pool), poolName: metadata?.name)
        default:
            let hint = YAMLReader.closest(to: kind, among: ["Workflow", "ResourcePool"]).map { " (did you mean '\($0)'?)" } ?? ""
            reader.report(kindNode, "unknown kind '\(kind)': expected Workflow or ResourcePool\(hint)")
            return PartialDocument()
        }
    }

    struct Metadata {
        var name: String
        var nameLocation: SourceLocation
        var labels: [String: String]
    }

    private static func readMetadata(_ node: Node, _ reader: inout YAMLReader) -> Metadata? {
        guard let fields = reader.fields(node, of: "metadata", allowed: ["name", "labels"], required: ["name"]),
              let nameNode = fields["name"], let name = reader.string(nameNode, "metadata.name") else { return nil }
        if !isValidName(name) {
            reader.report(nameNode, "name '\(name)' is not valid: use \(namePattern)")
        }
        let labels = fields["labels"].flatMap { reader.stringMap($0, "metadata.labels") } ?? [:]
        return Metadata(name: name, nameLocation: reader.location(nameNode), labels: labels)
    }

    /// Names become folder names, branch paths and environment variable suffixes, so they are kept simple.
    public static func isValidName(_ name: String) -> Bool {
        let allowed = name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
        return allowed && !name.isEmpty && name.count <= 63 && name.first != "-" && name.last != "-"
    }

    static func syntaxDiagnostic(_ error: YamlError, file: String) -> Diagnostic {
        func at(_ mark: Mark, _ message: String) -> Diagnostic {
            Diagnostic(SourceLocation(file: file, line: mark.line, column: mark.column), "YAML syntax error: \(message)")
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let detail = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return at(mark, problem + detail)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return at(context.mark, "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in one mapping")
        case .reader(let problem, let offset, _, let yaml):
            let prefix = offset.map { String(yaml.prefix($0)) } ?? ""
            let line = prefix.filter { $0 == "\n" }.count + 1
            let column = prefix.count - (prefix.lastIndex(of: "\n").map { prefix.distance(from: prefix.startIndex, to: $0) + 1 } ?? 0) + 1
            return Diagnostic(SourceLocation(file: file, line: line, column: column), "cannot read the file: \(problem)")
        default:
            return Diagnostic(SourceLocation(file: file, line: 1, column: 1), "YAML error: \(error)")
        }
    }
}
