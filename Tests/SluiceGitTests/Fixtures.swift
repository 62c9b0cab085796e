import Foundation
import SluiceGit

/// A folder under the system temporary directory, removed when the value goes away.
///
/// Suites are classes holding one of these: Swift Testing makes a suite instance per test and
/// releases it when the test ends, so the folder lives exactly as long as its test.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("sluice-git-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A path inside this folder.
    func sub(_ name: String) -> String { "\(path)/\(name)" }
}

struct GitCommandFailed: Error, CustomStringConvertible {
    var arguments: [String]
    var status: Int32
    var output: String
    var description: String { "git \(arguments.joined(separator: " ")) exited \(status): \(output)" }
}

/// Runs the real `git` CLI in `directory` with a fixed identity and no user or system config,
/// so fixtures (and independent checks) do not depend on the machine.
@discardableResult
func git(_ arguments: String..., in directory: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
    process.arguments = [
        "-c", "user.name=Fixture Author", "-c", "user.email=fixture@example.com",
        "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false",
        "-C", directory,
    ] + arguments
    var environment = ProcessInfo.processInfo.environment
    environment["GIT_CONFIG_NOSYSTEM"] = "1"
    environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
    process.environment = environment
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard process.terminationStatus == 0 else {
        throw GitCommandFailed(arguments: arguments, status: process.terminationStatus, output: text)
    }
    return text
}

/// Writes a file into a working tree, making folders as needed.
func write(_ text: String, to relativePath: String, in directory: String, executable: Bool = false) throws {
    let url = URL(fileURLWithPath: directory).appendingPathComponent(relativePath)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
    if executable {
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    }
}

let tester = Signature(name: "Sluice Test", email: "test@sluice.invalid", time: Date(timeIntervalSince1970: 1_700_000_000))

extension Dictionary where Key == String, Value == Data {
    /// Builds a file set from text, which is how most fixtures read best.
    static func text(_ files: [String: String]) -> [String: Data] {
        files.mapValues { Data($0.utf8) }
    }
}

/// A repository made by `git init` + `git commit`: two commits, an annotated and a light tag.
struct CLIRepository {
    let path: String
    let first: String
    let second: String

    init(in directory: TemporaryDirectory) throws {
        path = directory.sub("work")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try git("init", "-q", in: path)
        try write("hello\n", to: "README.md", in: path)
        try write("kind: Workflow\n", to: "manifests/a.yaml", in: path)
        try git("add", "-A", in: path)
        try git("commit", "-q", "-m", "First commit", "-m", "Body line.", in: path)
        first = try git("rev-parse", "HEAD", in: path)
        try git("tag", "-a", "v1.0", "-m", "release one", in: path)
        try write("kind: ResourcePool\n", to: "manifests/pools/local.yaml", in: path)
        try write("#!/bin/sh\necho hi\n", to: "tasks/run.sh", in: path, executable: true)
        try git("add", "-A", in: path)
        try git("commit", "-q", "-m", "Second commit", in: path)
        second = try git("rev-parse", "HEAD", in: path)
        try git("tag", "light", first, in: path)
    }
}

/// A server started with an empty signal mask and default handlers, stopped and reaped on deinit.
///
/// `Process` children inherit the test runner's mask, which blocks SIGTERM and SIGCHLD: such a
/// `git daemon` could neither be stopped politely nor reap its own connection handlers.
final class BackgroundProcess {
    let pid: pid_t
    private var exited = false

    init(_ path: String, _ arguments: [String]) throws {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGCHLD, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, path, nil, &attributes, argv, environ)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
        self.pid = pid
    }

    var isRunning: Bool {
        guard !exited else { return false }
        var status: Int32 = 0
        exited = waitpid(pid, &status, WNOHANG) == pid
        return !exited
    }

    deinit {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}
