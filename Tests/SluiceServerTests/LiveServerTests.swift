import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import SluiceServer

/// The same server over a real loopback socket, as a git provider and a browser reach it.
@Suite struct LiveServerTests {
    @Test func servesTheDashboardAPIAndWebhookOverTCP() async throws {
        let backend = TestBackend(ready: true)
        let metrics = ControllerMetrics()
        let body = Fixture.pushBody(ref: "refs/heads/release")
        try await makeServer(backend, metrics: metrics, maxWebhookBody: 4_096).test(.live) { client in
            #expect(client.port != nil)
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok)
            #expect(page.text.contains("<h1>Sluice</h1>"))
            let list = try await client.execute(uri: "/api/v1/workflows", method: .get)
            #expect((try envelopeBody(list.text, kind: "WorkflowList") as? [Any])?.count == 2)
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
            let hook = try await client.execute(uri: "/hooks/git", method: .post,
                                                headers: [WebhookVerifier.githubSignature: "sha256=" + Fixture.hmacHex(body)],
                                                body: ByteBuffer(bytes: body))
            #expect(hook.status == .accepted)
            let big = [UInt8](repeating: 0x20, count: 10_000)
            let tooLarge = try await client.execute(uri: "/hooks/git", method: .post,
                                                    headers: [WebhookVerifier.githubSignature: "sha256=" + Fixture.hmacHex(big)],
                                                    body: ByteBuffer(bytes: big))
            #expect(tooLarge.status == .contentTooLarge)
        }
        #expect(backend.wakes == [.init(reason: "webhook github", ref: "refs/heads/release")])
        #expect(metrics.render().contains(#"sluice_webhooks_total{result="refused"} 1"#))
    }
}
