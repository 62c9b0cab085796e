import Foundation
import Hummingbird
import Mustache

/// The dashboard: a page rendered from `Resources/dashboard/index.mustache`, and its scripts and style served as files
/// from `Resources/dashboard/assets/`.
func addDashboardRoutes(to router: Router<BasicRequestContext>, configuration: ServerConfiguration) {
    let page = Assets.page(version: configuration.version, tokenRequired: configuration.apiToken != nil)
    router.get("/") { _, _ in
        guard let page else { throw APIError(.internalServerError, "the dashboard's template is missing from this build's resources") }
        var response = Response.text(page, contentType: "text/html; charset=utf-8")
        response.headers[.cacheControl] = "no-store"
        return response
    }
    router.get("/assets/:name") { _, context in
        let name = try context.parameters.require("name")
        guard let type = Assets.contentType(of: name), let body = Assets.dashboardFile("assets/" + name) else {
            throw APIError(.notFound, "no dashboard asset '\(name)'")
        }
        var response = Response.text(String(decoding: body, as: UTF8.self), contentType: type)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

/// The files the server serves, from the module's resources (copied next to the binary by `swift build`).
enum Assets {
    static var folder: URL? { Bundle.module.url(forResource: "Resources", withExtension: nil) }

    static var openAPI: Data? { folder.flatMap { try? Data(contentsOf: $0.appendingPathComponent("openapi.json")) } }

    /// The content type of an asset's name, nil for a name that is not one: only `[a-z0-9-]+.(js|css)`, so a request
    /// can never name a path outside the folder.
    static func contentType(of name: String) -> String? {
        guard let dot = name.lastIndex(of: "."), dot > name.startIndex,
              name[..<dot].allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else { return nil }
        switch name[name.index(after: dot)...] {
        case "js": return "text/javascript; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        default: return nil
        }
    }

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
