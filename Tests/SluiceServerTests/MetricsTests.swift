import Foundation
import Hummingbird
import HummingbirdTesting
import Metrics
import Testing
@testable import SluiceServer

@Suite struct MetricsTests {
    /// The sample lines of a rendering, `name{labels}` → value.
    func samples(_ text: String) -> [String: String] {
        var samples: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            samples[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        return samples
    }

    @Test func sluicesFamiliesHaveHelpAndType() {
        let metrics = ControllerMetrics(version: "1.2.3", commit: "abc")
        metrics.passFinished(duration: 1, failed: false)
        metrics.attemptFinished(workflow: "w", phase: "failed", duration: 3)
        metrics.workflow("w", phase: "failed", lastSuccess: nil)
        let text = metrics.render()
        let families: [(String, String)] = [
            ("sluice_passes_total", "counter"), ("sluice_pass_duration_seconds", "histogram"), ("sluice_attempts_started_total", "counter"),
            ("sluice_attempts_finished_total", "counter"), ("sluice_task_failures_total", "counter"), ("sluice_task_duration_seconds", "histogram"),
            ("sluice_anomalous_attempts", "gauge"), ("sluice_webhooks_total", "counter"), ("sluice_workflow_phase", "gauge"),
            ("sluice_build_info", "gauge"), ("process_resident_memory_bytes", "gauge"), ("process_cpu_seconds_total", "counter"),
            ("process_start_time_seconds", "gauge"), ("process_open_fds", "gauge"),
        ]
        for (name, type) in families {
            #expect(text.contains("# TYPE \(name) \(type)\n"), "\(name)")
            #expect(text.contains("# HELP \(name) "), "\(name)")
        }
        #expect(text.contains(#"sluice_build_info{version="1.2.3",commit="abc"} 1"#))
    }

    @Test func countsWhatTheControllerRecordedPerWorkflow() {
        let metrics = ControllerMetrics()
        metrics.passFinished(duration: 0.3, failed: false)
        metrics.passFinished(duration: 10, failed: false)
        metrics.passFinished(duration: 700, failed: true)
        metrics.attemptStarted(queueWait: 2)
        metrics.attemptFinished(workflow: "nightly", phase: "succeeded", duration: 40)
        metrics.attemptFinished(workflow: "nightly", phase: "failed", duration: 2)
        metrics.attemptFinished(workflow: "serving", phase: "timedOut")
        metrics.setTasks(byPhase: ["running": 4, "pending": 1])
        metrics.setTasks(byPhase: ["running": 2, "succeeded": 3])
        metrics.webhook(accepted: false)
        let success = Date(timeIntervalSince1970: 1_796_000_000)
        metrics.workflow("nightly", phase: "running", lastSuccess: nil)
        metrics.workflow("nightly", phase: "succeeded", lastSuccess: success)
        metrics.service(workflow: "serving", task: "api", healthy: true)
        metrics.service(workflow: "serving", task: "api", healthy: false)
        let s = samples(metrics.render())
        #expect(s[#"sluice_passes_total{result="ok"}"#] == "2")
        #expect(s[#"sluice_passes_total{result="failed"}"#] == "1")
        #expect(s[#"sluice_pass_duration_seconds_bucket{le="10.0"}"#] == "2")
        #expect(s[#"sluice_pass_duration_seconds_bucket{le="+Inf"}"#] == "3")
        #expect(s["sluice_pass_duration_seconds_count"] == "3")
        #expect(s["sluice_attempts_started_total"] == "1")
        #expect(s[#"sluice_attempts_finished_total{workflow="nightly",phase="failed"}"#] == "1")
        #expect(s[#"sluice_task_failures_total{workflow="nightly"}"#] == "1")
        #expect(s[#"sluice_task_failures_total{workflow="serving"}"#] == "1")
        #expect(s[#"sluice_task_duration_seconds_count{workflow="nightly"}"#] == "2")
        #expect(s[#"sluice_tasks{phase="running"}"#] == "2.0")
        #expect(s[#"sluice_tasks{phase="pending"}"#] == "0.0", "a phase left out goes to zero")
        #expect(s[#"sluice_webhooks_total{result="refused"}"#] == "1")
        #expect(s[#"sluice_webhooks_total{result="accepted"}"#] == "0")
        #expect(s[#"sluice_workflow_phase{workflow="nightly",phase="succeeded"}"#] == "1.0")
        #expect(s[#"sluice_workflow_phase{workflow="nightly",phase="running"}"#] == "0.0")
        #expect(s[#"sluice_workflow_last_success_timestamp_seconds{workflow="nightly"}"#].flatMap(Double.init) == 1_796_000_000)
        #expect(s[#"sluice_service_healthy{workflow="serving",task="api"}"#] == "0.0")
        // Read from /proc at the scrape: this process has started and uses memory.
        #expect((s["process_resident_memory_bytes"].flatMap(Double.init) ?? 0) > 1_000_000)
        #expect((s["process_start_time_seconds"].flatMap(Double.init) ?? 0) > 1_700_000_000)
    }

    @Test func labelValuesAreEscaped() {
        let metrics = ControllerMetrics()
        metrics.attemptFinished(workflow: "odd\"name\\\n", phase: "failed")
        #expect(metrics.render().contains(#"sluice_task_failures_total{workflow="odd\"name\\\n"} 1"#))
    }

    /// Hummingbird's metrics middleware records into the same registry, with the route and status as labels.
    @Test func servedAtMetricsWithTheWebhookAndHTTPCounts() async throws {
        let metrics = ControllerMetrics()
        let body = Fixture.pushBody()
        try await withMetricsFactory(metrics.factory) {
            try await makeServer(TestBackend(), metrics: metrics).test(.router) { client in
                try await client.execute(uri: "/hooks/git", method: .post, headers: [WebhookVerifier.gitlabToken: "It's a Secret to Everybody"],
                                         body: ByteBuffer(bytes: body))
                try await client.execute(uri: "/hooks/git", method: .post, headers: [WebhookVerifier.gitlabToken: "guess"],
                                         body: ByteBuffer(bytes: body))
                try await client.execute(uri: "/api/v1/workflows", method: .get)
                let response = try await client.execute(uri: "/metrics", method: .get)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let s = samples(response.text)
                #expect(s[#"sluice_webhooks_total{result="accepted"}"#] == "1")
                #expect(s[#"sluice_webhooks_total{result="refused"}"#] == "1")
                #expect(s[#"hb_requests{http_route="/api/v1/workflows",http_request_method="GET",http_response_status_code="200"}"#] == "1", "\(response.text)")
            }
        }
    }
}
