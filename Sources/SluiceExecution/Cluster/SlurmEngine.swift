import Foundation

/// Slurm through its command-line tools (`sbatch`, `squeue`, `scontrol`, `sacct`, `scancel`, `sinfo`), which every
/// Slurm site has; `slurmrestd` often is not deployed.
public struct SlurmEngine: ClusterEngine {
    public var partition: String?
    public var account: String?
    public var qos: String?
    /// More `sbatch` flags from the pool's manifest.
    public var options: [String]

    public init(partition: String? = nil, account: String? = nil, qos: String? = nil, options: [String] = []) {
        self.partition = partition
        self.account = account
        self.qos = qos
        self.options = options
    }

    public var name: String { partition.map { "Slurm partition \($0)" } ?? "Slurm" }

    public func submit(_ submission: ClusterSubmission) throws -> String {
        let directory = submission.directory
        var arguments = ["--parsable", "--job-name=\(submission.submissionID)", "--comment=\(submission.label)",
                         "--output=\(directory)/stderr.log", "--error=\(directory)/stderr.log", "--open-mode=append",
                         "--chdir=\(directory)",
                         // Slurm would run a job again after a node failure or a preemption, in the same attempt
                         // folder and behind Sluice's back; Sluice retries it as a new attempt instead.
                         "--no-requeue"]
        arguments += Self.resourceFlags(submission.resources)
        if let timeout = submission.timeout {
            // Sluice's supervisor stops the task at its timeout and records it; Slurm's limit, a minute later, is
            // for a job whose supervisor cannot.
            arguments.append("--time=\(Int(((timeout + submission.killGrace + 60) / 60).rounded(.up)))")
        }
        if let partition { arguments.append("--partition=\(partition)") }
        if let account { arguments.append("--account=\(account)") }
        if let qos { arguments.append("--qos=\(qos)") }
        arguments += options
        arguments.append(submission.script)
        let result = try ToolCommand.run("sbatch", arguments)
        guard result.status == 0, let id = result.output.split(separator: "\n").first?.split(separator: ";").first,
              !id.isEmpty else {
            throw ClusterError("sbatch refused \(submission.label): \(result.complaint)")
        }
        return String(id).trimmingCharacters(in: .whitespaces)
    }

    /// `--cpus-per-task`, `--mem`, `--gres=gpu:N`, and licenses for the rest: bandwidth counted in Mbit/s, other
    /// resources by their own count. Slurm has no fractions of a CPU or of a license, so those round up.
    static func resourceFlags(_ resources: [String: Double]) -> [String] {
        var flags = ["--cpus-per-task=\(max(1, Int((resources["cpu"] ?? 1).rounded(.up))))"]
        if let memory = resources["memory"], memory > 0 {
            flags.append("--mem=\(max(1, Int((memory / 1_048_576).rounded(.up))))M")
        }
        if let gpus = resources["gpu"], gpus > 0 { flags.append("--gres=gpu:\(Int(gpus.rounded(.up)))") }
        let licenses = resources.filter { !["cpu", "memory", "gpu"].contains($0.key) && $0.value > 0 }.sorted { $0.key < $1.key }
            .map { name, amount in "\(name):\(Int((name == "bandwidth" ? amount / 1_000_000 : amount).rounded(.up)))" }
        if !licenses.isEmpty { flags.append("--licenses=\(licenses.joined(separator: ","))") }
        return flags
    }

    public func find(submissionID: String) throws -> ClusterJob? {
        let listed = try ToolCommand.run("squeue", ["-h", "--me", "-t", "all", "--name=\(submissionID)", "-o", "%i|%j|%T|%r"])
        guard listed.status == 0 else { throw ClusterError("squeue failed: \(listed.complaint)") }
        if let job = Self.parseQueue(listed.output)[submissionID] {
            return job.phase.hasEnded ? try detailed(job) : job
        }
        return try accounted(submissionID)
    }

    public func jobs(_ submissionIDs: Set<String>) throws -> [String: ClusterJob] {
        // One call for all of this user's jobs: `squeue --json` would ignore `-j`, and one call per job would not scale.
        let listed = try ToolCommand.run("squeue", ["-h", "--me", "-t", "all", "-o", "%i|%j|%T|%r"])
        guard listed.status == 0 else { throw ClusterError("squeue failed: \(listed.complaint)") }
        return Self.parseQueue(listed.output).filter { submissionIDs.contains($0.key) }
    }

