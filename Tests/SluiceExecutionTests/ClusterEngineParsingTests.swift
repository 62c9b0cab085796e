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

    @Test func gresCountsGPUs() {
        #expect(SlurmEngine.gpus(inGRES: "(null)") == 0)
        #expect(SlurmEngine.gpus(inGRES: "gpu:2") == 2)
        #expect(SlurmEngine.gpus(inGRES: "gpu:a100:4(S:0-1),gpu:t4:1,shard:8") == 5)
    }

    @Test func rayJobsAreReadWithTheirErrorType() {
        #expect(RayEngine.job(["submission_id": "s", "status": "PENDING"])?.phase == .queued)
        #expect(RayEngine.job(["submission_id": "s", "status": "STOPPED"]).map { isEnded($0.phase) } == true)
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

    @Test func jobScriptsQuoteEverything() {
        #expect(ClusterFiles.quoted("it's $HOME") == #"'it'\''s $HOME'"#)
    }
}
