/// Where the server listens and how it treats webhooks.
public struct ServerConfiguration: Sendable {
    /// The address to bind; the loopback address by default, so that nothing outside the machine reaches it unasked.
    public var host: String
    /// The TCP port to bind; 0 picks a free one.
    public var port: Int
    /// The secret shared with the git provider; nil or empty disables `POST /hooks/git` (it answers 403).
    public var webhookSecret: [UInt8]?
    /// The largest webhook body read, in bytes; a larger one is refused with 413 and wakes nothing.
    public var maxWebhookBody: Int
    /// With a token, every path but `/healthz`, `/readyz`, `/hooks/git` and the dashboard's own files (which hold no
    /// data) needs `Authorization: Bearer <token>`, and reruns are allowed; without one the API is read-only.
    public var apiToken: String?
    /// The controller's version, for the dashboard's footer.
    public var version = "unknown"

    /// - Parameters:
    ///   - host: The address to bind.
    ///   - port: The TCP port to bind.
    ///   - webhookSecret: The webhook secret; nil disables webhooks.
    ///   - maxWebhookBody: The largest webhook body read, in bytes (1 MiB by default).
    public init(host: String = "127.0.0.1", port: Int = 7480, webhookSecret: [UInt8]? = nil, maxWebhookBody: Int = 1 << 20) {
        self.host = host
        self.port = port
        self.webhookSecret = webhookSecret
        self.maxWebhookBody = maxWebhookBody
    }
}
