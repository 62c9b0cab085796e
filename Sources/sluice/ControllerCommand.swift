import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SluiceModel
import SluiceReconciler

struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Run until stopped, keeping every workflow at what the latest commit asks for.",
        discussion: "Passes run when the ref moves, when a task ends, every --interval, and on a webhook. SIGTERM drains: nothing new starts, running tasks stay with their supervisors, and the next controller adopts them."
    )

    @Option(help: ArgumentHelp("The watched repository: a local path, or a URL (file, https, ssh) mirrored into the state directory.", valueName: "R"))
    var repo: String

    @Option(help: ArgumentHelp("Branch, tag or commit to follow (default: HEAD).", valueName: "REF"))
    var ref: String = "HEAD"

    @Option(help: ArgumentHelp("Read manifests only under this folder of the repository.", valueName: "DIR"))
    var path: String?

    @Option(help: ArgumentHelp("Time between passes when nothing asks for one sooner, e.g. 30s, 5m.", valueName: "DURATION"))
    var interval: String = "30s"

    @OptionGroup var state: StateOptions

    func validate() throws {
        guard let seconds = Durations.parse(interval), seconds > 0 else {
            throw ValidationError("--interval '\(interval)' is not a duration: write e.g. 1s, 30s, 5m")
        }
    }

    func run() async throws {
        // A parent may have started us with SIGTERM/SIGINT blocked (test runners do); the graceful shutdown needs them.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        sigprocmask(SIG_UNBLOCK, &signals, nil)
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "sluice.controller")
        logger.logLevel = .info
        let session = Session(repo: repo, ref: ref, manifestFolder: path, stateDirectory: state.directory)
        let store = try session.openStore(create: true)
        var reconciler = ReconcilerConfiguration(stateDirectory: state.directory, supervisorCommand: [Session.executablePath, "__supervise"])
        reconciler.manifestFolder = path
        reconciler.scheduleTimeLimit = 0.3
        var configuration = ControllerConfiguration(repository: repo, reconciler: reconciler)
        configuration.ref = ref
        configuration.interval = Durations.parse(interval)!
        let controller = Controller(configuration: configuration, store: store, logger: logger, observer: Progress(live: false).observer)
        let group = ServiceGroup(configuration: .init(services: [.init(service: controller)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let held as StateLock.Held {
            throw Failure(held.description)
        }
    }
}
