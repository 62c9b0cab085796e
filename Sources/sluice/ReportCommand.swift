import ArgumentParser
import Foundation
import SluiceGit
import SluiceReconciler

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Report a workflow's last run: makespan and cost planned against actual, the optimizer's lower bound, node utilisation, the slowest tasks against their history, anomalies.",
        discussion: "The run is every attempt at the fingerprints in force, retries included. Prices and capacities come from the pool as defined at the run's commit in --repo. The same report is on the status branch, in the workflow's README.md."
    )

    @Argument(help: ArgumentHelp("The workflow.", valueName: "WORKFLOW"))
    var workflow: String

    @Option(name: .customLong("repo"), help: ArgumentHelp("The watched repository, for the pool's prices and capacities; default the repository around the current folder.", valueName: "R"))
    var repoOverride: String?

    var repo: String { Workspace.repository(repoOverride) }

    @Option(help: ArgumentHelp("Read manifests only under this folder of the repository.", valueName: "DIR"))
    var path: String?

    @Option(help: "Output format: markdown or json.")
    var output: ReportFormat = .markdown

    @OptionGroup var state: StateOptions

    func run() throws {
        let session = Session(repo: repo, manifestFolder: path, stateDirectory: state.directory(for: repo))
        let store = try session.openStore(create: false)
        guard let known = try store.workflowState(workflow) else {
            let names = try store.workflowStates().map(\.name).sorted()
            throw Failure("no workflow '\(workflow)' in \(StateLayout(root: session.stateDirectory).database.path)" + (names.isEmpty ? "" : "; it has \(names.joined(separator: ", "))"))
        }
        guard let commit = known.lastGoodCommit.flatMap(OID.init(hex:)) else { throw Failure("workflow '\(workflow)' has never had a valid definition, so it has not run") }
        let repository = try session.openRepository()
        let definition: DesiredWorkflow
        do {
            guard let found = try DesiredStateLoader.forResults(manifestFolder: path).load(from: repository, commit: commit)
                .workflows.first(where: { $0.name == workflow }) else { throw Failure("commit \(commit.short) does not define workflow '\(workflow)'") }
            definition = found
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure("cannot read workflow '\(workflow)' at \(commit.short) in '\(repo)' (give the watched repository with --repo): \(error)")
        }
        let status = try WorkflowStatus.collect(from: store, layout: StateLayout(root: session.stateDirectory), definitions: [workflow: definition], only: workflow)
            .first
        guard let status, let report = status.report else {
            let running = status?.tasks.contains { !$0.isService && !$0.phase.isFinal } == true
            throw Failure(running ? "workflow '\(workflow)' is still running: the report is made once its run settles" : "workflow '\(workflow)' has no run to report")
        }
        switch output {
        case .markdown: print(report.markdown(heading: "#"), terminator: "")
        case .json:
            try JSONOutput.print(report)
        }
    }
}

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case markdown, json
}
