#if canImport(Glibc)
import Glibc
#endif

/// The files of one attempt. The directory is the only channel between the engine and the
/// supervisor, which is what lets a restarted controller adopt attempts it did not start.
///
/// Who runs an attempt is settled by `supervisor.lock`: a supervisor holds it (`flock`) for as long as it
/// lives, and writes `supervisor.pid` under it before it starts the task. So, with no lock held, a folder
/// without `supervisor.pid` was never started and may be started (again), and a second supervisor started
/// for the same folder waits for the lock, sees `supervisor.pid`, and leaves without running anything.
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
    /// Written by the supervisor, under the lock, before it starts the task: the attempt is claimed.
    public var supervisorPID: String { file("supervisor.pid") }
    /// `{"pid":…,"pgid":…}`, written once the task's process group exists, so a cancel can still reach the
    /// task after the supervisor's own death.
    public var supervisorRecord: String { file("supervisor.json") }
    public var lock: String { file("supervisor.lock") }
    public var stdout: String { file("stdout.log") }
    public var stderr: String { file("stderr.log") }
    /// Present once a cancel was asked for. A file rather than only a signal, because a signal
    /// that arrives before the supervisor has its handlers would kill it without a result.
    public var cancelRequest: String { file("cancel.requested") }
    /// The supervisor's own stdout/stderr, so it never writes into a pipe of a dead controller.
    public var supervisorLog: String { file("supervisor.log") }

    public var cancelRequested: Bool { DurableFile.exists(cancelRequest) }

    public func readPID() -> Int32? {
        guard let bytes = DurableFile.read(supervisorPID) else { return nil }
        return Int32(String(decoding: bytes, as: UTF8.self).filter { !$0.isWhitespace })
    }

    /// The task's process group, from `supervisor.json`.
    public func readProcessGroup() -> Int32? {
        guard let bytes = DurableFile.read(supervisorRecord), let pgid = JSONValue.parse(bytes)?["pgid"]?.number else { return nil }
        return Int32(exactly: pgid)
    }

    /// Whether a live supervisor holds the lock now. Taking the lock for a moment to find out is harmless: a
    /// supervisor that starts meanwhile waits that moment.
    public func isSupervised() -> Bool {
        let fd = open(lock, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }   // no lock file: no supervisor ever got this far
        defer { close(fd) }
        return flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK
    }

    /// Takes the lock for the life of this process (the descriptor is deliberately never closed), waiting while
    /// another supervisor holds it.
    public func claim() throws(SystemError) {
        let fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError("cannot open \(lock)", code: errno) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw SystemError("cannot lock \(lock)", code: errno) }
        }
    }
}
