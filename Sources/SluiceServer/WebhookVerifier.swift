import Crypto
import Foundation
import Hummingbird

/// Checks that a webhook delivery comes from a provider that knows the shared secret.
struct WebhookVerifier: Sendable {
    enum Provider: String, Sendable {
        case github, gitea, gitlab
    }

    /// Why a delivery is refused, worded for the person setting up the webhook.
    struct Refusal: Error, Equatable {
        var message: String
    }

    /// `HTTPField.Name`, reached through `HTTPFields`, which is what Hummingbird re-exports of swift-http-types.
    typealias HeaderName = HTTPFields.Element.Name

    static let githubSignature = HeaderName("X-Hub-Signature-256")!
    static let giteaSignature = HeaderName("X-Gitea-Signature")!
    static let gitlabToken = HeaderName("X-Gitlab-Token")!

    let secret: [UInt8]

    /// The provider whose signature over `body` (or whose token) the headers carry.
    ///
    /// GitHub's header comes first: Gitea sends it too, with the same HMAC.
    /// - Throws: `Refusal` when no known header is present or it does not match.
    func verify(headers: HTTPFields, body: [UInt8]) throws(Refusal) -> Provider {
        if let value = headers[Self.githubSignature] {
            let hex = value.hasPrefix("sha256=") ? String(value.dropFirst("sha256=".count)) : ""
            try check(provided: Self.bytes(hex: hex), expected: mac(body), Refusal(message:
                "X-Hub-Signature-256 does not match the body: set the webhook's secret at the provider to the contents of the controller's --webhook-secret-file, content type application/json"))
            return .github
        }
        if let value = headers[Self.giteaSignature] {
            try check(provided: Self.bytes(hex: value), expected: mac(body), Refusal(message:
                "X-Gitea-Signature does not match the body: set the webhook's secret at the provider to the contents of the controller's --webhook-secret-file"))
            return .gitea
        }
        if let value = headers[Self.gitlabToken] {
            try check(provided: Array(value.utf8), expected: secret, Refusal(message:
                "X-Gitlab-Token does not match: set the webhook's secret token at GitLab to the contents of the controller's --webhook-secret-file"))
            return .gitlab
        }
        throw Refusal(message:
            "the request carries no webhook signature: expected X-Hub-Signature-256 (GitHub), X-Gitea-Signature (Gitea) or X-Gitlab-Token (GitLab); configure the webhook with the controller's secret")
    }

    private func mac(_ body: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret)))
    }

    private func check(provided: [UInt8], expected: [UInt8], _ refusal: Refusal) throws(Refusal) {
        guard Self.constantTimeEqual(provided, expected) else { throw refusal }
    }

    /// Whether `provided` equals `expected`, in a time that depends only on `expected.count`.
    ///
    /// Every byte of `expected` is visited whatever the input, and the differences are OR-ed together rather than
    /// returned at the first one, so the time taken tells an attacker nothing about how much of a guess was right.
    static func constantTimeEqual(_ provided: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference: UInt8 = provided.count == expected.count ? 0 : 1
        for index in 0..<expected.count {
            // Reading past a shorter `provided` would trap; comparing with 0 instead keeps the loop the same length.
            let byte = index < provided.count ? provided[index] : 0
            difference |= byte ^ expected[index]
        }
        return difference == 0
    }

    /// The bytes of a hexadecimal string; empty when it is not one (which then matches no MAC).
    static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        guard digits.count.isMultiple(of: 2) else { return [] }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return [] }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

enum PushPayload {
    /// The top-level `ref` of a push payload (GitHub, Gitea and GitLab all send one), or nil.
    ///
    /// GitHub can also deliver as `application/x-www-form-urlencoded` with the JSON in a `payload` field.
    static func ref(in body: [UInt8], contentType: String?) -> String? {
        var json = Data(body)
        // Senders (and curl) label bodies loosely, so the form is only unpacked when the body really is `payload=…`;
        // a JSON body is read as JSON whatever its label says. Nothing here may trap on hostile input.
        if let contentType, contentType.lowercased().hasPrefix("application/x-www-form-urlencoded"),
           let payload = formField("payload", in: String(decoding: body, as: UTF8.self)) {
            json = Data(payload.utf8)
        }
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else { return nil }
        return object["ref"] as? String
    }

    /// The decoded value of `name` in an `a=1&b=2` form body, nil when absent or badly encoded.
    static func formField(_ name: String, in form: String) -> String? {
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name else { continue }
            return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }
}
