import Foundation
import Hummingbird

/// An error the API answers as `{"error": "..."}` with its status.
struct APIError: Error, HTTPResponseError {
    var status: HTTPResponse.Status
    /// What went wrong and, where there is one, what to do about it.
    var message: String
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = Response.json(Self.body(message), status: status)
        for field in headers { response.headers.append(field) }
        return response
    }

    /// `{"error": message}`, encoded by JSONSerialization so that quotes and control characters are escaped.
    static func body(_ message: String) -> Data {
        (try? JSONSerialization.data(withJSONObject: ["error": message], options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }
}

/// Answers every error as JSON, so that a client reads the same shape from a missing route as from a missing workflow.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            let message = switch error.status {
            case .notFound: "no route for \(request.method) \(request.uri.path): the API is under /api/v1/workflows, webhooks POST to /hooks/git, the dashboard is at /"
            default: error.body ?? error.status.reasonPhrase
            }
            var converted = APIError(error.status, message)
            converted.headers = error.headers
            throw converted
        } catch let error as any HTTPResponseError {
            throw APIError(error.status, error.status.reasonPhrase)
        } catch {
            context.logger.error("Request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            throw APIError(.internalServerError, "the controller could not answer \(request.method) \(request.uri.path): \(error)")
        }
    }
}

extension Response {
    /// A response whose body is already-encoded JSON.
    static func json(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A plain-text response in UTF-8.
    static func text(_ text: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
