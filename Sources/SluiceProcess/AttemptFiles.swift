#if canImport(Glibc)
import Glibc
#endif

/// The files of one attempt. The directory is the only channel between the engine and the
/// supervisor, which is what lets a restarted controller adopt attempts it did not start.
///
/// Who runs an attempt is settled by `supervisor.lock`: a supervisor holds it (`flock`) for as long as it lives,
/// and writes its pid into it, under the lock, before it starts the task (the claim), then its pid and the task's
/// process group once the task runs. So, with no lock held, a folder whose lock file is empty was never started and
/// may be started (again), and a second supervisor started for the same folder waits for the lock, sees the claim,
/// and leaves without running anything. One file for all of it: every file an attempt creates costs an inode.
public struct AttemptFiles: Sendable, Hashable {
    /// Absolute, because the supervisor changes its current directory to the task's.
    public let path: String

    public init(_ path: String) {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        self.path = path
    }

    public func file(_ name: String) -> String { path + "/" + name }

    public var spec: String { file("spec.json") }
    public var result: String { file("result.json") }
    /// Locked by the supervisor for its life; holds `PID` once claimed, then `PID PGID START` once the task runs.
    public var lock: String { file("supervisor.lock") }
    public var stdout: String { file("stdout.log") }
    /// The task's stderr, and the supervisor's own messages (it writes nowhere else, so never into a pipe of a dead
    /// controller).
    public var stderr: String { file("stderr.log") }
    /// Present once a cancel was asked for. A file rather than only a signal, because a signal
    /// that arrives before the supervisor has its handlers would kill it without a result.
    public var cancelRequest: String { file("cancel.requested") }

    public var cancelRequested: Bool { DurableFile.exists(cancelRequest) }

    /// The claim in the lock file: the supervisor's pid, and once the task runs its process group with the group
    /// leader's start time (clock ticks since boot), so that a recycled pid is never taken for the group.
    public func readClaim() -> (pid: Int32, group: Int32?, groupStart: UInt64?)? {
        guard let bytes = DurableFile.read(lock) else { return nil }
        let fields = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard let pid = fields.first.flatMap({ Int32($0) }) else { return nil }
        return (pid, fields.dropFirst().first.flatMap { Int32($0) }, fields.dropFirst(2).first.flatMap { UInt64($0) })
    }

    /// The start time (field 22 of `/proc/PID/stat`, clock ticks since boot) of a live process; nil when it is gone.
    public static func startTime(of pid: Int32) -> UInt64? {
        guard let bytes = DurableFile.read("/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        // The command name (field 2) may hold spaces and parentheses; the fields after the last ")" are plain, and
        // the start time is the 20th of them.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }

    public func readPID() -> Int32? { readClaim()?.pid }

    /// Whether a live supervisor holds the lock now. Taking the lock for a moment to find out is harmless: a
    /// supervisor that starts meanwhile waits that moment.
    public func isSupervised() -> Bool {
        let fd = open(lock, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }   // no lock file: no supervisor ever got this far
        defer { close(fd) }
        return flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK
    }

    /// Takes the lock for the life of this process, waiting while another supervisor holds it.
    ///
    /// - Returns: the lock's descriptor, to write the claim with; `nil` when the attempt was claimed before (this start
    ///   was a duplicate, after a crash) or already has a result.
    public func claim() throws(SystemError) -> Int32? {
        let fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError("cannot open \(lock)", code: errno) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw SystemError("cannot lock \(lock)", code: errno) }
        }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_size > 0 || DurableFile.exists(result) {
            close(fd)
            return nil
        }
        return fd
    }

    /// Writes the claim through the lock's descriptor. Not fsynced: after a power cut no supervisor runs, and an
    /// attempt with no result is then retried or, unclaimed, started again.
    public static func writeClaim(_ fd: Int32, pid: Int32, group: Int32? = nil, groupStart: UInt64? = nil) throws(SystemError) {
        var line = "\(pid)"
        if let group { line += " \(group)" + (groupStart.map { " \($0)" } ?? "") }
        let text = Array((line + "\n").utf8)
        let written = text.withUnsafeBytes { pwrite(fd, $0.baseAddress!, text.count, 0) }
        guard written == text.count else { throw SystemError("cannot write the claim", code: errno) }
    }
}
