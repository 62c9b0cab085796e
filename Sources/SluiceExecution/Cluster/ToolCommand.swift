import Foundation

/// Runs a command-line tool (`sbatch`, `squeue`, `ssh-keygen`) found on `PATH` or named by its path, and waits for
/// it; for the engine's thread or a poller, never the cooperative pool.
public enum ToolCommand {
    public struct Output: Sendable {
        public var status: Int32
        public var output: String
        public var errors: String

        /// Its error output, or its output when that is empty, on one line: for messages.
        public var complaint: String {
            let text = errors.trimmingCharacters(in: .whitespacesAndNewlines)
            return (text.isEmpty ? output.trimmingCharacters(in: .whitespacesAndNewlines) : text)
                .replacingOccurrences(of: "\n", with: "; ")
        }
    }

    /// - Parameter timeout: seconds after which the tool is killed: a controller that hangs on a hung `slurmctld` would
    ///   stop reconciling everything else.
    /// - Parameter input: a file for its standard input (a file, not a pipe: a tool may exit without reading it, and a
    ///   write into a closed pipe is SIGPIPE); nothing when nil.
    public static func run(_ tool: String, _ arguments: [String], input: URL? = nil, timeout: TimeInterval = 60) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let stdout = Pipe(), stderr = Pipe()
        do {
            process.standardInput = try input.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        } catch {
            throw ClusterError("cannot read \(input?.path ?? "") for \(tool): \(error.localizedDescription)")
        }
        process.standardOutput = stdout
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            throw ClusterError("cannot run \(tool): \(error.localizedDescription)")
        }
        // Both pipes drain at once: a long listing on one cannot block the tool while the other is read.
        nonisolated(unsafe) var errors = Data()
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errors = stderr.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }
        let started = Date()
        let watchdog = DispatchWorkItem { [process] in if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        watchdog.cancel()
        if process.terminationReason == .uncaughtSignal, Date().timeIntervalSince(started) >= timeout {
            throw ClusterError("\(tool) did not answer within \(Int(timeout)) s")
        }
        let result = Output(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                            errors: String(decoding: errors, as: UTF8.self))
        if result.status == 127 {
            throw ClusterError("\(tool) is not installed here, or not on PATH (\(result.complaint))")
        }
        return result
    }
}
