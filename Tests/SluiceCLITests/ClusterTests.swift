import Foundation
import SluiceExecution
import Testing

/// The Slurm and Ray executors on real local clusters, through the real binary. Every count of jobs is read from the
/// engine's own records (Slurm's accounting, Ray's job list), not from Sluice's.
@Suite(.serialized, .enabled(if: TestCluster.slurm.enabled, TestCluster.slurm.skipNote))
struct SlurmExecutorTests {
    @Test func aDiamondRunsWithOutputsFlowingBetweenJobs() throws { try ClusterScenarios.diamond(on: .slurm) }
    @Test func retriesAndATimeout() throws { try ClusterScenarios.retriesAndTimeout(on: .slurm) }
    @Test func aTaskNoLongerDesiredIsCancelledOnTheCluster() throws { try ClusterScenarios.cancel(on: .slurm) }
    @Test func aTaskThatFitsNoNodeIsRefusedAtPlanTime() throws { try ClusterScenarios.fitsNoNode(on: .slurm) }
    @Test func killedMidJobTheNextRunAdoptsAndSubmitsNothingTwice() throws { try ClusterScenarios.crash(on: .slurm) }
    @Test func aKilledControllerRestartsWithoutSubmittingTwice() throws { try ClusterScenarios.crash(on: .slurm, controller: true) }
    @Test func theDemoRunsOnTheCluster() throws { try ClusterScenarios.demo(on: .slurm) }
    @Test func theProbeSaysWhatTheNodesMustShare() throws { try ClusterScenarios.probe(on: .slurm) }

    /// Sluice is killed right after submitting; while it is down, the job dies with its supervisor (SIGKILL, as when
    /// its node is lost, so nothing is recorded) and Slurm drops it from `squeue` (MinJobAge=2 on the test cluster).
    /// The next run must find the job in Slurm's accounting and record how it ended, never submit that attempt again;
    /// the task is then retried as a new attempt (each `apply` gets its own retries), which here succeeds at once.
    @Test func aJobEndedWhileSluiceWasDownIsReadFromAccountingNotRunAgain() throws {
        let cluster = TestCluster.slurm
        try ClusterScenarios.requireUp(cluster)
        let (folder, state) = try clusterRepository(cluster, workflow: "gone", tasks: """
                - {name: long, run: '[ "$SLUICE_ATTEMPT" != 1 ] || sleep 60', retries: 0, resources: {cpu: 1}}
            """)
        let arguments = ["apply", "--repo", folder.url.path, "--state", state.path]
        let first = try RunningSluice(arguments, logIn: folder.url, environment: ["SLUICE_FAULT": "submitted"])
        #expect(eventually(timeout: 60) { processState(first.process.processIdentifier) == "T" }, "never submitted: \(first.output)")
        first.kill9()
        let attempt = try #require(attemptFolders(state, "gone", "long").first)
        let name = "sluice-" + attempt
        let lock = state.appendingPathComponent("attempts/gone/long/\(attempt)/supervisor.lock")
        var claim: [Int32] = []
        #expect(eventually(timeout: 30) {
            claim = ((try? String(contentsOf: lock, encoding: .utf8)) ?? "").split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
            return claim.count >= 2
        }, "the task never started")
        let job = try run("/usr/bin/env", ["squeue", "-h", "--name=\(name)", "-o", "%i"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(!job.isEmpty && claim.count >= 2)
        kill(-claim[1], SIGKILL)   // the task's process group
        kill(claim[0], SIGKILL)    // its supervisor
        #expect(eventually(timeout: 30) {
            (try? run("/usr/bin/env", ["squeue", "-h", "-t", "all", "--name=\(name)", "-o", "%i"]))?.stdout
                .trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == true
        }, "Slurm kept the job in squeue")

        let second = try run(sluiceBinaryPath, arguments)
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(second.stdout.contains("attempt 1 failed: Slurm job \(job) failed on signal 9"), "the engine's reason: \(second.stdout)")
        #expect(try cluster.jobNames().filter { $0 == name }.count == 1, "attempt 1 was submitted again")
        #expect(attemptFolders(state, "gone", "long").count == 2)
    }
}

