import Foundation
import Testing

/// The engine under crashes and load, on the real binary.
@Suite(.serialized) struct EngineTests {
    /// The controller stops itself (SLUICE_FAULT) after recording an attempt and before starting its supervisor, and
    /// is SIGKILLed there. The next controller must start that attempt, once, without counting it as a failure.
    @Test func aControllerKilledInTheLaunchWindowLosesNothing() throws {
        let folder = try TemporaryFolder()
        let counter = folder.url.appendingPathComponent("runs.txt").path
        try folder.write("sluice.yaml", controllerManifest("""
            - {name: first, run: echo ran >> \(counter), retries: 0}
            - {name: second, needs: [first], run: echo after}
        """))
        try commitAll(in: folder.url, initialize: true)
        let state = folder.url.appendingPathComponent(".sluice")
        let first = try RunningController(repo: folder.url, state: state, environment: ["SLUICE_FAULT": "launch-window"])
        let pid = first.process.processIdentifier
        #expect(eventually { processState(pid) == "T" }, "the controller never reached the launch window: \(first.output)")
        let attempts = (try? FileManager.default.contentsOfDirectory(atPath: state.appendingPathComponent("attempts/w/first").path)) ?? []
        #expect(attempts.isEmpty, "no supervisor folder should exist yet: \(attempts)")
        first.kill9()
        #expect(!FileManager.default.fileExists(atPath: counter))

        let second = try RunningController(repo: folder.url, state: state)
        defer { second.stop() }
        #expect(eventually { statusLog(folder.url).first?.hasPrefix("w: 2 succeeded, 0 failed") == true }, "\(second.output)")
        #expect(try String(contentsOfFile: counter, encoding: .utf8) == "ran\n")
        let status = try sluice("status", "w", "--state", state.path, "--output", "json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
        let task = try #require((json.first?["tasks"] as? [[String: Any]])?.first { $0["name"] as? String == "first" })
        #expect(task["phase"] as? String == "succeeded")
        #expect(task["attempts"] as? Int == 1)
    }

    /// 1 → 200 → 1 on a node with 2 cpus: the tasks' own clocks show no moment with more than 2 of them running.
    @Test func aWideFanOutNeverExceedsTheNode() throws {
        let folder = try TemporaryFolder()
        let times = folder.url.appendingPathComponent("times")
        try FileManager.default.createDirectory(at: times, withIntermediateDirectories: true)
        let record = #"s=$(date +%s%N); sleep 0.02; echo "$s $(date +%s%N)" > ""# + times.path + #"/$SLUICE_TASK""#
        var tasks = ["    - {name: root, run: 'true', resources: {cpu: 1}}"]
        for index in 0..<200 {
            // `: N` makes each command, so each fingerprint, its own: twins would be run once and reused.
            tasks.append("    - {name: m\(index), needs: [root], run: ': \(index); \(record)', resources: {cpu: 1}}")
        }
        tasks.append("    - {name: sink, needs: [\((0..<200).map { "m\($0)" }.joined(separator: ", "))], run: 'true', resources: {cpu: 1}}")
        try folder.write("sluice.yaml", """
        apiVersion: sluice/v1
        kind: ResourcePool
        metadata: {name: local}
        spec:
          nodes: [{name: n1, capacity: {cpu: 2}}]
        ---
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: fan}
        spec:
          pool: local
          tasks:
        \(tasks.joined(separator: "\n"))
        """)
        try commitAll(in: folder.url, initialize: true)
        let applied = try sluice("apply", "--repo", folder.url.path, "--state", folder.url.appendingPathComponent(".sluice").path)
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")

        var edges: [(time: Int64, delta: Int)] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: times.path) {
            let fields = try String(contentsOf: times.appendingPathComponent(name), encoding: .utf8).split(separator: " ")
            let start = try #require(Int64(fields[0])), end = try #require(Int64(fields[1].trimmingCharacters(in: .whitespacesAndNewlines)))
            edges += [(start, 1), (end, -1)]
        }
        #expect(edges.count == 400)
        // Ends sort before starts at the same instant: a task that ends as another starts does not overlap it.
        edges.sort { ($0.time, $0.delta) < ($1.time, $1.delta) }
        var current = 0, most = 0
        for edge in edges {
            current += edge.delta
            most = max(most, current)
        }
        #expect(most <= 2, "at one moment \(most) tasks of 1 cpu ran on a node of 2 cpus")
        #expect(most == 2, "the node's 2 cpus were never used at once")
    }
}

extension EngineTests {
    /// Ten tasks with one fingerprint (same command, no inputs): one runs, the nine others reuse its outputs, even
    /// though all ten are ready at once and the node has room for all.
    @Test func twinsRunOnceAndTheRestReuseTheirOutputs() throws {
        let folder = try TemporaryFolder()
        let counter = folder.url.appendingPathComponent("runs.txt").path
        let tasks = (0..<10).map { "    - {name: t\($0), run: 'echo ran >> \(counter); sleep 0.2; echo out > \"$SLUICE_OUTPUT/o\"'}" }
        try folder.write("sluice.yaml", controllerManifest(tasks.joined(separator: "\n")))
        try commitAll(in: folder.url, initialize: true)
        let applied = try sluice("apply", "--repo", folder.url.path, "--state", folder.url.appendingPathComponent(".sluice").path)
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        #expect(try String(contentsOfFile: counter, encoding: .utf8) == "ran\n")
        #expect(applied.stdout.components(separatedBy: "cache hit").count - 1 == 9, "\(applied.stdout)")
    }
}

/// The state letter of `/proc/PID/stat` ("T" for stopped), or nil once the process is gone.
func processState(_ pid: Int32) -> String? {
    guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
    let text = String(decoding: data, as: UTF8.self)
    guard let close = text.lastIndex(of: ")") else { return nil }
    return text[text.index(after: close)...].split(separator: " ").first.map(String.init)
}
