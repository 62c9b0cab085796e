import ArgumentParser
import Foundation
import SluiceModel
import SluiceReconciler

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the phase of every workflow and task, from the state directory."
    )

    @Argument(help: "Only this workflow.")
    var workflow: String?

    @Option(help: "Output format: text or json.")
    var output: OutputFormat = .text

    @OptionGroup var state: StateOptions

    func run() throws {
        let store = try Session(repo: ".", stateDirectory: state.directory).openStore(create: false)
        // The health checks are the controller's; their last word is in the store, so the phases match its own.
        var statuses = try WorkflowStatus.collect(from: store, healthy: try store.servicesLastSeenHealthy())
        if let workflow {
            statuses = statuses.filter { $0.name == workflow }
            if statuses.isEmpty { throw Failure("no workflow '\(workflow)' in \(StateLayout(root: state.directory).database.path)") }
        }
        switch output {
        case .json:
            try JSONOutput.print(statuses)
        case .text:
            if statuses.isEmpty { print("No workflow has been applied yet.") }
            for status in statuses {
                print("\(status.name)  \(status.phase)  @ \(status.commit.map { String($0.prefix(7)) } ?? "none")")
                if status.suspended { print("  suspended (spec.suspend: true): nothing new starts until it is resumed in git") }
                if let schedule = status.schedule {
                    let next = schedule.nextRun.map { "next run \(Timestamps.seconds($0))" } ?? "no run in the coming year"
                    print("  schedule \"\(schedule.cron)\" (\(schedule.timeZone)): \(next)")
                }
                for error in status.errors { print("  error: \(error)") }
                for task in status.tasks {
                    let duration = task.duration.map(Durations.format) ?? "—"
                    let exit = task.exitCode.map { "  exit \($0)" } ?? ""
                    print("  \(task.phase.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(task.name)  \(duration)  attempts \(task.attempts)\(exit)\(task.message.map { "  \($0)" } ?? "")\(task.requestedBy.map { "  rerun by \($0)" } ?? "")")
                }
            }
        }
    }

}