@Suite(.serialized, .enabled(if: TestCluster.ray.enabled, TestCluster.ray.skipNote))
struct RayExecutorTests {
    @Test func aDiamondRunsWithOutputsFlowingBetweenJobs() throws { try ClusterScenarios.diamond(on: .ray) }
    @Test func retriesAndATimeout() throws { try ClusterScenarios.retriesAndTimeout(on: .ray) }
    @Test func aTaskNoLongerDesiredIsCancelledOnTheCluster() throws { try ClusterScenarios.cancel(on: .ray) }
    @Test func aTaskThatFitsNoNodeIsRefusedAtPlanTime() throws { try ClusterScenarios.fitsNoNode(on: .ray) }
    @Test func killedMidJobTheNextRunAdoptsAndSubmitsNothingTwice() throws { try ClusterScenarios.crash(on: .ray) }
    @Test func aKilledControllerRestartsWithoutSubmittingTwice() throws { try ClusterScenarios.crash(on: .ray, controller: true) }
    @Test func theDemoRunsOnTheCluster() throws { try ClusterScenarios.demo(on: .ray) }
    @Test func theProbeSaysWhatTheNodesMustShare() throws { try ClusterScenarios.probe(on: .ray) }
}

enum ClusterScenarios {
    /// a → (b, c) → d, each job reading its needs' outputs through SLUICE_INPUT_*; d also asks for bandwidth, which
    /// becomes a Slurm license or a Ray custom resource, and prints a secret, which its log must mask.
    static let diamond = """
            - {name: a, run: 'echo 1 > "$SLUICE_OUTPUT/n"', resources: {cpu: 1, memory: 64Mi}}
            - {name: b, needs: [a], run: 'echo $(( $(cat "$SLUICE_INPUT_A/n") + 1 )) > "$SLUICE_OUTPUT/n"', resources: {cpu: 1, memory: 64Mi}}
            - {name: c, needs: [a], run: 'echo $(( $(cat "$SLUICE_INPUT_A/n") + 2 )) > "$SLUICE_OUTPUT/n"', resources: {cpu: 1, memory: 64Mi}}
            - name: d
              needs: [b, c]
              run: 'echo "sum $(( $(cat "$SLUICE_INPUT_B/n") + $(cat "$SLUICE_INPUT_C/n") )) on $SLUICE_TASK, token $TOKEN"'
              resources: {cpu: 1, memory: 64Mi, bandwidth: 10Mbps}
              secrets: {TOKEN: api-token}
        """

    static func demo(on cluster: TestCluster) throws {
        try requireUp(cluster)
        let demo = try sluice("demo", "--pool", cluster.rawValue)
        #expect(demo.status == 0, "\(demo.stdout)\(demo.stderr)")
        #expect(demo.stdout.contains("On \(cluster == .slurm ? "Slurm" : cluster.engineName)"), "\(demo.stdout)")
        #expect(demo.stdout.contains("customer-service: succeeded — 4 succeeded, 0 failed"), "\(demo.stdout)")
        // evaluate's metrics.json was written on a node, and read back through the shared state directory.
        #expect(demo.stdout.range(of: #"customer-service/evaluate +accuracy +0\.\d+"#, options: .regularExpression) != nil, "\(demo.stdout)")
    }

