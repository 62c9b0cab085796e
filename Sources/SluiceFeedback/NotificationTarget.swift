import Crypto
import Foundation

/// A webhook that receives Sluice's notifications as JSON, signed when it shares a secret with Sluice.
public struct NotificationTarget: Sendable {
    public var url: URL
    /// The key of `X-Sluice-Signature-256`; nil sends no signature.
    public var secret: [UInt8]?

    public init(url: URL, secret: [UInt8]? = nil) {
        self.url = url
        self.secret = secret
    }

    /// The request that posts `notification`; its delivery id stays the same on every retry of it.
    public func request(for notification: WorkflowNotification,
                        deliveryID: String = UUID().uuidString.lowercased()) -> FeedbackRequest {
        let body = FeedbackRequest.json(notification)
        var headers = FeedbackRequest.commonHeaders
        headers["X-Sluice-Event"] = notification.event
        headers["X-Sluice-Delivery"] = deliveryID
        if let secret { headers["X-Sluice-Signature-256"] = Self.signature(of: body, secret: secret) }
        return FeedbackRequest(url: url, headers: headers, body: body, deliveryID: deliveryID, event: notification.event)
    }

    /// `sha256=` and the lowercase hex HMAC-SHA256 of `body`: GitHub's webhook convention, which receivers
    /// already know how to check.
    static func signature(of body: [UInt8], secret: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret))
        return "sha256=" + mac.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
