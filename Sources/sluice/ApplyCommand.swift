import ArgumentParser
import Foundation
import SluiceGit
import SluiceModel
import SluiceReconciler
import SluiceStore

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Run one reconcile pass and wait for its tasks; exit 0 when everything desired succeeded.",
        discussion: "Services are started, checked healthy, and stopped when apply ends; `sluice controller` keeps them up."
    )

    @OptionGroup var source: SourceOptions
    @OptionGroup var state: StateOptions
    @OptionGroup var secrets: SecretsOptions
    @OptionGroup var verify: VerifyOptions

    @Option(help: "Output format: text, or json (docs/cli-json.md); with json, progress goes to standard error.")
    var output: OutputFormat = .text

    func run() async throws {
        var session = Session(source, state)
        session.secretsDirectory = secrets.directory
        session.signatureVerifier = verify.verifier
        let outcome = try await session.apply(observer: Progress(to: output == .json ? .standardError : .standardOutput).observer)
        switch output {
        case .text: print(Summary.text(outcome))
        case .json: try JSONOutput.print(ApplyReport(outcome))
        }
        if outcome.invalidInput { throw ExitCode(.invalidInput) }
        if !outcome.succeeded { throw ExitCode(.failed) }
    }
}

/// `--repo`, `--ref`, `--path`: where the manifests come from.
struct SourceOptions: ParsableArguments {
    @Option(name: .customLong("repo"), help: ArgumentHelp("The watched repository: a local path, or a URL (file, https, ssh) mirrored into the state directory; default the repository around the current folder.", valueName: "R"))
    var repoOverride: String?

    /// `--repo`, a local one as the top of its repository; else the repository around the current folder.
    var repo: String { Workspace.repository(repoOverride) }

    @Option(help: ArgumentHelp("Branch, tag or commit.", valueName: "REF"))
    var ref: String = "HEAD"

    @Option(help: ArgumentHelp("Read manifests only under this folder of the repository.", valueName: "DIR"))
    var path: String?
}

/// Opens the repository and the store the way every pass-running command does. Plain values, so that
/// commands such as `demo` can make one without parsing flags.
struct Session {
    var repo: String
    var ref = "HEAD"
    var manifestFolder: String?
    var stateDirectory: String
    var secretsDirectory: String?
    var signatureVerifier: SignatureVerifier?

    init(repo: String, ref: String = "HEAD", manifestFolder: String? = nil, stateDirectory: String) {
        self.repo = repo
        self.ref = ref
        self.manifestFolder = manifestFolder
        self.stateDirectory = stateDirectory
    }

    init(_ source: SourceOptions, _ state: StateOptions) {
        self.init(repo: source.repo, ref: source.ref, manifestFolder: source.path, stateDirectory: state.directory(for: source.repo))
    }

    func openRepository() throws -> Repository {
        do {
            return try GitSource.open(repo, stateDirectory: stateDirectory)
        } catch {
            throw Failure("cannot open repository '\(repo)': \(error)")
        }
    }

    func apply(observer: PassObserver? = nil) async throws -> PassOutcome {
        let repository = try openRepository()
        _ = try resolve(in: repository)
        let lock = try lockState()
        defer { withExtendedLifetime(lock) {} }
        let store = try openStore(create: true)
        var configuration = ReconcilerConfiguration(stateDirectory: stateDirectory, supervisorCommand: [try Session.supervisorPath()])
        configuration.manifestFolder = manifestFolder
        configuration.secretsDirectory = secretsDirectory
        configuration.signatureVerifier = signatureVerifier
        configuration.pushStatus = GitSource.isRemote(repo)
        let name = URL(fileURLWithPath: repo).lastPathComponent
        let reconciler = Reconciler(repository: repository, repositoryName: name, store: store, configuration: configuration,
                                    observer: observer ?? Progress().observer)
        return try await reconciler.apply(ref: ref)
    }

    /// The state directory's lock, for as long as the caller keeps it; held by another process, an error naming it
    /// (exit 3), followed by `advice`.
    func lockState(advice: String? = nil) throws -> StateLock {
        do {
            return try StateLock(stateDirectory: stateDirectory)
        } catch let held as StateLock.Held {
            throw Failure(held.description + (advice.map { "; " + $0 } ?? ""))
        }
    }

    func resolve(in repository: Repository, flag: String = "--ref") throws -> OID {
        do {
            return try repository.resolve(ref)
        } catch {
            throw Failure("cannot resolve \(flag) '\(ref)' in '\(repo)': \(error)")
        }
    }

    /// The store of the state directory. `create: false` is for read-only commands: a missing database is an error there.
    func openStore(create: Bool) throws -> Store {
        let path = StateLayout(root: stateDirectory).database.path
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw Failure("\(path): no state database here; run `sluice apply` first, or point --state (or $SLUICE_STATE) at the state directory")
        }
        do {
            return try Store(path: path)
        } catch {
            throw Failure("\(error)", status: .failed)
        }
    }

    /// This program's own path.
    static var executablePath: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
    }

    /// `sluice-supervisor` next to this program, so the supervisor is the same build as the command that starts it.
    static func supervisorPath() throws -> String {
        let path = URL(fileURLWithPath: executablePath).deletingLastPathComponent().appendingPathComponent("sluice-supervisor").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw Failure("\(path) is missing: install sluice-supervisor next to sluice (`swift build` builds both)", status: .failed)
        }
        return path
    }
}

enum Summary {
    static func text(_ outcome: PassOutcome) -> String {
        var out = "\n"
        for workflow in outcome.statuses where outcome.plan.workflow(named: workflow.name) != nil {
            out += "\(workflow.name): \(workflow.phase) — \(workflow.counts) @ \(workflow.commit.map { String($0.prefix(7)) } ?? "none")\n"
            for task in workflow.tasks {
                let duration = task.duration.map(Durations.format) ?? "—"
                let attempts = task.attempts > 1 ? ", \(task.attempts) attempts" : ""
                let exit = task.exitCode.map { ", exit \($0)" } ?? ""
                out += "  \(task.phase.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(task.name)  \(duration)\(attempts)\(exit)\n"
            }
            for error in workflow.errors { out += "  error: \(error)\n" }
        }
        for error in outcome.plan.errors { out += "error: \(error)\n" }
        out += outcome.statusCommit.map { "Status commit \($0.short) on sluice/status.\n" } ?? "Nothing changed: no status commit.\n"
        out += outcome.succeeded ? "All desired tasks succeeded." : "Some desired tasks did not succeed."
        return out
    }
}

/// `apply --output json`.
struct ApplyReport: Encodable {
    var succeeded: Bool
    var exitCode: Int32
    var statusCommit: Nullable<String>
    /// The workflows of this pass, as `status --output json` shows them.
    var workflows: [WorkflowStatus]
    /// Errors that belong to no workflow (a pool's, a file's).
    var errors: [String]
    /// Services that were healthy before `apply` stopped them, by `workflow/task`, with their address.
    var services: [String: String]

    init(_ outcome: PassOutcome) {
        succeeded = outcome.succeeded
        exitCode = (outcome.invalidInput ? ExitStatus.invalidInput : outcome.succeeded ? .success : .failed).rawValue
        statusCommit = Nullable(outcome.statusCommit?.hex)
        workflows = outcome.statuses.filter { outcome.plan.workflow(named: $0.name) != nil }
        errors = outcome.plan.errors
        services = outcome.services
    }
}
