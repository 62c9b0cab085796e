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

/// `--secrets-dir`: where secret values come from, on the machine running Sluice.
struct SecretsOptions: ParsableArguments {
    @Option(name: .customLong("secrets-dir"),
            help: ArgumentHelp("Folder with one file per secret, named after it (a mounted Kubernetes Secret); default $SLUICE_SECRETS_DIR.", valueName: "DIR"))
    var secretsOverride: String?

    var directory: String? {
        secretsOverride ?? ProcessInfo.processInfo.environment["SLUICE_SECRETS_DIR"].flatMap { $0.isEmpty ? nil : $0 }
    }

    func validate() throws {
        guard let directory else { return }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder), isFolder.boolValue else {
            let source = secretsOverride == nil ? "SLUICE_SECRETS_DIR" : "--secrets-dir"
            throw ValidationError("\(source) '\(directory)' is not a folder: give the folder that holds one file per secret")
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
