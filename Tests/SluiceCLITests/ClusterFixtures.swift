import Foundation
import Testing

/// A local cluster the executor tests run against: started by `scripts/clusters/*-up.sh` (`.ci/run` starts both).
/// Without one, its tests are skipped with a note saying how to start it; with `SLUICE_REQUIRE_CLUSTERS=1` (CI) they
/// run regardless and fail when the cluster does not answer, so they never pass silently.
enum TestCluster: String, CaseIterable, Sendable {
    case slurm, ray

    static let rayAddress = "http://127.0.0.1:8265"

    /// The pool's `spec`, reading its nodes from the cluster.
    var poolSpec: String {
        switch self {
        case .slurm: "slurm: {partition: debug}"
        case .ray: "ray: {address: \"\(Self.rayAddress)\"}"
        }
    }

    /// How the engine names itself in Sluice's messages.
    var engineName: String {
        switch self {
        case .slurm: "Slurm partition debug"
        case .ray: "Ray at \(Self.rayAddress)"
        }
    }

    static var required: Bool { ProcessInfo.processInfo.environment["SLUICE_REQUIRE_CLUSTERS"] == "1" }

    var isUp: Bool {
        switch self {
        case .slurm:
            return (try? run("/usr/bin/env", ["scontrol", "ping"]))?.stdout.contains("is UP") == true
        case .ray:
            return (try? run("/usr/bin/env", ["curl", "-sf", "--max-time", "3", "\(Self.rayAddress)/api/version"]))?.status == 0
        }
    }

    /// Whether its tests run: when the cluster is up, or when CI requires it.
    var enabled: Bool { Self.required || isUp }

    var skipNote: Comment {
        "\(rawValue) is not running here: start it with `scripts/clusters/\(rawValue)-up.sh` (CI sets SLUICE_REQUIRE_CLUSTERS=1 and starts both)"
    }

    /// The name (Slurm) or submission id (Ray) of every job the engine itself has on record, finished ones included:
    /// Slurm's job completion log and queue, Ray's job list. Sluice's own records are not consulted.
    func jobNames() throws -> [String] {
        switch self {
        case .slurm:
            let finished = try run("/usr/bin/env", ["sacct", "-c", "-n", "-P", "-o", "jobid,jobname"]).stdout
            let queued = try run("/usr/bin/env", ["squeue", "-h", "-t", "all", "-o", "%i|%j"]).stdout
            // A job both finished and still listed by squeue appears twice: once per id.
            var byID: [String: String] = [:]
            for line in (finished + "\n" + queued).split(separator: "\n") {
                let fields = line.split(separator: "|").map(String.init)
                if fields.count == 2 { byID[fields[0]] = fields[1] }
            }
            return Array(byID.values)
        case .ray:
            let listed = try run("/usr/bin/env", ["curl", "-sf", "\(Self.rayAddress)/api/jobs/"])
            let jobs = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []
            return jobs.compactMap { $0["submission_id"] as? String }
        }
    }

    /// The engine's state of a job, by its name or submission id.
    func state(of name: String) throws -> String? {
        switch self {
        case .slurm:
            let finished = try run("/usr/bin/env", ["sacct", "-c", "-n", "-P", "-o", "jobname,state"]).stdout
            let queued = try run("/usr/bin/env", ["squeue", "-h", "-t", "all", "-o", "%j|%T"]).stdout
            let rows = (finished + "\n" + queued).split(separator: "\n").map { $0.split(separator: "|").map(String.init) }
            return rows.last { $0.count == 2 && $0[0] == name }?[1]
        case .ray:
            let job = try run("/usr/bin/env", ["curl", "-sf", "\(Self.rayAddress)/api/jobs/\(name)"])
            return (try? JSONSerialization.jsonObject(with: Data(job.stdout.utf8)) as? [String: Any])?["status"] as? String
        }
    }
}

/// A repository with one pool on `cluster` and one workflow of `tasks`, and its state folder.
func clusterRepository(_ cluster: TestCluster, workflow: String, tasks: String) throws -> (folder: TemporaryFolder, state: URL) {
    let folder = try TemporaryFolder()
    try folder.write("pipeline.yaml", """
        apiVersion: sluice/v1
        kind: ResourcePool
        metadata: {name: cluster}
        spec:
          \(cluster.poolSpec)
        ---
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: \(workflow)}
        spec:
          pool: cluster
          tasks:
        \(tasks)
        """)
    try commitAll(in: folder.url, initialize: true)
    return (folder, folder.url.appendingPathComponent(".sluice"))
}

/// The attempt folders of a task, by name (each name ends every submission id made for that attempt).
func attemptFolders(_ state: URL, _ workflow: String, _ task: String) -> [String] {
    (try? FileManager.default.contentsOfDirectory(atPath: state.appendingPathComponent("attempts/\(workflow)/\(task)").path)) ?? []
}

/// How many jobs the engine has on record for a task's attempts.
func engineJobs(_ cluster: TestCluster, _ state: URL, _ workflow: String, _ task: String) throws -> Int {
    let folders = attemptFolders(state, workflow, task)
    return try cluster.jobNames().filter { name in folders.contains { name.hasSuffix("-" + $0) } }.count
}

/// A `sluice` command running in the background, as a user's terminal or a CI job would run it.
final class RunningSluice {
    let process = Process()
    let log: URL

    init(_ arguments: [String], logIn folder: URL, environment: [String: String] = [:]) throws {
        log = folder.appendingPathComponent("sluice-\(UUID().uuidString.prefix(6)).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: sluiceBinaryPath)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { kill9() }
    }
}
