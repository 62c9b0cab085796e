import Crypto
import Foundation
import Hummingbird

/// `Authorization: Bearer <token>` on every path but the probes, the webhook (it has its own secret) and the
/// dashboard's page and files, which hold no data: the page asks for the token and sends it with each API call.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]
    static var open: Set<String> { ["/healthz", "/readyz", "/hooks/git", "/"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let asset = path.hasPrefix("/assets/") && Assets.contentType(of: String(path.dropFirst("/assets/".count))) != nil
        guard !Self.open.contains(path) && !asset else { return try await next(request, context) }
        let header = request.headers[.authorization] ?? ""
        // The scheme's name is case-insensitive (RFC 9110); the token is not.
        guard header.lowercased().hasPrefix("bearer "), Self.equal(Array(header.dropFirst("Bearer ".count).utf8), token) else {
            var refusal = APIError(.unauthorized, header.isEmpty
                ? "this controller needs a token: send 'Authorization: Bearer <token>' with the token of its --api-token-file"
                : "the bearer token is not this controller's: use the token of its --api-token-file")
            refusal.headers = [.wwwAuthenticate: "Bearer realm=\"sluice\""]
            throw refusal
        }
        return try await next(request, context)
    }

    /// Compares in time that does not depend on where the two differ, so the token cannot be guessed byte by byte.
    static func equal(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        SHA256.hash(data: given) == SHA256.hash(data: expected)
    }
}
