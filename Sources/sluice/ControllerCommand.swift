import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SluiceModel
import SluiceReconciler
import SluiceServer

struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Run until stopped, keeping every workflow at what the latest commit asks for.",
        discussion: "Passes run when the ref moves, when a task ends, every --interval, and on a webhook. SIGTERM drains: nothing new starts, running tasks stay with their supervisors, and the next controller adopts them."
    )

    @Option(name: .customLong("repo"), help: ArgumentHelp("The watched repository: a local path, or a URL (file, https, ssh) mirrored into the state directory; default the repository around the current folder.", valueName: "R"))
    var repoOverride: String?

    /// `--repo`, a local one as the top of its repository; else the repository around the current folder.
    var repo: String { Workspace.repository(repoOverride) }

    @Option(help: ArgumentHelp("Branch, tag or commit to follow.", valueName: "REF"))
    var ref: String = "HEAD"

    @Option(help: ArgumentHelp("Read manifests only under this folder of the repository.", valueName: "DIR"))
    var path: String?

    @Option(help: ArgumentHelp("Time between passes when nothing asks for one sooner, e.g. 30s, 5m.", valueName: "DURATION"))
    var interval: String = "30s"

    @Option(help: ArgumentHelp("Address of the HTTP server (API, dashboard, metrics, webhooks); 'off' for none.", valueName: "HOST:PORT"))
    var listen: String = "127.0.0.1:7480"

    @Option(help: ArgumentHelp("File holding the webhook secret (GitHub/Gitea HMAC key, GitLab token); without it POST /hooks/git is refused.", valueName: "FILE"))
    var webhookSecretFile: String?

    @Option(help: ArgumentHelp("File holding a bearer token: every endpoint but /healthz, /readyz, /hooks/git and the dashboard's page and assets (which hold no data) then needs 'Authorization: Bearer <token>' (logs may hold data), and reruns through the API and the dashboard are allowed.", valueName: "FILE"))
    var apiTokenFile: String?

    @Option(name: .customLong("preview"), help: ArgumentHelp("Also run the work of branches matching this pattern (e.g. 'exp/*'; repeatable), with the capacity the followed ref leaves free; their plans/<branch>.md pages show the results and metrics, and merging one reuses its outputs.", valueName: "GLOB"))
    var previews: [String] = []

    @Option(help: "Log format on standard error: text (time, level, message, key=value metadata) or json (one object per line, for log shippers).")
    var logFormat: LogFormat = .text

    @OptionGroup var state: StateOptions
    @OptionGroup var secrets: SecretsOptions
    @OptionGroup var verify: VerifyOptions
    @OptionGroup var feedback: FeedbackOptions

    func validate() throws {
        guard let seconds = Durations.parse(interval) else {
            throw ValidationError("--interval '\(interval)' is not a duration: write a number and a unit, e.g. 1s, 30s, 5m")
        }
        guard seconds > 0, seconds <= Durations.longest else {
            throw ValidationError("--interval '\(interval)' is out of range: give a duration from 1ms to 365d, e.g. 30s")
        }
        if listen != "off" && listenAddress == nil {
            throw ValidationError("--listen '\(listen)' is not HOST:PORT (e.g. 127.0.0.1:7480) or 'off'")
        }
    }

    private var listenAddress: (host: String, port: Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        return (String(listen[..<colon]), port)
    }

    private func apiToken() throws -> String? {
        guard let apiTokenFile else { return nil }
        guard let data = FileManager.default.contents(atPath: apiTokenFile) else {
            throw Failure("--api-token-file \(apiTokenFile): cannot read the file")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.count >= 16 else { throw Failure("--api-token-file \(apiTokenFile): the token is shorter than 16 characters; make one with `openssl rand -hex 32`") }
        return token
    }

    private func webhookSecret() throws -> [UInt8]? {
        guard let webhookSecretFile else { return nil }
        guard let data = FileManager.default.contents(atPath: webhookSecretFile) else {
            throw Failure("--webhook-secret-file \(webhookSecretFile): cannot read the file")
        }
        // `echo secret > file` leaves a newline no provider signs with.
        let secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else { throw Failure("--webhook-secret-file \(webhookSecretFile): the file is empty") }
        return Array(secret.utf8)
    }

    func run() async throws {
        // A parent may have started us with SIGTERM/SIGINT blocked (test runners do); the graceful shutdown needs them.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        sigprocmask(SIG_UNBLOCK, &signals, nil)
        let format = logFormat
        LoggingSystem.bootstrap { label in ControllerLogHandler(label: label, format: format) }
        var logger = Logger(label: "sluice.controller")
        logger.logLevel = .info
        if let address = listenAddress, let problem = ListenCheck.problem(host: address.host, port: address.port) {
            throw Failure("--listen \(listen): \(problem); choose another with --listen HOST:PORT, or --listen off")
        }
        let session = Session(repo: repo, ref: ref, manifestFolder: path, stateDirectory: state.directory(for: repo))
        let store = try session.openStore(create: true)
        var reconciler = ReconcilerConfiguration(stateDirectory: session.stateDirectory, supervisorCommand: [try Session.supervisorPath()])
        reconciler.manifestFolder = path
        reconciler.secretsDirectory = secrets.directory
        reconciler.signatureVerifier = verify.verifier
        reconciler.scheduleTimeLimit = 0.3
        reconciler.previewBranches = previews
        var configuration = ControllerConfiguration(repository: repo, reconciler: reconciler)
        configuration.ref = ref
        configuration.interval = Durations.parse(interval)!
        let secret = try webhookSecret()
        let metrics = ControllerMetrics(version: SluiceVersion.number, commit: BuildInfo.commit)
        let told = try feedback.observer(repository: repo, commitSummary: { try? store.commit($0)?.summary }, logger: Logger(label: "sluice.feedback"))
        let progress = ProgressLog.observer(logger)
        let observer: PassObserver
        if let told {
            observer = { event in
                told.observe(event)
                progress(event)
            }
        } else {
            observer = progress
        }
        let controller = Controller(configuration: configuration, store: store, logger: logger,
                                    observer: MetricsObserver.observer(metrics, then: observer))
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: controller)]
        if let address = listenAddress {
            var settings = ServerConfiguration(host: address.host, port: address.port, webhookSecret: secret)
            settings.apiToken = try apiToken()
            settings.version = "\(SluiceVersion.number) (commit \(BuildInfo.commit))"
            if settings.apiToken == nil, !["127.0.0.1", "localhost", "::1"].contains(address.host) {
                logger.warning("the API listens beyond this machine without a token: anyone who reaches it reads status and logs; give --api-token-file",
                               metadata: ["listen": "\(listen)"])
            }
            let server = buildServer(backend: ControllerBackend(controller: controller, store: store, layout: StateLayout(root: session.stateDirectory),
                                                                repository: session.repo),
                                     metrics: metrics,
                                     configuration: settings,
                                     logger: Logger(label: "sluice.server"))
            services.append(.init(service: server))
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let held as StateLock.Held {
            throw Failure(held.description)
        }
        // What was said last (the final statuses) is worth a few seconds of shutdown.
        if let told, await !told.sender.drain(timeout: 5) {
            logger.warning("feedback still undelivered at exit", metadata: ["delivered": "\(told.sender.delivered)", "failed": "\(told.sender.failed)"])
        }
    }
}
