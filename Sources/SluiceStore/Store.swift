import Foundation
import GRDB

/// The state database: what ran, at which fingerprint, with what result — the actual state that each
/// reconcile pass compares with the desired state at a commit.
///
/// One file (`<state>/state.sqlite`) in WAL mode through a `DatabasePool`: the controller's loop writes
/// while its HTTP server, or a `sluice status` in another process, reads without waiting. Every change is
/// one transaction, and every change to an attempt appends its event in the same transaction, so the
/// history can never disagree with the attempts after a crash.
public final class Store: Sendable {
    /// The database file, as given; `:memory:` for an in-memory store.
    public let path: String
    let writer: any DatabaseWriter
    /// Device and inode of the file as opened; nil in memory.
    private let identity: FileIdentity?

    /// Opens or creates the database at `path`, creating missing folders, and brings its schema up to date.
    ///
    /// - Throws: `StoreError` naming `path` when the file is not SQLite, is a SQLite file of another program
    ///   (no Sluice schema marker), was migrated by a newer Sluice, or cannot be opened or written.
    ///   A refused file is left exactly as it was.
    public init(path: String) throws(StoreError) {
        self.path = path
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw StoreError(path: path, message: "cannot create the folder \(folder.path): \(error.localizedDescription)",
                             code: .fileSystem)
        }
        do {
            writer = try DatabasePool(path: path, configuration: Schema.configuration())
        } catch {
            throw StoreError(wrapping: error, path: path)
        }
        try Schema.migrate(writer, path: path)
        identity = FileIdentity(path: path)
    }

    /// A private database that lives as long as the store: for tests and `sluice plan` without a state folder.
    public static func inMemory() throws(StoreError) -> Store {
        let path = ":memory:"
        do {
            return try Store(writer: DatabaseQueue(configuration: Schema.configuration()), path: path)
        } catch {
            throw StoreError(wrapping: error, path: path)
        }
    }

    private init(writer: any DatabaseWriter, path: String) throws(StoreError) {
        self.path = path
        self.writer = writer
        identity = nil
        try Schema.migrate(writer, path: path)
    }

    /// Runs `body` with every change the store makes in it in one transaction: a burst of events costs one commit
    /// (one fsync), not one per task. A failure anywhere rolls the whole burst back and is rethrown.
    public func batch<T>(_ body: () throws -> T) throws -> T {
        if Self.openBatch?.store === self { return try body() }
        try checkFile()
        do {
            return try writer.write { db in
                try Self.$openBatch.withValue(OpenBatch(store: self, database: db)) { try body() }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(wrapping: error, path: path)
        }
    }

    /// The transaction of the `batch` running on this task, which nested reads and writes join.
    struct OpenBatch: @unchecked Sendable {
        let store: Store
        let database: Database
    }

    @TaskLocal static var openBatch: OpenBatch?

    private var batchDatabase: Database? {
        guard let open = Self.openBatch, open.store === self else { return nil }
        return open.database
    }

    /// Runs `body` in a read transaction (a consistent snapshot), turning every failure into `StoreError`.
    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            if let database = batchDatabase { return try body(database) }
            return try writer.read(body)
        } catch {
            throw StoreError(wrapping: error, path: path)
        }
    }

    /// Runs `body` in one write transaction: everything in it commits together or not at all.
    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            if let database = batchDatabase {
                // A savepoint, so a change that fails inside a burst leaves nothing half done in it.
                var result: T?
                try database.inSavepoint {
                    result = try body(database)
                    return .commit
                }
                return result!
            }
            try checkFile()
            return try writer.write(body)
        } catch {
            throw StoreError(wrapping: error, path: path)
        }
    }

    /// Throws `.fileReplaced` when the file at `path` is no longer the one this store opened (deleted, or another
    /// file moved over it). One `stat` per write transaction: nothing next to an fsync.
    public func checkFile() throws(StoreError) {
        guard let identity else { return }
        guard let now = FileIdentity(path: path) else {
            throw StoreError(path: path, message: "the state database was deleted while Sluice ran; stopping so that nothing is written into a deleted file. Start Sluice again: it makes a new database and finds the results still in the attempt folders", code: .fileReplaced)
        }
        guard now == identity else {
            throw StoreError(path: path, message: "the state database was replaced by another file while Sluice ran; stopping rather than writing into the old one. Start Sluice again to use the new file", code: .fileReplaced)
        }
    }

    /// SQLite reads a negative `LIMIT` as "no limit"; a caller asking for -1 rows means none.
    static func clamp(_ limit: Int) -> Int { max(0, limit) }
}

/// What tells one file from another at the same path.
struct FileIdentity: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}