    /// `squeue -o %i|%j|%T|%r` lines by job name.
    static func parseQueue(_ output: String) -> [String: ClusterJob] {
        var jobs: [String: ClusterJob] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 4 else { continue }
            jobs[fields[1]] = ClusterJob(id: fields[0], phase: phase(state: fields[2], reason: fields[3], exitCode: nil, job: fields[0]))
        }
        return jobs
    }

    /// The exit code and reason of an ended job, from `scontrol` (kept `MinJobAge` after the end).
    private func detailed(_ job: ClusterJob) throws -> ClusterJob {
        let shown = try ToolCommand.run("scontrol", ["show", "job", job.id, "-o"])
        guard shown.status == 0 else { return job }
        var fields: [String: String] = [:]
        for pair in shown.output.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        let (exit, signal) = Self.exitCode(fields["ExitCode"] ?? "")
        return ClusterJob(id: job.id, phase: Self.phase(state: fields["JobState"] ?? "", reason: fields["Reason"] ?? "",
                                                        exitCode: exit, signal: signal, job: job.id))
    }

    /// A job `squeue` no longer lists, from accounting: `slurmdbd` when the site runs it, else the job completion log.
    private func accounted(_ submissionID: String) throws -> ClusterJob? {
        let query = ["-n", "-P", "-X", "--name=\(submissionID)", "-o", "jobid,jobname,state,exitcode"]
        var result = try ToolCommand.run("sacct", query + ["-S", "2000-01-01"])
        if result.status != 0 || result.complaint.contains("accounting storage is disabled") {
            result = try ToolCommand.run("sacct", ["-c"] + query)
        }
        guard result.status == 0 else { return nil }
        return Self.parseAccounting(result.output, submissionID: submissionID)
    }

    /// `sacct -P -o jobid,jobname,state,exitcode` lines: the newest job of that name. The job completion log
    /// (`sacct -c`) ignores `--name`, so the name is matched here.
    static func parseAccounting(_ output: String, submissionID: String) -> ClusterJob? {
        let rows = output.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
        guard let fields = rows.last(where: { $0.count >= 4 && $0[1] == submissionID }) else { return nil }
        let (exit, signal) = exitCode(fields[3])
        return ClusterJob(id: fields[0], phase: phase(state: fields[2], reason: "", exitCode: exit, signal: signal, job: fields[0]))
    }

    /// Slurm's `code:signal`: `3:0` is exit code 3, `0:9` killed by signal 9 (no exit code then).
    static func exitCode(_ text: String) -> (Int32?, Int32?) {
        let parts = text.split(separator: ":").map { Int32($0) }
        let signal = parts.count > 1 ? parts[1].flatMap { $0 == 0 ? nil : $0 } : nil
        return (signal == nil ? parts.first ?? nil : nil, signal)
    }

    /// Pending reasons that no amount of waiting cures: the job asks for what the partition, account or QOS will
    /// never give (Slurm keeps such jobs pending unless the site sets EnforcePartLimits), or an administrator holds it.
    static let hopelessReasons: Set<String> = [
        "PartitionTimeLimit", "PartitionNodeLimit", "PartitionConfig", "InvalidAccount", "InvalidQOS", "BadConstraints",
        "QOSMaxWallDurationPerJobLimit", "AssocMaxWallDurationPerJobLimit", "JobHeldAdmin", "DependencyNeverSatisfied",
    ]

    static func phase(state raw: String, reason: String, exitCode: Int32?, signal: Int32? = nil, job: String) -> ClusterJob.Phase {
        // sacct writes "CANCELLED by 0".
        let state = raw.split(separator: " ").first.map(String.init) ?? raw
        switch state {
        case "RUNNING", "COMPLETING", "STAGE_OUT", "SIGNALING":
            return .running
        case "COMPLETED":
            return .ended(ClusterEnd(state: state, exitCode: signal == nil ? exitCode ?? 0 : nil, signal: signal, reason: "Slurm job \(job) completed"))
        case "FAILED":
            let how = exitCode.map { " with exit code \($0)" } ?? signal.map { " on signal \($0)" } ?? ""
            return .ended(ClusterEnd(state: state, exitCode: exitCode, signal: signal,
                                     reason: "Slurm job \(job) failed" + how + (reason.isEmpty || reason == "None" ? "" : " (\(reason))")))
        case "PENDING" where hopelessReasons.contains(reason):
            return .ended(ClusterEnd(state: state, stillQueued: true,
                                     reason: "Slurm will never start job \(job) (\(reason)): change the pool's slurm settings or the task's resources and timeout"))
        case "CANCELLED", "DEADLINE":
            return .ended(ClusterEnd(state: state, cancelled: true, reason: "Slurm job \(job) was cancelled"))
        case "TIMEOUT":
            return .ended(ClusterEnd(state: state, timedOut: true, reason: "Slurm stopped job \(job) at its time limit (TIMEOUT)"))
        case "OUT_OF_MEMORY":
            return .ended(ClusterEnd(state: state, reason: "Slurm killed job \(job): it used more memory than it asked for (OUT_OF_MEMORY); raise its memory"))
        case "NODE_FAIL":
            return .ended(ClusterEnd(state: state, reason: "the node of Slurm job \(job) failed (NODE_FAIL)"))
        case "PREEMPTED":
            return .ended(ClusterEnd(state: state, reason: "Slurm preempted job \(job) for other work (PREEMPTED)"))
        case "BOOT_FAIL":
            return .ended(ClusterEnd(state: state, reason: "the node of Slurm job \(job) did not boot (BOOT_FAIL)"))
        default:
            // PENDING, CONFIGURING, REQUEUED, SUSPENDED, RESIZING…: not running yet, or again later.
            return .queued
        }
    }

    public func cancel(jobID: String, submissionID: String, supervisorOnly: Bool) throws {
        // A plain scancel signals every process of the job at once, the task with its supervisor, which then cannot
        // tell a cancel from a task killed by someone else; `--batch` signals the job script, the supervisor, alone.
        let result = try ToolCommand.run("scancel", supervisorOnly ? ["--batch", "--signal=TERM", jobID] : [jobID])
        guard result.status == 0 else { throw ClusterError("scancel \(jobID) failed: \(result.complaint)") }
    }

    public func nodes() throws -> [ExecutorNode] {
        var arguments = ["-h", "-N", "-o", "%N|%c|%m|%G|%T"]
        if let partition { arguments += ["-p", partition] }
        let listed = try ToolCommand.run("sinfo", arguments)
        guard listed.status == 0 else { throw ClusterError("sinfo failed: \(listed.complaint)") }
        let licenses = try self.licenses()
        var nodes: [String: ExecutorNode] = [:]
        for line in listed.output.split(separator: "\n") {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 5, let cpus = Double(fields[1]), let megabytes = Double(fields[2]) else { continue }
            // A node that is down, drained or failing takes no work: planning on it would promise what cannot run.
            let state = fields[4].lowercased()
            guard !["down", "drain", "fail", "maint", "unk", "inval", "futur", "reboot"].contains(where: state.hasPrefix) else { continue }
            var capacity = licenses
            capacity["cpu"] = cpus
            capacity["memory"] = megabytes * 1_048_576
            capacity["gpu"] = Self.gpus(inGRES: fields[3])
            nodes[fields[0]] = ExecutorNode(name: fields[0], capacity: capacity)
        }
        return nodes.values.sorted { $0.name < $1.name }
    }

    /// `gpu:2`, `gpu:a100:4(S:0-1)`, several entries separated by commas.
    static func gpus(inGRES gres: String) -> Double {
        gres.split(separator: ",").reduce(0) { total, entry in
            let parts = entry.split(separator: "(").first?.split(separator: ":") ?? []
            guard parts.first == "gpu" else { return total }
            return total + (parts.count > 1 ? Double(parts.last!) ?? 1 : 1)
        }
    }

    /// Cluster-wide licenses as resources: `bandwidth` (Mbit/s) in bit/s, others by count.
    private func licenses() throws -> [String: Double] {
        let shown = try ToolCommand.run("scontrol", ["show", "licenses", "-o"])
        guard shown.status == 0 else { return [:] }
        var licenses: [String: Double] = [:]
        for line in shown.output.split(separator: "\n") {
            var fields: [String: String] = [:]
            for pair in line.split(separator: " ") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
            }
            guard let name = fields["LicenseName"], let total = fields["Total"].flatMap(Double.init) else { continue }
            licenses[name] = name == "bandwidth" ? total * 1_000_000 : total
        }
        return licenses
    }

    public func log(jobID: String, submissionID: String) -> String { "" }
}
