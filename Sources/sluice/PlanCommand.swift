import ArgumentParser
import Foundation
import SluiceGit
import SluiceModel
import SluiceReconciler

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what a reconcile pass would do at a commit, task by task, and why.",
        discussion: "The plan compares the commit with what the state directory says has run (nothing, if it has no database yet). Exit 0 when the plan was made, 3 when the manifests at the commit have errors (the plan is still printed); with --exit-code, 4 when the plan has work to do."
    )

    @OptionGroup var source: SourceOptions

    @Option(help: ArgumentHelp("Compare with this branch, tag or commit as if everything at it had run, instead of with the state directory: what a pull request would rerun, and why.", valueName: "REF"))
    var base: String?

    @Option(help: "Output format: text, json, or markdown (as on the status branch's plans/ pages).")
    var output: PlanOutputFormat = .text

    @Option(help: ArgumentHelp("Seconds the optimizer may search for a better schedule.", valueName: "SECONDS"))
    var timeLimit: Double = 1

    @Flag(help: "Exit 4 when the plan has work to do (anything but 'up to date'), 0 when it has none, as Terraform's -detailed-exitcode.")
    var exitCode = false

    @OptionGroup var state: StateOptions

    func validate() throws {
        guard timeLimit > 0, timeLimit.isFinite else { throw ValidationError("--time-limit must be a positive number of seconds") }
    }

    func run() throws {
        let session = Session(source, state)
        let repository = try session.openRepository()
        let commit = try session.resolve(in: repository)
        let desired = try DesiredStateLoader(manifestFolder: source.path).load(from: repository, commit: commit)
        let hasState = FileManager.default.fileExists(atPath: StateLayout(root: session.stateDirectory).database.path)
        let store = hasState ? try session.openStore(create: false) : nil
        let actual: ActualState
        if let base {
            let baseCommit = try Session(repo: source.repo, ref: base, stateDirectory: session.stateDirectory).resolve(in: repository, flag: "--base")
            actual = .assumingSucceeded(try DesiredStateLoader(manifestFolder: source.path).load(from: repository, commit: baseCommit),
                                        ran: try store?.succeededFingerprints())
        } else {
            actual = try store.map(ActualStateReader.read) ?? .empty
        }
        var plan = Planner.plan(desired: desired, actual: actual, servicesStayUp: false)
        plan.schedules = try PlanScheduler.schedule(plan, desired: desired, duration: DurationHistory.model(store: store),
                                                    options: .init(timeLimit: timeLimit, targetGap: ReconcilerConfiguration.defaultScheduleTargetGap))
        switch output {
        case .text: print(PlanRenderer.text(plan, commitSummary: desired.commit.summary), terminator: "")
        case .json: print(try PlanRenderer.json(plan))
        case .markdown:
            let against = base.map { " against \($0)" } ?? ""
            print(PlanRenderer.markdown(plan, title: "Plan of \(source.ref) (\(commit.short))\(against)"), terminator: "")
        }
        if !desired.diagnostics.isEmpty { throw ExitCode(.invalidInput) }
        if exitCode, plan.workflows.contains(where: { $0.tasks.contains { $0.action != .upToDate } }) { throw ExitCode(.pending) }
    }
}

enum PlanOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown
}
