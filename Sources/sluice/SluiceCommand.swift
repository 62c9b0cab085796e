import ArgumentParser
import Foundation

struct SluiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "A GitOps reconciler for AI workflows: git says what should have run, Sluice makes it so.",
        subcommands: [InitCommand.self, ValidateCommand.self, PlanCommand.self, ApplyCommand.self, StatusCommand.self,
                      LogsCommand.self, HistoryCommand.self, ControllerCommand.self, DemoCommand.self]
    )
}

/// Options every command that touches state shares.
struct StateOptions: ParsableArguments {
    @Option(name: .customLong("state"), help: ArgumentHelp("State directory (SQLite, logs, outputs, mirrors).", valueName: "DIR"))
    var stateOverride: String?

    /// `--state`, else `$SLUICE_STATE`, else `.sluice` in the current directory.
    var directory: String {
        stateOverride ?? ProcessInfo.processInfo.environment["SLUICE_STATE"] ?? ".sluice"
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
