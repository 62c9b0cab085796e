import ArgumentParser
import Foundation
import SluiceReconciler

struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Show the metrics of each task at the fingerprints a ref asks for, and with --base, how they changed.",
        discussion: "Numbers come from the state directory: each successful run stores what its `metrics:` files held. A side that has not run yet is shown as such, never as a number. JSON is a list of {workflow, task, metric, value, base, change, note}, every key present, null where a side has no number."
    )

    @Argument(help: ArgumentHelp("Only this workflow.", valueName: "WORKFLOW"))
    var workflow: String?

    @OptionGroup var source: SourceOptions

    @Option(help: ArgumentHelp("Compare with the metrics at this branch, tag or commit (e.g. main, HEAD~1).", valueName: "REF"))
    var base: String?

    @Option(help: "Output format: text or json.")
    var output: OutputFormat = .text

    @OptionGroup var state: StateOptions

    func run() throws {
        let session = Session(source, state)
        let repository = try session.openRepository()
        let loader = DesiredStateLoader.forResults(manifestFolder: source.path)
        let side = MetricsComparison.Side(desired: try loader.load(from: repository, commit: try session.resolve(in: repository)), label: source.ref)
        let baseSide = try base.map { base in
            let commit = try Session(repo: source.repo, ref: base, stateDirectory: session.stateDirectory).resolve(in: repository, flag: "--base")
            return MetricsComparison.Side(desired: try loader.load(from: repository, commit: commit), label: base)
        }
        for side in [side] + (baseSide.map { [$0] } ?? []) where !side.desired.diagnostics.isEmpty {
            Output.standardError("warning: the manifests at \(side.name) have \(side.desired.diagnostics.count) error(s), and workflows with errors are left out; `sluice validate` or `sluice plan --ref \(side.label)` lists them")
        }
        let hasState = FileManager.default.fileExists(atPath: StateLayout(root: session.stateDirectory).database.path)
        let store = hasState ? try session.openStore(create: false) : nil
        let rows: [MetricRow]
        do {
            rows = try MetricsComparison.rows(store: store, side: side, base: baseSide, workflow: workflow)
        } catch let problem as MetricsComparison.Problem {
            throw Failure(problem.description)
        }
        switch output {
        case .text: print(MetricsComparison.text(rows, side: side, base: baseSide), terminator: "")
        case .json:
            try JSONOutput.print(rows)
        }
    }
}
