import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import SluiceServer

@Suite struct WebhookTests {
    let github = WebhookVerifier.githubSignature
    let gitea = WebhookVerifier.giteaSignature
    let gitlab = WebhookVerifier.gitlabToken

    /// GitHub's documented example: this secret and body give this signature.
    @Test func githubDocumentedSignatureIsAccepted() async throws {
        let backend = TestBackend()
        try await makeServer(backend).test(.router) { client in
            let response = try await client.execute(
                uri: "/hooks/git", method: .post,
                headers: [github: "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"],
                body: ByteBuffer(string: "Hello, World!"))
            #expect(response.status == .accepted)
            #expect(response.text == #"{"accepted":true}"#)
        }
        #expect(backend.wakes == [.init(reason: "webhook github", ref: nil)])
    }

    @Test func githubPushWakesWithTheRef() async throws {
        let backend = TestBackend()
        let body = Fixture.pushBody(ref: "refs/heads/main")
        try await makeServer(backend).test(.router) { client in
            let response = try await client.execute(uri: "/hooks/git", method: .post,
                                                    headers: [github: "sha256=" + Fixture.hmacHex(body), .contentType: "application/json"],
                                                    body: ByteBuffer(bytes: body))
            #expect(response.status == .accepted)
        }
        #expect(backend.wakes == [.init(reason: "webhook github", ref: "refs/heads/main")])
    }