    /// A supervisor the nodes cannot run (as when the state directory is not shared): the first start fails with the
    /// probe's message, and no job of the attempt reaches the engine.
    static func probe(on cluster: TestCluster) throws {
        try requireUp(cluster)
        let folder = try TemporaryFolder()
        let engine: any ClusterEngine = cluster == .slurm ? SlurmEngine(partition: "debug") : RayEngine(address: URL(string: TestCluster.rayAddress)!)
        let executor = ClusterExecutor(engine: engine, supervisor: "/nonexistent/sluice-supervisor",
                                       probeDirectory: folder.url.appendingPathComponent("probes").path)
        let attempt = AttemptHandle(id: 1, directory: folder.url.appendingPathComponent("attempt-\(UUID().uuidString.prefix(8))").path)
        do {
            try executor.start(AttemptSpec(command: "true", workingDirectory: "/"), for: attempt)
            Issue.record("the start succeeded without a supervisor the nodes can run")
        } catch let error as ExecutionError {
            #expect(error.message.contains("cannot run /nonexistent/sluice-supervisor"), "\(error)")
            #expect(error.message.contains("must be on a filesystem that the nodes of \(engine.name) share"), "\(error)")
        }
        #expect(try !cluster.jobNames().contains(ClusterExecutor.submissionID(attempt)))
    }

    static func requireUp(_ cluster: TestCluster) throws {
        try #require(cluster.isUp, "\(cluster.rawValue) does not answer: start it with scripts/clusters/\(cluster.rawValue)-up.sh")
    }

    /// A folder holding the diamond's secret, as `--secrets-dir` reads it.
    static func secrets(in folder: TemporaryFolder) throws -> String {
        try folder.write("secrets/api-token", secretValue)
        return folder.url.appendingPathComponent("secrets").path
    }

    static let secretValue = "tok-\(UUID().uuidString)"

    static func diamond(on cluster: TestCluster) throws {
        try requireUp(cluster)
        let (folder, state) = try clusterRepository(cluster, workflow: "diamond", tasks: diamond)
        let secrets = try secrets(in: folder)
        let applied = try sluice("apply", "--repo", folder.url.path, "--state", state.path, "--secrets-dir", secrets)
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        #expect(applied.stdout.contains("diamond: succeeded — 4 succeeded, 0 failed"), "\(applied.stdout)")
        let logs = try sluice("logs", "diamond/d", "--state", state.path)
        #expect(logs.stdout.contains("sum 5 on d, token ***"), "\(logs.stdout)\(logs.stderr)")
        // The secret reached the job through its mode-0600 environment file, which the job deleted once read: no file of
        // the attempt, the job script included, holds it, nor does the engine.
        let attempt = state.appendingPathComponent("attempts/diamond/d/\(try #require(attemptFolders(state, "diamond", "d").first))")
        #expect(!FileManager.default.fileExists(atPath: attempt.appendingPathComponent("job.env").path))
        for file in try FileManager.default.contentsOfDirectory(atPath: attempt.path) {
            let text = String(decoding: (try? Data(contentsOf: attempt.appendingPathComponent(file))) ?? Data(), as: UTF8.self)
            #expect(!text.contains(secretValue), "\(file) holds the secret")
        }
        if cluster == .ray {
            let job = try run("/usr/bin/env", ["curl", "-sf", "\(TestCluster.rayAddress)/api/jobs/"])
            #expect(!job.stdout.contains(secretValue), "Ray's job list shows the secret")
        }
        for task in ["a", "b", "c", "d"] {
            #expect(try engineJobs(cluster, state, "diamond", task) == 1, "task \(task)")
        }
        // Applying again runs nothing: every output is already there.
        let again = try sluice("apply", "--repo", folder.url.path, "--state", state.path, "--secrets-dir", secrets)
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        for task in ["a", "b", "c", "d"] {
            #expect(try engineJobs(cluster, state, "diamond", task) == 1, "task \(task) after a second apply")
        }
    }

