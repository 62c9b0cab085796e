import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a state directory: only one controller, or one `apply`, may act on it at a time, or two of
/// them could start the same task. The kernel drops the lock when the process dies, even by SIGKILL, so a crashed
/// controller never blocks its successor.
public final class StateLock: Sendable {
    private let descriptor: Int32
    public let path: String

    public struct Held: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var owner: String
        public var description: String {
            "\(path) is held by another Sluice controller or apply (\(owner)): stop it, or give this one another --state"
        }
    }

    public init(stateDirectory: String) throws {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        path = (stateDirectory as NSString).appendingPathComponent("controller.lock")
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw Held(path: path, owner: "cannot open the lock file: \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let owner = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            throw Held(path: path, owner: owner.map { "pid \($0)" } ?? "unknown pid")
        }
        ftruncate(descriptor, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pwrite(descriptor, pid, pid.count, 0)
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