    @Test func githubFormEncodedPushWakesWithTheRef() async throws {
        let backend = TestBackend()
        let json = String(decoding: Fixture.pushBody(ref: "refs/heads/feature/x"), as: UTF8.self)
        let body = Array(("payload=" + json.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!).utf8)
        try await makeServer(backend).test(.router) { client in
            let response = try await client.execute(
                uri: "/hooks/git", method: .post,
                headers: [github: "sha256=" + Fixture.hmacHex(body), .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(bytes: body))
            #expect(response.status == .accepted)
        }
        #expect(backend.wakes == [.init(reason: "webhook github", ref: "refs/heads/feature/x")])
    }

    @Test func giteaSignatureIsAccepted() async throws {
        let backend = TestBackend()
        let body = Fixture.pushBody(ref: "refs/heads/dev")
        try await makeServer(backend).test(.router) { client in
            let response = try await client.execute(uri: "/hooks/git", method: .post, headers: [gitea: Fixture.hmacHex(body)],
                                                    body: ByteBuffer(bytes: body))
            #expect(response.status == .accepted)
        }
        #expect(backend.wakes == [.init(reason: "webhook gitea", ref: "refs/heads/dev")])
    }

    @Test func gitlabTokenIsAccepted() async throws {
        let backend = TestBackend()
        try await makeServer(backend).test(.router) { client in
            let response = try await client.execute(uri: "/hooks/git", method: .post, headers: [gitlab: "It's a Secret to Everybody"],
                                                    body: ByteBuffer(bytes: Fixture.pushBody()))
            #expect(response.status == .accepted)
        }
        #expect(backend.wakes == [.init(reason: "webhook gitlab", ref: "refs/heads/main")])
    }

    @Test(arguments: [
        ("github", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e18"),  // last digit off
        ("github", "sha256=757107ea"),                                                          // truncated
        ("github", "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"),         // no sha256= prefix
        ("github", "sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"),  // not hex
        ("gitea", "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17aa"),        // too long
        ("gitlab", "It's a Secret to Everybod"),                                                // a prefix of the secret
        ("gitlab", "It's a Secret to Everybody!"),                                              // the secret and more
        ("gitlab", ""),
    ])
    func wrongSignatureIs401AndWakesNothing(provider: String, value: String) async throws {
        let backend = TestBackend()
        let header = ["github": github, "gitea": gitea, "gitlab": gitlab][provider]!
        try await makeServer(backend).test(.router) { client in
            let response = try await client.execute(uri: "/hooks/git", method: .post, headers: [header: value],
                                                    body: ByteBuffer(string: "Hello, World!"))
            #expect(response.status == .unauthorized)
            #expect(response.errorMessage?.contains("--webhook-secret-file") == true)
        }
        #expect(backend.wakes.isEmpty)
    }

    @Test func signatureOfAnotherBodyIs401() async throws {
        let backend = TestBackend()
        let signed = Fixture.pushBody(ref: "refs/heads/main")
        let sent = Fixture.pushBody(ref: "refs/heads/evil")
        try await makeServer(backend).test(.router) { client in
            let response = try await client.execute(uri: "/hooks/git", method: .post, headers: [github: "sha256=" + Fixture.hmacHex(signed)],
                                                    body: ByteBuffer(bytes: sent))
            #expect(response.status == .unauthorized)
        }
        #expect(backend.wakes.isEmpty)
    }

    @Test func missingSignatureIs401NamingTheHeaders() async throws {
        let backend = TestBackend()
        try await makeServer(backend).test(.router) { client in
            let response = try await client.execute(uri: "/hooks/git", method: .post, body: ByteBuffer(bytes: Fixture.pushBody()))
            #expect(response.status == .unauthorized)
            let message = try #require(response.errorMessage)
            #expect(message.contains("X-Hub-Signature-256") && message.contains("X-Gitea-Signature") && message.contains("X-Gitlab-Token"))
        }
        #expect(backend.wakes.isEmpty)
    }

    @Test func oversizedBodyIs413AndWakesNothing() async throws {
        let backend = TestBackend()
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 2_000)
        try await makeServer(backend, maxWebhookBody: 1_000).test(.router) { client in
            // Correctly signed: the size limit alone refuses it.
            let response = try await client.execute(uri: "/hooks/git", method: .post, headers: [github: "sha256=" + Fixture.hmacHex(body)],
                                                    body: ByteBuffer(bytes: body))
            #expect(response.status == .contentTooLarge)
            #expect(response.errorMessage?.contains("1000 bytes") == true)
            // At the limit it passes.
            let fits = Array(body.prefix(1_000))
            let accepted = try await client.execute(uri: "/hooks/git", method: .post, headers: [github: "sha256=" + Fixture.hmacHex(fits)],
                                                    body: ByteBuffer(bytes: fits))
            #expect(accepted.status == .accepted)
        }
        #expect(backend.wakes == [.init(reason: "webhook github", ref: nil)])
    }

    @Test func withoutASecretWebhooksAreDisabled() async throws {
        let backend = TestBackend()
        let body = Fixture.pushBody()
        try await makeServer(backend, secret: nil).test(.router) { client in
            let response = try await client.execute(uri: "/hooks/git", method: .post, headers: [github: "sha256=" + Fixture.hmacHex(body)],
                                                    body: ByteBuffer(bytes: body))
            #expect(response.status == .forbidden)
            #expect(response.errorMessage == "webhooks are disabled: start the controller with --webhook-secret-file")
        }
        #expect(backend.wakes.isEmpty)
    }

    @Test func anEmptySecretDisablesWebhooksRatherThanAcceptingAnEmptyToken() async throws {
        let backend = TestBackend()
        try await makeServer(backend, secret: []).test(.router) { client in
            let response = try await client.execute(uri: "/hooks/git", method: .post, headers: [gitlab: ""],
                                                    body: ByteBuffer(bytes: Fixture.pushBody()))
            #expect(response.status == .forbidden)
            #expect(response.errorMessage?.contains("secret is empty") == true)
        }
        #expect(backend.wakes.isEmpty)
    }

    @Test(arguments: [
        ([UInt8]([1, 2, 3]), [UInt8]([1, 2, 3]), true),
        ([1, 2, 4], [1, 2, 3], false),
        ([1, 2], [1, 2, 3], false),
        ([1, 2, 3, 0], [1, 2, 3], false),
        ([], [1, 2, 3], false),
        ([], [], true),
        ([0, 0, 0], [0, 0], false),
    ])
    func constantTimeEqual(provided: [UInt8], expected: [UInt8], equal: Bool) {
        #expect(WebhookVerifier.constantTimeEqual(provided, expected) == equal)
    }

    @Test func hexDecoding() {
        #expect(WebhookVerifier.bytes(hex: "00ff10Ab") == [0x00, 0xff, 0x10, 0xab])
        #expect(WebhookVerifier.bytes(hex: "abc").isEmpty)
        #expect(WebhookVerifier.bytes(hex: "gg").isEmpty)
    }
}

@Suite struct PushPayloadTests {
    @Test func aJSONBodyLabelledAsAFormIsReadAsJSONWithoutTrapping() {
        let body = Array(#"{"ref":"refs/heads/main"}"#.utf8)
        #expect(PushPayload.ref(in: body, contentType: "application/x-www-form-urlencoded") == "refs/heads/main")
        #expect(PushPayload.ref(in: Array("payload=%7B%22ref%22%3A%22refs%2Fheads%2Fdev%22%7D".utf8), contentType: "application/x-www-form-urlencoded") == "refs/heads/dev")
        #expect(PushPayload.ref(in: Array("payload=%ZZ{}".utf8), contentType: "application/x-www-form-urlencoded") == nil)
    }
}
