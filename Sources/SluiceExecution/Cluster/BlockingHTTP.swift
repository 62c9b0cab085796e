import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One HTTP request at a time, waited for: for an engine's API, called from the engine's thread or a poller (never
/// from an event loop or the cooperative pool). Uses AsyncHTTPClient's shared client, which lives as long as the
/// process.
struct BlockingHTTP: Sendable {
    struct Response: Sendable {
        var status: Int
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    var timeout: TimeAmount = .seconds(15)

    func request(_ method: String, _ url: URL, json: Any? = nil) throws -> Response {
        do {
            var request = try HTTPClient.Request(url: url.absoluteString, method: HTTPMethod(rawValue: method))
            if let json {
                request.body = .bytes(try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]))
                request.headers.add(name: "Content-Type", value: "application/json")
            }
            let response = try HTTPClient.shared.execute(request: request, deadline: .now() + timeout).wait()
            let body = response.body.map { Data($0.readableBytesView) } ?? Data()
            return Response(status: Int(response.status.code), body: body)
        } catch {
            throw ClusterError("\(method) \(url.absoluteString): \(error)")
        }
    }
}
