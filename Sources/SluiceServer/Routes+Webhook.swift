import Foundation
import Hummingbird
import Logging

func addWebhookRoute(to router: Router<BasicRequestContext>, backend: some ServerBackend, metrics: ControllerMetrics,
                     configuration: ServerConfiguration) {
    // An empty secret would let an empty X-Gitlab-Token through: treat it as no secret at all.
    let verifier = configuration.webhookSecret.flatMap { $0.isEmpty ? nil : WebhookVerifier(secret: $0) }
    let disabled = configuration.webhookSecret?.isEmpty == true
        ? "webhooks are disabled: the webhook secret is empty; put a secret in the file given to --webhook-secret-file"
        : "webhooks are disabled: start the controller with --webhook-secret-file"
    let maxBody = configuration.maxWebhookBody
    router.post("/hooks/git") { request, context in
        var request = request
        let logger = context.logger
        func refuse(_ status: HTTPResponse.Status, _ message: String) -> APIError {
            metrics.webhook(accepted: false)
            logger.notice("Webhook refused", metadata: ["status": "\(status.code)", "reason": "\(message)"])
            return APIError(status, message)
        }
        guard let verifier else {
            throw refuse(.forbidden, disabled)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maxBody)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            // NIO's `NIOTooManyBytesError`, which Hummingbird maps to 413.
            throw refuse(.contentTooLarge, "the webhook body is larger than \(maxBody) bytes: configure the webhook to send push events only")
        }
        let body = Array(buffer.readableBytesView)
        let provider: WebhookVerifier.Provider
        do throws(WebhookVerifier.Refusal) {
            provider = try verifier.verify(headers: request.headers, body: body)
        } catch {
            throw refuse(.unauthorized, error.message)
        }
        let ref = PushPayload.ref(in: body, contentType: request.headers[.contentType])
        metrics.webhook(accepted: true)
        logger.info("Webhook accepted", metadata: ["provider": "\(provider.rawValue)", "ref": "\(ref ?? "")"])
        await backend.wake(reason: "webhook \(provider.rawValue)", ref: ref)
        return Response.json(Data(#"{"accepted":true}"#.utf8), status: .accepted)
    }
}
