import ArgumentParser
import Foundation
import SluiceModel
import SluiceReconciler

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check manifests; print every error as file:line:column and exit 3 if there is any.",
        discussion: "PATH is a folder of manifests (every *.yaml and *.yml under it, hidden folders skipped), a repository's working tree, or one file. Documents whose apiVersion is not sluice/… belong to other tools and are skipped (--verbose lists them). Task inputs are checked against the files under PATH."
    )

    @Argument(help: "A manifest file, a folder of manifests, or a repository.")
    var path: String = "."

    @Flag(name: .shortAndLong, help: "Also list the YAML documents skipped as other tools' (no 'apiVersion: sluice/…').")
    var verbose = false

    @Option(help: "Output format: text, or json (docs/cli-json.md): errors and skipped documents as {file, line, column, message, workflow}.")
    var output: OutputFormat = .text

    func run() throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw Failure("\(path): no such file or folder")
        }
        let root = isFolder.boolValue ? path : (path as NSString).deletingLastPathComponent
        let files = isFolder.boolValue ? try ManifestFiles.find(under: path) : [path]
        guard !files.isEmpty else {
            throw Failure("\(path): no manifests found (looked for *.yaml and *.yml outside hidden folders)")
        }
        var manifests: [ManifestFile] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { throw Failure("\(file): cannot read the file") }
            manifests.append(ManifestFile(path: file, text: String(decoding: data, as: UTF8.self)))
        }
        let set = ManifestSet.load(manifests)
        let problems = (set.diagnostics + missingInputs(set, root: root)).sorted { $0.location < $1.location }
        if output == .json {
            try JSONOutput.print(ValidationReport(path: path, files: files.count, set: set, errors: problems))
            if !problems.isEmpty { throw ExitCode(.invalidInput) }
            return
        }
        if verbose {
            for document in set.ignored { print("\(document.location): ignored: \(document.message)") }
        }
        for problem in problems {
            Output.standardError(problem.description)
        }
        guard problems.isEmpty else {
            Output.standardError("\(problems.count) error\(problems.count == 1 ? "" : "s") in \(path)")
            throw ExitCode(.invalidInput)
        }
        let tasks = set.workflows.map(\.tasks.count).reduce(0, +)
        print("\(path): valid: \(files.count) file\(files.count == 1 ? "" : "s"), \(set.workflows.count) workflow\(set.workflows.count == 1 ? "" : "s") (\(tasks) task\(tasks == 1 ? "" : "s")), \(set.pools.count) pool\(set.pools.count == 1 ? "" : "s")")
    }

    /// Inputs that the commit made from this tree would not have: missing on disk, or reached through a symlinked
    /// folder. Paths are resolved the way git trees are, never following a link, so `validate` and `apply` agree.
    private func missingInputs(_ set: ManifestSet, root: String) -> [Diagnostic] {
        set.workflows.flatMap { workflow in
            workflow.tasks.flatMap { task in
                zip(task.inputs, task.inputLocations).compactMap { input, location -> Diagnostic? in
                    var prefix = root
                    let parts = InputPath.normalized(input).split(separator: "/").map(String.init)
                    for (index, part) in parts.enumerated() {
                        prefix = (prefix as NSString).appendingPathComponent(part)
                        var info = stat()
                        guard lstat(prefix, &info) == 0 else {
                            return Diagnostic(location, "input '\(input)' of task '\(task.name)' does not exist under \(root): add it or fix the path", workflow: workflow.name)
                        }
                        if index < parts.count - 1, info.st_mode & S_IFMT == S_IFLNK {
                            let link = parts[...index].joined(separator: "/")
                            return Diagnostic(location, InputPath.throughLink(input: input, task: task.name, link: link), workflow: workflow.name)
                        }
                    }
                    return nil
                }
            }
        }
    }
}

enum ManifestFiles {
    /// Every manifest file under `folder`, sorted, skipping hidden folders (`.git`, `.sluice`, `.github`).
    static func find(under folder: String) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else {
            throw Failure("\(folder): cannot list the folder")
        }
        var found: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if DesiredStateLoader.isManifestPath(relative) {
                found.append(folder == "." ? relative : (folder as NSString).appendingPathComponent(relative))
            }
        }
        return found.sorted()
    }
}

/// `validate --output json`.
struct ValidationReport: Encodable {
    struct Problem: Encodable {
        var file: String
        var line: Int
        var column: Int
        var message: String
        var workflow: Nullable<String>

        init(_ diagnostic: Diagnostic) {
            file = diagnostic.location.file
            line = diagnostic.location.line
            column = diagnostic.location.column
            message = diagnostic.message
            workflow = Nullable(diagnostic.workflow)
        }
    }

    var path: String
    var valid: Bool
    var files: Int
    var workflows: [String]
    var tasks: Int
    var pools: [String]
    var errors: [Problem]
    var ignored: [Problem]

    init(path: String, files: Int, set: ManifestSet, errors: [Diagnostic]) {
        self.path = path
        self.files = files
        valid = errors.isEmpty
        workflows = set.workflows.map(\.name)
        tasks = set.workflows.map(\.tasks.count).reduce(0, +)
        pools = set.pools.map(\.name)
        self.errors = errors.map(Problem.init)
        ignored = set.ignored.map(Problem.init)
    }
}
