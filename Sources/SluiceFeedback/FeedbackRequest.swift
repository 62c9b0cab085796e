import Foundation

/// One HTTP request that tells the outside world something, built in full before it is sent, so that what goes out
/// can be checked without a network and sent again unchanged when a delivery is retried.
public struct FeedbackRequest: Sendable, Equatable {
    public var method: String
    public var url: URL
    public var headers: [String: String]
    public var body: [UInt8]
    /// Names this delivery in logs; a notification also sends it as `X-Sluice-Delivery`, the same on every retry.
    public var deliveryID: String
    /// What the request tells, for logs: a notification's event, or `commit-status` for a forge.
    public var event: String
    /// Text that, in the body of a 400 answer, means the destination already shows what was sent, so the request
    /// counts as delivered rather than refused. GitLab refuses to set a commit status to the state it already has.
    public var alreadyAppliedMarker: String?

    public init(method: String = "POST", url: URL, headers: [String: String], body: [UInt8], deliveryID: String,
                event: String, alreadyAppliedMarker: String? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.deliveryID = deliveryID
        self.event = event
        self.alreadyAppliedMarker = alreadyAppliedMarker
    }

    /// Headers every request carries; the body is always JSON.
    static let commonHeaders = ["Content-Type": "application/json", "User-Agent": "sluice"]

    /// `value` as JSON with sorted keys, so that the same value always gives the same bytes (and signature).
    static func json(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // Only strings, optionals, arrays and dates are encoded here: nothing that JSONEncoder can refuse.
        return Array(try! encoder.encode(value))
    }
}
