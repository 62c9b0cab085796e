import Hummingbird
import Logging
import Metrics
import ServiceLifecycle

/// Builds the HTTP server of the controller: REST API, webhook receiver, `/metrics`, health probes and the dashboard.
///
/// The result is a swift-service-lifecycle `Service`: run it in the controller's `ServiceGroup`.
/// - Parameters:
///   - backend: Where the server reads status and logs, and whom a verified webhook wakes.
///   - metrics: The metrics the controller updates, rendered at `GET /metrics`; HTTP metrics are recorded there too.
///   - configuration: Address, port, webhook and token settings.
///   - logger: The logger of the server; requests are logged at debug level.
public func buildServer(backend: some ServerBackend, metrics: ControllerMetrics, configuration: ServerConfiguration,
                        logger: Logger) -> MeteredServer<some ApplicationProtocol> {
    let router = buildRouter(backend: backend, metrics: metrics, configuration: configuration)
    let application = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "sluice"),
        logger: logger
    )
    return MeteredServer(application: application, metrics: metrics)
}

/// The application, run with the controller's metrics factory bound, so Hummingbird's `MetricsMiddleware` records
/// into the registry `/metrics` renders (no process-wide bootstrap: tests start many servers in one process).
public struct MeteredServer<App: ApplicationProtocol>: Service {
    public let application: App
    let metrics: ControllerMetrics

    public func run() async throws {
        try await withMetricsFactory(metrics.factory) { try await application.run() }
    }
}

func buildRouter(backend: some ServerBackend, metrics: ControllerMetrics, configuration: ServerConfiguration) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.middlewares.add(LogRequestsMiddleware(.debug))
    router.middlewares.add(MetricsMiddleware())
    router.middlewares.add(JSONErrorMiddleware())
    if let token = configuration.apiToken { router.middlewares.add(BearerAuthMiddleware(token: Array(token.utf8))) }
    addHealthRoutes(to: router, backend: backend, metrics: metrics)
    addAPIRoutes(to: router, backend: backend, configuration: configuration)
    addWebhookRoute(to: router, backend: backend, metrics: metrics, configuration: configuration)
    addDashboardRoutes(to: router, configuration: configuration)
    return router
}

private func addHealthRoutes(to router: Router<BasicRequestContext>, backend: some ServerBackend, metrics: ControllerMetrics) {
    router.get("/healthz") { _, _ in
        Response.text("ok\n")
    }
    router.get("/readyz") { _, _ in
        await backend.isReady()
            ? Response.text("ready\n")
            : Response.text("not ready: the controller has not finished its first reconcile pass\n", status: .serviceUnavailable)
    }
    router.get("/metrics") { _, _ in
        Response.text(metrics.render(), contentType: PrometheusText.contentType)
    }
}
