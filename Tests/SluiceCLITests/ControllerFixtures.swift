import Foundation

/// A `sluice controller` running as a real process on a temporary repository.
final class RunningController {
    let process = Process()
    let log: URL
    let state: URL

    convenience init(repo: URL, state: URL, arguments: [String] = [], environment: [String: String] = [:]) throws {
        try self.init(repoLocation: repo.path, state: state, arguments: arguments, environment: environment)
    }

    init(repoLocation: String, state: URL, arguments: [String] = [], environment: [String: String] = [:]) throws {
        self.state = state
        log = state.appendingPathComponent("controller-\(UUID().uuidString.prefix(6)).log")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: sluiceBinaryPath)
        let listen = arguments.contains("--listen") ? [] : ["--listen", "off"]
        let interval = arguments.contains("--interval") ? [] : ["--interval", "1s"]
        process.arguments = ["controller", "--repo", repoLocation, "--state", state.path] + interval + listen + arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, as a service manager would; then the supervisors the controller leaves behind by design
    /// (services keep running across controller restarts) are stopped, so no test leaves processes behind.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        stopSupervisors(under: state.path)
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    deinit { stop() }
}

/// Polls `condition` every 50 ms until it holds or `timeout` seconds pass; returns whether it held.
func eventually(timeout: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return try condition()
}

/// The messages of the status branch, newest first.
func statusLog(_ repo: URL) -> [String] {
    guard let result = try? run("/usr/bin/git", ["-C", repo.path, "log", "--format=%B%x00", "sluice/status"]), result.status == 0 else { return [] }
    return result.stdout.components(separatedBy: "\0").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
}

func headCommit(_ repo: URL) throws -> String {
    try run("/usr/bin/git", ["-C", repo.path, "rev-parse", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// A pool of one node (`n1` with `capacity`) and one workflow `w` with the given task lines.
func controllerManifest(_ tasks: String, capacity: String = "{cpu: 4, memory: 4Gi}") -> String {
    """
    apiVersion: sluice/v1
    kind: ResourcePool
    metadata: {name: local}
    spec:
      nodes: [{name: n1, capacity: \(capacity)}]
    ---
    apiVersion: sluice/v1
    kind: Workflow
    metadata: {name: w}
    spec:
      pool: local
      tasks:
    \(tasks)
    """
}

/// Sends SIGTERM to every `sluice-supervisor` whose attempt folder is under `folder` (each stops its task's group).
func stopSupervisors(under folder: String) {
    let processes = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    for entry in processes {
        guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
        let arguments = String(decoding: data, as: UTF8.self).split(separator: "\0")
        if arguments.first?.hasSuffix("sluice-supervisor") == true, arguments.contains(where: { $0.hasPrefix(folder) }) { kill(pid, SIGTERM) }
    }
    Thread.sleep(forTimeInterval: 0.3)
}

/// A loopback port nobody listens on: python binds port 0 to let the kernel choose; the port is free again when it exits.
func freePort() -> Int {
    let result = try? run("/usr/bin/env", ["python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"])
    return Int(result?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 17480
}

/// The status code of a GET on loopback, 0 when nothing answers.
func httpStatus(port: Int, path: String) -> Int {
    Int((try? run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)\(path)"]))?.stdout ?? "") ?? 0
}

/// A temporary folder with `repo/`, a git repository whose one commit holds `controllerManifest(tasks)`; the state
/// directory, the secrets and anything else a test needs go beside it.
func committedRepository(_ tasks: String) throws -> (folder: TemporaryFolder, repo: URL) {
    let folder = try TemporaryFolder()
    try folder.write("repo/sluice.yaml", controllerManifest(tasks))
    let repo = folder.url.appendingPathComponent("repo")
    try commitAll(in: repo, initialize: true)
    return (folder, repo)
}
