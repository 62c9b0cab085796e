import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SluiceGit

/// The working directories of one pass: each commit's export, made the first time a task of that commit starts, so a
/// pass that runs nothing exports nothing.
final class Checkouts: @unchecked Sendable {
    private let repository: Repository
    private let layout: StateLayout
    private let lock = NSLock()
    private var made: [OID: URL] = [:]

    init(repository: Repository, layout: StateLayout) {
        self.repository = repository
        self.layout = layout
    }

    /// The folder of `commit`'s tree, exported now if it was not before.
    func folder(for commit: OID) throws -> URL {
        if let known = lock.withLock({ made[commit] }) { return known }
        let folder = try Checkout.ensure(commit, of: repository, at: layout.checkout(commit: commit.hex))
        lock.withLock { made[commit] = folder }
        return folder
    }
}

/// Exports a commit's tree into a folder, once per commit, so tasks run against exactly the committed files
/// whatever happens to the working tree meanwhile.
public enum Checkout {
    /// The folder holding the tree of `commit`; made on first use. Built in a temporary sibling and renamed
    /// into place, so a crash never leaves a half-written checkout that looks complete.
    public static func ensure(_ commit: OID, of repository: Repository, at folder: URL) throws -> URL {
        let files = FileManager.default
        if files.fileExists(atPath: folder.path) { return folder }
        let staging = folder.deletingLastPathComponent().appendingPathComponent(".\(commit.hex)-\(UUID().uuidString)")
        try files.createDirectory(at: staging, withIntermediateDirectories: true)
        do {
            // Plain system calls, one `mkdir` per folder: an export of a thousand files is a thousand file creations,
            // and Foundation's per-file folder checks and writes cost several times that.
            var folders: Set<String> = [""]
            for file in try repository.files(at: commit) {
                let parent = (file.path as NSString).deletingLastPathComponent
                if !folders.contains(parent) {
                    try files.createDirectory(at: staging.appendingPathComponent(parent), withIntermediateDirectories: true)
                    folders.insert(parent)
                }
                try write(try repository.blob(file.blob), to: staging.path + "/" + file.path, executable: file.isExecutable)
            }
            try files.moveItem(at: staging, to: folder)
        } catch {
            try? files.removeItem(at: staging)
            // Another process may have won the race to make the same checkout; theirs is as good as ours.
            if files.fileExists(atPath: folder.path) { return folder }
            throw error
        }
        return folder
    }

    private static func write(_ data: Data, to path: String, executable: Bool) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, executable ? 0o755 : 0o644)
        guard fd >= 0 else { throw CheckoutError(path: path, code: errno) }
        defer { close(fd) }
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { throw CheckoutError(path: path, code: errno) }
                offset += written
            }
        }
    }
}

/// A file of a checkout could not be written.
struct CheckoutError: Error, CustomStringConvertible {
    var path: String
    var code: Int32
    var description: String { "cannot write \(path): \(String(cString: strerror(code)))" }
}
