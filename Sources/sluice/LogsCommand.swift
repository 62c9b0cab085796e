import ArgumentParser
import Foundation
import SluiceReconciler
import SluiceStore

struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print the log of a task's attempt (the latest by default)."
    )

    @Argument(help: ArgumentHelp("The task, as WORKFLOW/TASK.", valueName: "WORKFLOW/TASK"))
    var target: String

    @Option(help: "Attempt number at the task's latest fingerprint (1 is the first try).")
    var attempt: Int?

    @Flag(name: [.short, .long], help: "Keep printing what the attempt writes until it ends.")
    var follow = false

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
            guard follow else {
                Output.line(try AttemptLogs.text(store: store, workflow: parts[0], task: parts[1], attempt: attempt), terminator: "")
                return
            }
            let chosen = try AttemptLogs.attempt(store: store, workflow: parts[0], task: parts[1], number: attempt)
            try followLogs(of: chosen, store: store)
        } catch let problem as AttemptLogs.Problem {
            throw Failure(problem.description)
        }
    }

    /// Prints both logs as they grow, until the attempt's phase is final and nothing more was written.
    private func followLogs(of attempt: Attempt, store: Store) throws {
        try AttemptLogs.follow(attempt, store: store) { data in
            FileHandle.standardOutput.write(data)
            return true
        }
    }
}
