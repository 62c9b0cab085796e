import Foundation

/// The files of one attempt. The directory is the only channel between the controller and the
/// supervisor, which is what lets a restarted controller adopt attempts it did not start.
struct AttemptDirectory: Sendable {
    /// Absolute, because the supervisor changes its current directory to the task's.
    let path: String

    init(_ path: String) {
        self.path = URL(fileURLWithPath: path).standardizedFileURL.path
    }

    func file(_ name: String) -> String { path + "/" + name }

    var spec: String { file("spec.json") }
    var result: String { file("result.json") }
    /// Plain text, written by the executor right after the spawn and by the supervisor first thing.
    var supervisorPID: String { file("supervisor.pid") }
    /// `SupervisorRecord`, written once the task's process group exists.
    var supervisorRecord: String { file("supervisor.json") }
    var stdout: String { file("stdout.log") }
    var stderr: String { file("stderr.log") }
    /// Present once a cancel was asked for. A file rather than only a signal, because a signal
    /// that arrives before the supervisor has its handlers would kill it without a result.
    var cancelRequest: String { file("cancel.requested") }
    /// The supervisor's own stdout/stderr, so it never writes into a pipe of a dead controller.
    var supervisorLog: String { file("supervisor.log") }

    var cancelRequested: Bool { access(cancelRequest, F_OK) == 0 }

    func readPID() -> Int32? {
        guard let data = FileManager.default.contents(atPath: supervisorPID),
              let text = String(data: data, encoding: .utf8)
        else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func writePID(_ pid: Int32) throws {
        try AttemptCoding.writeDurably(Data("\(pid)\n".utf8), to: supervisorPID)
    }

    func readRecord() -> SupervisorRecord? {
        try? AttemptCoding.read(SupervisorRecord.self, from: supervisorRecord)
    }

    /// `nil` while there is no result yet; throws when the file exists but cannot be decoded.
    func readResult() throws -> AttemptResult? {
        try AttemptCoding.read(AttemptResult.self, from: result)
    }
}

/// Who supervises an attempt and which process group is the task's, so that `cancel` can still
/// stop the task when the supervisor itself has died.
struct SupervisorRecord: Sendable, Codable, Hashable {
    var pid: Int32
    /// The task's process group (the shell's pid, as it leads its own group).
    var pgid: Int32
    /// The supervisor's start time in clock ticks since boot, so a recycled pid is not taken for it.
    var startTime: UInt64?
}

/// JSON encoding and crash-safe file writes shared by both sides.
enum AttemptCoding {
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return try encoder.encode(value)
    }

    /// `nil` when the file does not exist.
    static func read<T: Decodable>(_ type: T.Type, from path: String) throws -> T? {
        // The writer renames the file into place, so it can appear between a failed read and the existence check:
        // that is a file that just arrived, not an unreadable one. Read again before calling it unreadable.
        var contents = FileManager.default.contents(atPath: path)
        for _ in 0..<3 where contents == nil && FileManager.default.fileExists(atPath: path) {
            contents = FileManager.default.contents(atPath: path)
        }
        guard let data = contents else {
            if FileManager.default.fileExists(atPath: path) { throw ExecutionError("cannot read \(path)") }
            return nil
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        do {
            return try decoder.decode(type, from: data)
        } catch {
            throw ExecutionError("\(path) is not a valid \(type): \(error)")
        }
    }

    /// Writes so that a reader sees the old file or the whole new one, and a power cut after the
    /// return keeps the new one: temp file, fsync, rename, fsync of the directory.
    static func writeDurably(_ data: Data, to path: String) throws {
        let temporary = "\(path).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ExecutionError.system("cannot create \(temporary)") }
        do {
            defer { close(fd) }
            try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
                var offset = 0
                while offset < buffer.count {
                    let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { throw ExecutionError.system("cannot write \(temporary)") }
                    offset += written
                }
            }
            guard fsync(fd) == 0 else { throw ExecutionError.system("cannot fsync \(temporary)") }
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw ExecutionError.system("cannot rename \(temporary) to \(path)", code: code)
        }
        let directory = (path as NSString).deletingLastPathComponent
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirFD >= 0 else { throw ExecutionError.system("cannot open \(directory)") }
        defer { close(dirFD) }
        guard fsync(dirFD) == 0 else { throw ExecutionError.system("cannot fsync \(directory)") }
    }
}
