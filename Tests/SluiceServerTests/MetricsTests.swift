import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import SluiceServer

@Suite struct MetricsTests {
    /// The sample lines of a rendering, `name{labels}` → value.
    func samples(_ text: String) -> [String: String] {
        var samples: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            samples[String(parts[0])] = String(parts[1])
        }
        return samples
    }

    @Test func everyFamilyHasHelpAndType() {
        let text = ControllerMetrics().render()
        let families: [(String, String)] = [
            ("sluice_passes_total", "counter"), ("sluice_pass_duration_seconds", "histogram"),
            ("sluice_git_fetch_duration_seconds", "histogram"), ("sluice_attempts_started_total", "counter"),
            ("sluice_queue_wait_seconds", "histogram"), ("sluice_attempts_finished_total", "counter"),
            ("sluice_task_failures_total", "counter"), ("sluice_tasks", "gauge"), ("sluice_anomalous_attempts", "gauge"),
            ("sluice_webhooks_total", "counter"),
        ]
        for (name, type) in families {
            #expect(text.contains("# TYPE \(name) \(type)\n"), "\(name)")
            #expect(text.contains("# HELP \(name) "), "\(name)")
        }
        #expect(text.hasSuffix("\n"))
    }

    @Test func countsWhatTheControllerRecorded() {
        let metrics = ControllerMetrics()
        metrics.passFinished(duration: 0.3, failed: false)
        metrics.passFinished(duration: 10, failed: false)  // exactly on a bound: buckets are `<=`
        metrics.passFinished(duration: 700, failed: true)
        metrics.gitFetched(duration: 0.02)
        metrics.attemptStarted(queueWait: 2)
        metrics.attemptStarted(queueWait: 0)
        metrics.attemptFinished(phase: "succeeded")
        metrics.attemptFinished(phase: "failed")
        metrics.attemptFinished(phase: "timedOut")
        metrics.attemptFinished(phase: "cancelled")
        metrics.setTasks(byPhase: ["running": 4, "pending": 1])
        metrics.setTasks(byPhase: ["running": 2, "succeeded": 3])
        metrics.setAnomalies(1)
        metrics.webhook(accepted: true)
        metrics.webhook(accepted: false)
        metrics.webhook(accepted: false)
        let s = samples(metrics.render())
        #expect(s[#"sluice_passes_total{result="ok"}"#] == "2")
        #expect(s[#"sluice_passes_total{result="failed"}"#] == "1")
        #expect(s[#"sluice_pass_duration_seconds_bucket{le="0.5"}"#] == "1")
        #expect(s[#"sluice_pass_duration_seconds_bucket{le="5"}"#] == "1")
        #expect(s[#"sluice_pass_duration_seconds_bucket{le="10"}"#] == "2")
        #expect(s[#"sluice_pass_duration_seconds_bucket{le="600"}"#] == "2")
        #expect(s[#"sluice_pass_duration_seconds_bucket{le="+Inf"}"#] == "3")
        #expect(s["sluice_pass_duration_seconds_sum"] == "710.3")
        #expect(s["sluice_pass_duration_seconds_count"] == "3")
        #expect(s[#"sluice_git_fetch_duration_seconds_bucket{le="0.05"}"#] == "1")
        #expect(s["sluice_attempts_started_total"] == "2")
        #expect(s[#"sluice_queue_wait_seconds_bucket{le="0.1"}"#] == "1")
        #expect(s[#"sluice_queue_wait_seconds_bucket{le="5"}"#] == "2")
        #expect(s[#"sluice_attempts_finished_total{phase="failed"}"#] == "1")
        #expect(s[#"sluice_attempts_finished_total{phase="timedOut"}"#] == "1")
        #expect(s[#"sluice_attempts_finished_total{phase="succeeded"}"#] == "1")
        #expect(s["sluice_task_failures_total"] == "2")
        #expect(s[#"sluice_tasks{phase="running"}"#] == "2")
        #expect(s[#"sluice_tasks{phase="succeeded"}"#] == "3")
        #expect(s[#"sluice_tasks{phase="pending"}"#] == nil, "setTasks replaces the previous phases")
        #expect(s["sluice_anomalous_attempts"] == "1")
        #expect(s[#"sluice_webhooks_total{result="accepted"}"#] == "1")
        #expect(s[#"sluice_webhooks_total{result="refused"}"#] == "2")
    }

    @Test func labelValuesAreEscaped() {
        let metrics = ControllerMetrics()
        metrics.attemptFinished(phase: "odd\"phase\\\n")
        #expect(metrics.render().contains(#"sluice_attempts_finished_total{phase="odd\"phase\\\n"} 1"#))
    }

    @Test func servedAtMetricsWithTheWebhookCounts() async throws {
        let metrics = ControllerMetrics()
        let body = Fixture.pushBody()
        try await makeServer(TestBackend(), metrics: metrics).test(.router) { client in
            try await client.execute(uri: "/hooks/git", method: .post, headers: [WebhookVerifier.gitlabToken: "It's a Secret to Everybody"],
                                     body: ByteBuffer(bytes: body))
            try await client.execute(uri: "/hooks/git", method: .post, headers: [WebhookVerifier.gitlabToken: "guess"],
                                     body: ByteBuffer(bytes: body))
            try await client.execute(uri: "/hooks/git", method: .post, body: ByteBuffer(bytes: body))
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            let s = samples(response.text)
            #expect(s[#"sluice_webhooks_total{result="accepted"}"#] == "1")
            #expect(s[#"sluice_webhooks_total{result="refused"}"#] == "2")
        }
    }
}
