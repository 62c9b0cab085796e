import Foundation
import Hummingbird
import Mustache

/// The dashboard: a page rendered from `Resources/dashboard/index.mustache`, and its script and style served as files.
func addDashboardRoutes(to router: Router<BasicRequestContext>, configuration: ServerConfiguration) {
    let page = Assets.page(version: configuration.version, tokenRequired: configuration.apiToken != nil)
    router.get("/") { _, _ in
        guard let page else { throw APIError(.internalServerError, "the dashboard's template is missing from this build's resources") }
        var response = Response.text(page, contentType: "text/html; charset=utf-8")
        response.headers[.cacheControl] = "no-store"
        return response
    }
    for (name, type) in [("dashboard.js", "text/javascript; charset=utf-8"), ("dashboard.css", "text/css; charset=utf-8")] {
        let body = Assets.dashboardFile(name)
        router.get("/\(name)") { _, _ in
            guard let body else { throw APIError(.internalServerError, "\(name) is missing from this build's resources") }
            var response = Response.text(String(decoding: body, as: UTF8.self), contentType: type)
            response.headers[.cacheControl] = "no-store"
            return response
        }
    }
}

/// The files the server serves, from the module's resources (copied next to the binary by `swift build`).
enum Assets {
    static var folder: URL? { Bundle.module.url(forResource: "Resources", withExtension: nil) }

    static var openAPI: Data? { folder.flatMap { try? Data(contentsOf: $0.appendingPathComponent("openapi.json")) } }

    static func dashboardFile(_ name: String) -> Data? {
        folder.flatMap { try? Data(contentsOf: $0.appendingPathComponent("dashboard").appendingPathComponent(name)) }
    }

    /// The page, rendered once: what it shows comes from the API at run time.
    static func page(version: String, tokenRequired: Bool) -> String? {
        guard let source = dashboardFile("index.mustache"),
              let template = try? MustacheTemplate(string: String(decoding: source, as: UTF8.self)) else { return nil }
        return template.render(["version": version, "tokenRequired": tokenRequired, "refreshSeconds": 2] as [String: Any])
    }
}
