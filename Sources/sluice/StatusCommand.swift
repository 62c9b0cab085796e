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
        var statuses = try WorkflowStatus.collect(from: store)
        if let workflow {
            statuses = statuses.filter { $0.name == workflow }
            if statuses.isEmpty { throw Failure("no workflow '\(workflow)' in \(StateLayout(root: state.directory).database.path)") }
        }
        switch output {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(statuses), as: UTF8.self))
        case .text:
            if statuses.isEmpty { print("No workflow has been applied yet.") }
            for status in statuses {
                print("\(status.name)  \(status.phase)  @ \(status.commit.map { String($0.prefix(7)) } ?? "none")")
                for error in status.errors { print("  error: \(error)") }
                for task in status.tasks {
                    let duration = task.duration.map(Durations.format) ?? "—"
                    let exit = task.exitCode.map { "  exit \($0)" } ?? ""
                    print("  \(task.phase.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(task.name)  \(duration)  attempts \(task.attempts)\(exit)\(task.message.map { "  \($0)" } ?? "")")
                }
            }
        }
    }
}

struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print the log of a task's attempt (the latest by default)."
    )

    @Argument(help: ArgumentHelp("The task, as WORKFLOW/TASK.", valueName: "WORKFLOW/TASK"))
    var target: String

    @Option(help: "Attempt number at the task's latest fingerprint (1 is the first try).")
    var attempt: Int?

    @OptionGroup var state: StateOptions

    func validate() throws {
        guard target.split(separator: "/").count == 2 else {
            throw ValidationError("give the task as WORKFLOW/TASK, e.g. customer-service/train")
        }
    }

    func run() throws {
        let parts = target.split(separator: "/").map(String.init)
        let store = try Session(repo: ".", stateDirectory: state.directory).openStore(create: false)
        do {
            Output.line(try AttemptLogs.text(store: store, workflow: parts[0], task: parts[1], attempt: attempt), terminator: "")
        } catch let problem as AttemptLogs.Problem {
            throw Failure(problem.description)
        }
    }
}
