import Foundation

/// The root of the source tree, for the example and the scripts.
let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a real process to its end and collects its output.
func run(_ executable: String, _ arguments: [String], in folder: URL? = nil, environment: [String: String] = [:]) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let folder { process.currentDirectoryURL = folder }
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read before waiting, so a full pipe never blocks the child.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

/// The `sluice` binary built with the tests, found next to the test runner.
let sluiceBinaryPath: String = {
    var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("sluice").path), directory.path != "/" {
        directory.deleteLastPathComponent()
    }
    return directory.appendingPathComponent("sluice").path
}()

/// Runs the `sluice` binary built with the tests.
func sluice(_ arguments: String..., in folder: URL? = nil) throws -> ProcessResult {
    try run(sluiceBinaryPath, arguments, in: folder)
}

/// A temporary folder removed when the value goes away.
final class TemporaryFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ path: String, _ text: String) throws {
        let file = url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }
}

/// Commits everything in `folder` with the git CLI, as a user would; `initialize` runs `git init` first.
func commitAll(in folder: URL, initialize: Bool = false, message: String = "change") throws {
    var steps = [["add", "-A"], ["-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q", "-m", message]]
    if initialize { steps.insert(["init", "-q", "-b", "main"], at: 0) }
    for arguments in steps {
        let result = try run("/usr/bin/git", arguments, in: folder)
        guard result.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: result.stderr]) }
    }
}
