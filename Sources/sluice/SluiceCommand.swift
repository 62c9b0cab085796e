import ArgumentParser
import Foundation
import SluiceReconciler

struct SluiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "A GitOps reconciler for AI workflows: git says what should have run, Sluice makes it so.",
        discussion: ExitStatus.help,
        version: SluiceVersion.text,
        subcommands: [InitCommand.self, ValidateCommand.self, PlanCommand.self, ApplyCommand.self, StatusCommand.self,
                      LogsCommand.self, HistoryCommand.self, RerunCommand.self, StopCommand.self, GCCommand.self, MetricsCommand.self, ReportCommand.self, ControllerCommand.self, DemoCommand.self,
                      CompletionCommand.self, VersionCommand.self]
    )
}

/// Options every command that touches state shares.
struct StateOptions: ParsableArguments {
    @Option(name: .customLong("state"), help: ArgumentHelp("State directory (SQLite, logs, outputs, mirrors); default $SLUICE_STATE, else .sluice at the top of the repository.", valueName: "DIR"))
    var stateOverride: String?

    /// The state directory of the repository around the current folder (for commands without `--repo`).
    var directory: String { Workspace.stateDirectory(override: stateOverride, repo: nil) }

    /// The state directory of the watched repository `repo`.
    func directory(for repo: String) -> String { Workspace.stateDirectory(override: stateOverride, repo: repo) }
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

/// `--verify-signatures`: apply only commits signed by a listed SSH key.
struct VerifyOptions: ParsableArguments {
    @Option(name: .customLong("verify-signatures"),
            help: ArgumentHelp("SSH allowed-signers file (as git's gpg.ssh.allowedSignersFile): only commits signed by a key in it are applied.", valueName: "FILE"))
    var allowedSigners: String?

    var verifier: SignatureVerifier? { allowedSigners.map { SignatureVerifier(allowedSigners: $0) } }

    func validate() throws {
        guard let allowedSigners else { return }
        guard FileManager.default.isReadableFile(atPath: allowedSigners) else {
            throw ValidationError("--verify-signatures '\(allowedSigners)' is not a readable file: give an allowed-signers file (one 'principal ssh-ed25519 AAAA…' line per key)")
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen") else {
            throw ValidationError("--verify-signatures needs /usr/bin/ssh-keygen: install openssh-client")
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
