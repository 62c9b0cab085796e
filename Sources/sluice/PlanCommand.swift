import ArgumentParser
import Foundation
import SluiceGit
import SluiceModel
import SluiceReconciler

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what a reconcile pass would do at a commit, task by task, and why.",
        discussion: "Exit 0 when the plan was made, 1 when the manifests at the commit have errors (the plan is still printed)."
    )

    @Option(help: ArgumentHelp("The watched repository: a local path, or a URL (file, https, ssh) mirrored into the state directory.", valueName: "R"))
    var repo: String = "."

    @Option(help: ArgumentHelp("Branch, tag or commit to plan (default: HEAD).", valueName: "REF"))
    var ref: String = "HEAD"

    @Option(help: ArgumentHelp("Read manifests only under this folder of the repository.", valueName: "DIR"))
    var path: String?

    @Option(help: "Output format: text or json.")
    var output: OutputFormat = .text

    @OptionGroup var state: StateOptions

    func run() throws {
        let repository: Repository
        do {
            repository = try GitSource.open(repo, stateDirectory: state.directory)
        } catch {
            throw Failure("cannot open repository '\(repo)': \(error)")
        }
        let commit: OID
        do {
            commit = try repository.resolve(ref)
        } catch {
            throw Failure("cannot resolve --ref '\(ref)' in '\(repo)': \(error)")
        }
        let desired = try DesiredStateLoader(manifestFolder: path).load(from: repository, commit: commit)
        // The store arrives with `sluice apply`; until then every plan compares against an empty actual state.
        let plan = Planner.plan(desired: desired, actual: .empty)
        switch output {
        case .text: print(PlanRenderer.text(plan, commitSummary: desired.commit.summary), terminator: "")
        case .json: print(try PlanRenderer.json(plan))
        }
        if !desired.diagnostics.isEmpty { throw ExitCode(1) }
    }
}