    static func retriesAndTimeout(on cluster: TestCluster) throws {
        try requireUp(cluster)
        let counter = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-flaky-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let (folder, state) = try clusterRepository(cluster, workflow: "edges", tasks: """
                - {name: flaky, run: 'n=$(cat \(counter) 2>/dev/null || echo 0); echo $((n + 1)) > \(counter); [ "$n" -ge 1 ]', retries: 2, resources: {cpu: 1}}
                - {name: slow, run: 'sleep 60', timeout: 2s, retries: 0, resources: {cpu: 1}}
            """)
        let applied = try sluice("apply", "--repo", folder.url.path, "--state", state.path)
        #expect(applied.status == 1, "\(applied.stdout)\(applied.stderr)")
        let status = try sluice("status", "edges", "--state", state.path, "--output", "json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
        let tasks = try #require(json.first?["tasks"] as? [[String: Any]])
        let flaky = try #require(tasks.first { $0["name"] as? String == "flaky" })
        let slow = try #require(tasks.first { $0["name"] as? String == "slow" })
        #expect(flaky["phase"] as? String == "succeeded")
        #expect(flaky["attempts"] as? Int == 2)
        #expect(slow["phase"] as? String == "timedOut", "\(slow)")
        #expect(applied.stdout.contains("timed out after 2s"), "\(applied.stdout)")
        #expect(try engineJobs(cluster, state, "edges", "flaky") == 2)
        #expect(try engineJobs(cluster, state, "edges", "slow") == 1)
    }

    /// A long job runs under the controller; a commit removes its task, and the job is stopped on the cluster.
    static func cancel(on cluster: TestCluster) throws {
        try requireUp(cluster)
        let (folder, state) = try clusterRepository(cluster, workflow: "long", tasks: """
                - {name: sleeper, run: 'sleep 300', resources: {cpu: 1}}
                - {name: quick, run: 'true', resources: {cpu: 1}}
            """)
        let controller = try RunningController(repo: folder.url, state: state)
        defer { controller.stop() }
        var job: String?
        #expect(eventually(timeout: 60) {
            guard let attempt = attemptFolders(state, "long", "sleeper").first else { return false }
            job = try? cluster.jobNames().first { $0.hasSuffix("-" + attempt) }
            return job.flatMap { try? cluster.state(of: $0) } == "RUNNING"
                && FileManager.default.fileExists(atPath: state.appendingPathComponent("attempts/long/sleeper/\(attempt)/supervisor.lock").path)
        }, "the sleeper never ran: \(controller.output)")
        let name = try #require(job)
        try folder.write("pipeline.yaml", try String(contentsOf: folder.url.appendingPathComponent("pipeline.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "    - {name: sleeper, run: 'sleep 300', resources: {cpu: 1}}\n", with: ""))
        try commitAll(in: folder.url)
        #expect(eventually(timeout: 60) {
            // Ended, however the engine words it: the supervisor stops the task and exits, or the engine stops the job.
            !["", "PENDING", "RUNNING", "COMPLETING", "CONFIGURING"].contains((try? cluster.state(of: name)) ?? "")
        }, "the job was not stopped: \((try? cluster.state(of: name)) ?? "?")\n\(controller.output)")
        let attempt = try #require(attemptFolders(state, "long", "sleeper").first)
        let result = state.appendingPathComponent("attempts/long/sleeper/\(attempt)/result.json")
        #expect(eventually(timeout: 20) { FileManager.default.fileExists(atPath: result.path) })
        let recorded = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: result)) as? [String: Any])
        #expect(recorded["cancelled"] as? Bool == true, "\(recorded)\n\(controller.output)")
    }

    static func fitsNoNode(on cluster: TestCluster) throws {
        try requireUp(cluster)
        let (folder, state) = try clusterRepository(cluster, workflow: "big", tasks: """
                - {name: fine, run: 'true', resources: {cpu: 1}}
                - {name: huge, run: 'true', resources: {cpu: 512, memory: 1Ti}}
            """)
        let planned = try sluice("plan", "--repo", folder.url.path, "--state", state.path)
        #expect(planned.status != 0)
        #expect((planned.stdout + planned.stderr).contains(
            "pipeline.yaml:14:44: task 'huge' fits on no node of pool 'cluster' (nodes read from \(cluster.engineName)): it needs cpu 512"),
                "\(planned.stdout)\(planned.stderr)")
        let applied = try sluice("apply", "--repo", folder.url.path, "--state", state.path)
        #expect(applied.status != 0)
        #expect((applied.stdout + applied.stderr).contains("task 'huge' fits on no node of pool 'cluster'"), "\(applied.stdout)\(applied.stderr)")
    }

    /// `sluice apply`, or `sluice controller`, killed twice: once right after the engine accepted a job (before
    /// Sluice wrote down its id), once while jobs run. The third run finishes the diamond, and the engine ran exactly
    /// one job per task.
    static func crash(on cluster: TestCluster, controller: Bool = false) throws {
        try requireUp(cluster)
        let slowDiamond = diamond.replacingOccurrences(of: "run: 'echo", with: "run: 'sleep 2; echo")
        let (folder, state) = try clusterRepository(cluster, workflow: "diamond", tasks: slowDiamond)
        let secrets = try secrets(in: folder)
        let arguments = ["apply", "--repo", folder.url.path, "--state", state.path, "--secrets-dir", secrets]
        /// A run in the background: its pid, its output, and how to SIGKILL it.
        func launch(fault: Bool = false) throws -> (pid: Int32, output: () -> String, kill9: () -> Void) {
            let environment = fault ? ["SLUICE_FAULT": "submitted"] : [:]
            if controller {
                let running = try RunningController(repo: folder.url, state: state, arguments: ["--secrets-dir", secrets], environment: environment)
                return (running.process.processIdentifier, { running.output }, running.kill9)
            }
            let running = try RunningSluice(arguments, logIn: folder.url, environment: environment)
            return (running.process.processIdentifier, { running.output }, running.kill9)
        }

        let first = try launch(fault: true)
        #expect(eventually(timeout: 60) { processState(first.pid) == "T" }, "never submitted: \(first.output())")
        first.kill9()
        let submitted = try #require(attemptFolders(state, "diamond", "a").first)
        #expect(!FileManager.default.fileExists(atPath: state.appendingPathComponent("attempts/diamond/a/\(submitted)/job.id").path))
        #expect(try engineJobs(cluster, state, "diamond", "a") == 1, "the engine has the job Sluice did not write down")

        let second = try launch()
        #expect(eventually(timeout: 90) {
            (try? engineJobs(cluster, state, "diamond", "b")) == 1 && (try? engineJobs(cluster, state, "diamond", "c")) == 1
        }, "b and c were never submitted: \(second.output())")
        second.kill9()

        if controller {
            let third = try RunningController(repo: folder.url, state: state, arguments: ["--secrets-dir", secrets])
            defer { third.stop() }
            #expect(eventually(timeout: 90) { statusLog(folder.url).first?.hasPrefix("diamond: 4 succeeded, 0 failed") == true },
                    "\(statusLog(folder.url))\n\(third.output)")
        } else {
            let third = try run(sluiceBinaryPath, arguments)
            #expect(third.status == 0, "\(third.stdout)\(third.stderr)")
        }
        let status = try sluice("status", "diamond", "--state", state.path, "--output", "json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
        let tasks = try #require(json.first?["tasks"] as? [[String: Any]])
        for task in ["a", "b", "c", "d"] {
            #expect(tasks.first { $0["name"] as? String == task }?["attempts"] as? Int == 1, "task \(task) was attempted more than once")
            #expect(try engineJobs(cluster, state, "diamond", task) == 1, "task \(task) ran more than once on the engine")
        }
        let logs = try sluice("logs", "diamond/d", "--state", state.path)
        #expect(logs.stdout.contains("sum 5 on d"), "\(logs.stdout)\(logs.stderr)")
    }
}
