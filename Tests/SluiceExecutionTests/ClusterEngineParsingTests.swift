import Foundation
import Testing
@testable import SluiceExecution

/// How the engines' answers and Sluice's resources are translated, on the texts the engines print (recorded from
/// Slurm 22.05 and Ray 2.60; see docs/clusters.md). The real clusters are exercised by the CLI tests.
@Suite struct ClusterEngineParsingTests {
    @Test func resourcesBecomeSbatchFlags() {
        #expect(SlurmEngine.resourceFlags(["cpu": 1.5, "memory": 100 * 1_048_576 + 1, "gpu": 2, "bandwidth": 10_500_000, "fpga": 0.5]) == [
            "--cpus-per-task=2", "--mem=101M", "--gres=gpu:2", "--licenses=bandwidth:11,fpga:1",
        ])
        #expect(SlurmEngine.resourceFlags([:]) == ["--cpus-per-task=1"])
    }

    @Test func resourcesBecomeRayEntrypointFields() {
        let fields = RayEngine.resourceFields(["cpu": 0.5, "memory": 2_147_483_648, "gpu": 1, "bandwidth": 100_000_000, "fpga": 2])
        #expect(fields["entrypoint_num_cpus"] as? Double == 0.5)
        #expect(fields["entrypoint_num_gpus"] as? Double == 1)
        #expect(fields["entrypoint_memory"] as? Int == 2_147_483_648)
        #expect(fields["entrypoint_resources"] as? [String: Double] == ["bandwidth": 100, "fpga": 2])
    }

    @Test func squeueLinesAreReadByJobName() {
        let jobs = SlurmEngine.parseQueue("""
            12|sluice-3-abc|RUNNING|None
            13|sluice-4-def|PENDING|Resources
            14|sluice-5-ghi|OUT_OF_MEMORY|OutOfMemory
            garbage
            """)
        #expect(jobs["sluice-3-abc"] == ClusterJob(id: "12", phase: .running))
        #expect(jobs["sluice-4-def"] == ClusterJob(id: "13", phase: .queued))
        guard case .ended(let end)? = jobs["sluice-5-ghi"]?.phase else {
            Issue.record("an OUT_OF_MEMORY job has ended")
            return
        }
        #expect(end.reason == "Slurm killed job 14: it used more memory than it asked for (OUT_OF_MEMORY); raise its memory")
        #expect(jobs.count == 3)
    }

    @Test func everySlurmEndHasAReason() {
        func end(_ state: String, exit: Int32? = nil) -> ClusterEnd? {
            if case .ended(let end) = SlurmEngine.phase(state: state, reason: "", exitCode: exit, job: "7") { return end }
            return nil
        }
        #expect(end("TIMEOUT")?.timedOut == true)
        #expect(end("CANCELLED by 0")?.cancelled == true)
        #expect(end("NODE_FAIL")?.reason == "the node of Slurm job 7 failed (NODE_FAIL)")
        #expect(end("PREEMPTED")?.reason == "Slurm preempted job 7 for other work (PREEMPTED)")
        #expect(end("FAILED", exit: 3)?.reason == "Slurm job 7 failed with exit code 3")
        #expect(end("COMPLETED")?.exitCode == 0)
        for waiting in ["PENDING", "CONFIGURING", "REQUEUED", "SUSPENDED"] {
            #expect(SlurmEngine.phase(state: waiting, reason: "", exitCode: nil, job: "7") == .queued)
        }
    }

    @Test func exitCodesAndSignalsAreToldApart() {
        #expect(SlurmEngine.exitCode("3:0") == (3, nil))
        #expect(SlurmEngine.exitCode("0:9") == (nil, 9))
        #expect(SlurmEngine.exitCode("0:0") == (0, nil))
        guard case .ended(let end) = SlurmEngine.phase(state: "FAILED", reason: "", exitCode: nil, signal: 9, job: "7") else {
            Issue.record("FAILED has ended")
            return
        }
        #expect(end.reason == "Slurm job 7 failed on signal 9")
        #expect(!end.looksSuccessful)
    }

    @Test func aJobSlurmWillNeverStartEndsWithItsReason() {
        guard case .ended(let end) = SlurmEngine.phase(state: "PENDING", reason: "PartitionTimeLimit", exitCode: nil, job: "7") else {
            Issue.record("a hopeless pending job has ended")
            return
        }
        #expect(end.stillQueued)
        #expect(end.reason.hasPrefix("Slurm will never start job 7 (PartitionTimeLimit)"))
        #expect(SlurmEngine.phase(state: "PENDING", reason: "Resources", exitCode: nil, job: "7") == .queued)
    }

    @Test func theFirstResultRecordedStays() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-record-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let executor = ClusterExecutor(engine: RayEngine(address: URL(string: "http://127.0.0.1:1")!), supervisor: "/bin/true",
                                       probeDirectory: folder.path)
        let files = ClusterFiles(folder.path)
        let now = Date()
        let first = executor.record(AttemptResult(exitCode: 0, startedAt: now, endedAt: now), in: files)
        let second = executor.record(AttemptResult(exitCode: nil, cancelled: true, startedAt: now, endedAt: now), in: files)
        #expect(first.succeeded)
        #expect(second == first, "a later result must not replace the supervisor's")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["result.json"])
    }

    @Test func accountingFindsTheJobByItsExactName() {
        let output = """
            41|sluice-a|COMPLETED|0:0
            42|sluice-ab|FAILED|3:0
            43|sluice-a|CANCELLED by 0|0:15
            """
        let job = SlurmEngine.parseAccounting(output, submissionID: "sluice-a")
        #expect(job?.id == "43")
        if case .ended(let end)? = job?.phase {
            #expect(end.cancelled)
        } else {
            Issue.record("a cancelled job has ended")
        }
        #expect(SlurmEngine.parseAccounting(output, submissionID: "sluice-abc") == nil)
        #expect(SlurmEngine.parseAccounting("Slurm accounting storage is disabled\n", submissionID: "sluice-a") == nil)
    }

    @Test func gresCountsGPUs() {
        #expect(SlurmEngine.gpus(inGRES: "(null)") == 0)
        #expect(SlurmEngine.gpus(inGRES: "gpu:2") == 2)
        #expect(SlurmEngine.gpus(inGRES: "gpu:a100:4(S:0-1),gpu:t4:1,shard:8") == 5)
    }

    @Test func rayJobsAreReadWithTheirErrorType() {
        #expect(RayEngine.job(["submission_id": "s", "status": "PENDING"])?.phase == .queued)
        #expect(RayEngine.job(["submission_id": "s", "status": "STOPPED"])?.phase.hasEnded == true)
        let failed = RayEngine.job(["submission_id": "s", "status": "FAILED", "error_type": "JOB_ENTRYPOINT_COMMAND_ERROR",
                                    "message": "Traceback…\nJob entrypoint command failed with exit code 3", "driver_exit_code": 3])
        guard case .ended(let end)? = failed?.phase else {
            Issue.record("a FAILED job has ended")
            return
        }
        #expect(end.exitCode == 3)
        #expect(end.reason == "Ray job s FAILED (JOB_ENTRYPOINT_COMMAND_ERROR): Job entrypoint command failed with exit code 3")
        let starved = RayEngine.job(["submission_id": "s", "status": "FAILED", "error_type": "JOB_SUPERVISOR_ACTOR_START_TIMEOUT"])
        if case .ended(let end)? = starved?.phase {
            #expect(end.reason.contains("waited for resources longer than RAY_JOB_START_TIMEOUT_SECONDS"))
        } else {
            Issue.record("a start timeout has ended")
        }
        #expect(RayEngine.job(["status": "RUNNING"]) == nil)
    }

    @Test func theJobEnvironmentIsPrivateAndTheScriptHoldsNoValue() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-job-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = ClusterFiles(folder.path)
        try files.writeJob(AttemptSpec(command: "echo $TOKEN", workingDirectory: "/", environment: ["A": "it's"],
                                       secrets: ["TOKEN": "s3cr3t"]), supervisor: "/shared/bin/sluice-supervisor")
        let mode = try FileManager.default.attributesOfItem(atPath: files.environment)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let environment = try String(contentsOfFile: files.environment, encoding: .utf8)
        #expect(environment.contains("export A='it'\\''s'\n") && environment.contains("export TOKEN='s3cr3t'\n"))
        let script = try String(contentsOfFile: files.script, encoding: .utf8)
        #expect(!script.contains("s3cr3t"))
        #expect(script.contains("rm -f '\(files.environment)'"))
        // Sourced the way the job does it, the file gives the values back and is gone afterwards.
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", ". '\(files.environment)' && rm -f '\(files.environment)' && test \"$A$TOKEN\" = \"it'ss3cr3t\""]
        try shell.run()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
    }

    @Test func jobScriptsQuoteEverything() {
        #expect(ClusterFiles.quoted("it's $HOME") == #"'it'\''s $HOME'"#)
    }
}
