import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

extension FeedbackSender {
    /// How one attempt ended.
    enum Answer: Equatable {
        case delivered(status: Int)
        /// A 400 whose body says the destination already shows what was sent.
        case alreadyApplied(status: Int)
        /// Worth another attempt: no answer, a server error, or too many requests.
        case retryable(status: Int?, cause: String)
        /// The destination will not take this request however often it is sent.
        case refused(status: Int, answer: String)
    }

    /// Tries `request` until it is delivered, refused, or out of retries.
    /// - Returns: whether it was delivered.
    func deliver(_ request: FeedbackRequest) async -> Bool {
        var logger = self.logger
        // The host only: a webhook's path can hold its secret (Slack's and Mattermost's do).
        logger[metadataKey: "host"] = "\(Destination(request.url))"
        logger[metadataKey: "event"] = "\(request.event)"
        logger[metadataKey: "delivery"] = "\(request.deliveryID)"
        var attempt = 0
        while true {
            attempt += 1
            switch await sendOnce(request) {
            case .delivered(let status):
                logger.debug("Feedback delivered", metadata: ["status": "\(status)", "attempts": "\(attempt)"])
                return true
            case .alreadyApplied(let status):
                logger.debug("Feedback already applied at its destination",
                             metadata: ["status": "\(status)", "attempts": "\(attempt)"])
                return true
            case .refused(let status, let answer):
                logger.error("Feedback refused by its destination, not retried",
                             metadata: ["status": "\(status)", "attempts": "\(attempt)", "answer": "\(answer)"])
                return false
            case .retryable(let status, let cause):
                var metadata: Logger.Metadata = ["attempts": "\(attempt)", "cause": "\(cause)"]
                if let status { metadata["status"] = "\(status)" }
                guard attempt <= retryDelays.count else {
                    logger.error("Feedback not delivered, given up after its last retry", metadata: metadata)
                    return false
                }
                let delay = retryDelays[attempt - 1]
                metadata["retryIn"] = "\(delay)"
                logger.notice("Feedback not delivered, will retry", metadata: metadata)
                // The back-off itself: nothing to wait for but time before asking the destination again.
                try? await Task.sleep(for: .seconds(delay))
            }
        }
    }

    /// Sends `request` once through the process's shared HTTP client. That client keeps trying to connect to a host
    /// that refuses until the attempt's time is up, so an attempt at a dead destination takes the whole `timeout`.
    func sendOnce(_ request: FeedbackRequest) async -> Answer {
        var http = HTTPClientRequest(url: request.url.absoluteString)
        http.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { http.headers.add(name: name, value: value) }
        http.body = .bytes(request.body)
        do {
            let response = try await HTTPClient.shared.execute(http, timeout: .milliseconds(Int64(timeout * 1000)))
            let answer = await Self.text(of: response.body)
            return Self.answer(status: Int(response.status.code), body: answer,
                               alreadyAppliedMarker: request.alreadyAppliedMarker)
        } catch {
            return .retryable(status: nil, cause: "\(error)")
        }
    }

    /// What an HTTP answer means for the request. 408 joins 429 and 5xx: it too says "later", not "never".
    static func answer(status: Int, body: String, alreadyAppliedMarker: String?) -> Answer {
        switch status {
        case 200..<300:
            return .delivered(status: status)
        case 400 where alreadyAppliedMarker.map { body.contains($0) } ?? false:
            return .alreadyApplied(status: status)
        case 408, 429, 500..<600:
            return .retryable(status: status, cause: "HTTP \(status)")
        default:
            return .refused(status: status, answer: body.cut(to: 300))
        }
    }

    /// The start of a response body as text. The body is read to its end whatever it holds, which frees the
    /// connection for the next request.
    static func text(of body: HTTPClientResponse.Body, keeping limit: Int = 4_096) async -> String {
        var kept: [UInt8] = []
        do {
            for try await chunk in body where kept.count < limit {
                kept += chunk.readableBytesView.prefix(limit - kept.count)
            }
        } catch {
            // An answer cut short is still an answer: its status decides.
        }
        return String(decoding: kept, as: UTF8.self)
    }
}
