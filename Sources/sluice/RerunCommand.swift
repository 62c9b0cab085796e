import ArgumentParser
import Foundation
import SluiceGit
import SluiceReconciler

struct RerunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerun",
        abstract: "Run a task again at the same fingerprint (Airflow's clear, Argo's retry), as asked for by you.",
        discussion: "The request is recorded in the state directory with your name, and the status shows the new attempt as asked for by you. When a controller owns the state directory it runs it at once; otherwise this command makes the pass itself and waits, as `apply` does (same exit codes)."
    )

    @Argument(help: ArgumentHelp("The task, as WORKFLOW/TASK.", valueName: "WORKFLOW/TASK"))
    var target: String

    @Flag(help: "Also rerun every task that needs it, directly or not (services stay up).")
    var downstream = false

    @Option(help: ArgumentHelp("Who asks, for the status and the history; default git's user.name, else $USER.", valueName: "NAME"))
    var by: String?

    @OptionGroup var source: SourceOptions
    @OptionGroup var state: StateOptions
    @OptionGroup var secrets: SecretsOptions
    @OptionGroup var verify: VerifyOptions

    func validate() throws {
        let parts = target.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ValidationError("give the task as WORKFLOW/TASK, e.g. customer-service/train")
        }
        if let by, by.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--by needs a name") }
    }

    func run() async throws {
        let parts = target.split(separator: "/").map(String.init)
        var session = Session(source, state)
        session.secretsDirectory = secrets.directory
        session.signatureVerifier = verify.verifier
        let store = try session.openStore(create: false)
        let person = by ?? Self.person(repository: try? session.openRepository())
        let tasks: [String]
        do {
            tasks = try Reruns.request(store: store, workflow: parts[0], task: parts[1], downstream: downstream, by: person)
        } catch let problem as Reruns.Problem {
            throw Failure(problem.description)
        }
        let names = tasks.map { "\(parts[0])/\($0)" }.joined(separator: ", ")
        do {
            _ = try StateLock(stateDirectory: session.stateDirectory)  // released at once: `apply` takes it again below
        } catch let held as StateLock.Held {
            StateLayout(root: session.stateDirectory).notifyController("rerun \(names)")
            print("Asked the controller (\(held.owner)) to rerun \(names), as \(person); `sluice status` shows it.")
            return
        }
        Output.line("Rerunning \(names), as \(person).")
        let outcome = try await session.apply()
        print(Summary.text(outcome))
        if outcome.invalidInput { throw ExitCode(.invalidInput) }
        if !outcome.succeeded { throw ExitCode(.failed) }
    }

    /// git's `user.name` (as a commit would name you), else the login name.
    static func person(repository: Repository?) -> String {
        if let name = repository?.configuredSignature()?.name, !name.isEmpty { return name }
        return ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "unknown"
    }
}
