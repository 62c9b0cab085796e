#if canImport(Glibc)
import Glibc
#endif

/// Small whole-file reads and crash-safe writes, on plain system calls.
public enum DurableFile {
    /// The file's bytes; `nil` when it does not exist or cannot be read.
    public static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = Glibc.read(fd, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Writes so that a reader sees the old file or the whole new one, and a power cut after the
    /// return keeps the new one: temp file, fsync, rename, fsync of the directory. `durable: false` skips both
    /// fsyncs, for files that only matter while the machine stays up (a power cut ends their processes too).
    public static func write(_ bytes: [UInt8], to path: String, durable: Bool = true) throws(SystemError) {
        let temporary = "\(path).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError("cannot create \(temporary)", code: errno) }
        var failure: SystemError?
        var offset = 0
        while offset < bytes.count, failure == nil {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { failure = SystemError("cannot write \(temporary)", code: errno) } else { offset += written }
        }
        if failure == nil, durable, fsync(fd) != 0 { failure = SystemError("cannot fsync \(temporary)", code: errno) }
        close(fd)
        if let failure {
            unlink(temporary)
            throw failure
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw SystemError("cannot rename \(temporary) to \(path)", code: code)
        }
        guard durable else { return }
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let dirFD = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirFD >= 0 else { throw SystemError("cannot open \(directory)", code: errno) }
        defer { close(dirFD) }
        guard fsync(dirFD) == 0 else { throw SystemError("cannot fsync \(directory)", code: errno) }
    }

    /// Appends one line (best effort), for messages that must land in a log file.
    public static func appendLine(_ text: String, to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        let line = Array((text + "\n").utf8)
        _ = line.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, line.count) }
        close(fd)
    }
}
