#if canImport(Glibc)
import Glibc
#endif

/// A task's stdout or stderr when it has secrets: the task writes into a pipe, and the supervisor copies what arrives
/// into the log file with every secret value masked, so no value ever reaches the disk.
final class MaskedOutput {
    /// The end the task writes to; closed in the supervisor once the task has it.
    private(set) var writeEnd: Int32
    /// -1 once the pipe has reached its end.
    private(set) var readEnd: Int32
    private let file: Int32
    private var masker: SecretMasker

    init(logFile: String, masker: SecretMasker) throws(SystemError) {
        var ends: [Int32] = [-1, -1]
        // pipe2 is a GNU extension Swift does not see; the supervisor has one thread, so nothing can fork in between.
        guard pipe(&ends) == 0 else { throw SystemError("cannot make a pipe for the task's output", code: errno) }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK)
        let file = open(logFile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard file >= 0 else {
            close(ends[0]); close(ends[1])
            throw SystemError("cannot open \(logFile)", code: errno)
        }
        (readEnd, writeEnd, self.file, self.masker) = (ends[0], ends[1], file, masker)
    }

    deinit {
        if readEnd >= 0 { close(readEnd) }
        if writeEnd >= 0 { close(writeEnd) }
        close(file)
    }

    /// The task has its copy of the write end (or never will): ours must go, or the pipe never reaches its end.
    func closeWriteEnd() {
        if writeEnd >= 0 { close(writeEnd) }
        writeEnd = -1
    }

    /// Copies what can be read now, up to 1 MiB, so that a task flooding its output cannot keep the supervisor from
    /// its timeout and stop checks; at the pipe's end, flushes what was held back and closes it.
    func pump() {
        guard readEnd >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 65536)
        for _ in 0..<16 {
            let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress!, $0.count) }
            if count > 0 {
                writeAll(masker.feed(buffer[0..<count]))
            } else if count < 0 && errno == EINTR {
                continue
            } else if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return
            } else {
                end()
                return
            }
        }
    }

    /// Stops reading: a process that escaped the task's group may hold the pipe open forever.
    func end() {
        guard readEnd >= 0 else { return }
        writeAll(masker.finish())
        close(readEnd)
        readEnd = -1
    }

    private func writeAll(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(file, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 && errno == EINTR { continue }
            // A full disk loses output, as it would for a task writing the file itself; it must not stop the task.
            guard written > 0 else { return }
            offset += written
        }
    }
}
