import Hummingbird
import Logging

/// Builds the HTTP server of the controller: REST API, webhook receiver, `/metrics`, health probes and the dashboard.
///
/// The result is a swift-service-lifecycle `Service`: run it in the controller's `ServiceGroup`.
/// - Parameters:
///   - backend: Where the server reads status and logs, and whom a verified webhook wakes.
///   - metrics: The metrics the controller updates, rendered at `GET /metrics`.
///   - configuration: Address, port and webhook settings.
///   - logger: The logger of the server; requests are logged at debug level.
public func buildServer(backend: some ServerBackend, metrics: ControllerMetrics, configuration: ServerConfiguration,
                        logger: Logger) -> some ApplicationProtocol {
    let router = buildRouter(backend: backend, metrics: metrics, configuration: configuration)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "sluice"),
        logger: logger
    )
}

func buildRouter(backend: some ServerBackend, metrics: ControllerMetrics, configuration: ServerConfiguration) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.middlewares.add(LogRequestsMiddleware(.debug))
    router.middlewares.add(JSONErrorMiddleware())
    addHealthRoutes(to: router, backend: backend, metrics: metrics)
    addAPIRoutes(to: router, backend: backend)
    addWebhookRoute(to: router, backend: backend, metrics: metrics, configuration: configuration)
    router.get("/") { _, _ in
        var response = Response.text(DashboardPage.html, contentType: "text/html; charset=utf-8")
        response.headers[.cacheControl] = "no-store"
        return response
    }
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
