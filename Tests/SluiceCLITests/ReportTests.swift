import Foundation
import Testing

/// `sluice report` and the run report on the status branch, through the real binary.
@Suite struct ReportTests {
    @Test func theRunReportMeasuresMakespanCostUtilisationAndRetries() throws {
        let folder = try TemporaryFolder()
        let scratch = try TemporaryFolder()
        // One cpu-second costs 1: the cost is the cpu-seconds the attempts held.
        try folder.write("sluice.yaml", controllerManifest("""
            - {name: a, run: sleep 1, resources: {cpu: 1}}
            - {name: b, run: sleep 1.0, resources: {cpu: 1}}
            - name: flaky
              needs: [a, b]
              retries: 1
              run: if [ -f \(scratch.url.path)/once ]; then exit 0; fi; touch \(scratch.url.path)/once; exit 1
        """, capacity: "{cpu: 2, memory: 4Gi}").replacingOccurrences(of: "  nodes: [{name: n1", with: "  cost: {cpu: 3600}\n  nodes: [{name: n1"))
        try commitAll(in: folder.url, initialize: true)
        let stateFolder = try TemporaryFolder()
        let state = stateFolder.url.path
        let applied = try sluice("apply", "--repo", folder.url.path, "--state", state)
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")

        let result = try sluice("report", "w", "--repo", folder.url.path, "--state", state, "--output", "json")
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["attempts"] as? Int == 4)
        let actual = try #require(report["actualMakespan"] as? Double)
        let planned = try #require(report["plannedMakespan"] as? Double)
        let bound = try #require(report["lowerBound"] as? Double)
        #expect(actual >= 1 && planned > 0 && bound > 0 && bound <= planned + 1e-9)
        // a and b ran side by side on the node's two cpus.
        let status = try sluice("status", "w", "--state", state, "--output", "json")
        let tasks = try #require((try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])?.first?["tasks"] as? [[String: Any]])
        let cpuSeconds = tasks.filter { ["a", "b"].contains($0["name"] as? String) }.compactMap { $0["durationMilliseconds"] as? Int }.reduce(0, +)
        #expect(abs((report["actualCost"] as? Double ?? 0) - Double(cpuSeconds) / 1000) < 0.01)
        let utilisation = try #require((report["utilisation"] as? [[String: Any]])?.first)
        #expect(utilisation["node"] as? String == "n1")
        let cpu = try #require((utilisation["resources"] as? [String: Double])?["cpu"])
        #expect(abs(cpu - Double(cpuSeconds) / 1000 / (2 * actual)) < 0.01)
        #expect((report["anomalies"] as? [String])?.contains("flaky needed 2 attempts") == true)
        let slowest = try #require(report["slowest"] as? [[String: Any]])
        #expect(Set(slowest.prefix(2).compactMap { $0["task"] as? String }) == ["a", "b"])

        let markdown = try sluice("report", "w", "--repo", folder.url.path, "--state", state)
        #expect(markdown.stdout.hasPrefix("# Run report"))
        let page = try run("/usr/bin/git", ["-C", folder.url.path, "show", "sluice/status:workflows/w/README.md"]).stdout
        #expect(page.contains("## Run report"))
        #expect(page.contains("| node | cpu | memory |"))
        #expect(page.contains("- ⚠️ flaky needed 2 attempts"))

        let unknown = try sluice("report", "nope", "--repo", folder.url.path, "--state", state)
        #expect(unknown.status == 3)
        #expect(unknown.stderr.contains("no workflow 'nope'"))
    }
}
