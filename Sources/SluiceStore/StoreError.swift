import GRDB

/// Why the state database could not do what was asked, naming the database file so that a user who runs
/// two controllers, or points `--state` at the wrong folder, sees at once which file is at fault.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. An open set (like NIO's `FileSystemError.Code`) so that callers can branch on the
    /// few that matter to them — a replayed result hitting `.alreadyFinal` is expected after a restart —
    /// without a new case breaking their `switch`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The file is not SQLite at all (random bytes, a truncated or encrypted file).
        public static let notADatabase = Code("notADatabase")
        /// A SQLite file that another program made: it lacks Sluice's schema marker.
        public static let notSluiceDatabase = Code("notSluiceDatabase")
        /// A Sluice database migrated by a newer Sluice than this one.
        public static let newerSchema = Code("newerSchema")
        /// An attempt already ended; its phase never changes again.
        public static let alreadyFinal = Code("alreadyFinal")
        /// A change that the life cycle of an attempt or a pass does not allow.
        public static let invalidTransition = Code("invalidTransition")
        /// No row with the given id.
        public static let notFound = Code("notFound")
        /// The folder of the database could not be created.
        public static let fileSystem = Code("fileSystem")
        /// The database file was deleted or replaced by another file while this store had it open: writing on would
        /// go into a file nobody reads.
        public static let fileReplaced = Code("fileReplaced")
        /// Any other SQLite failure (disk full, permissions, a busy database past the timeout).
        public static let sqlite = Code("sqlite")
    }

    /// The database file (`:memory:` for an in-memory store).
    public var path: String
    /// What went wrong and, where there is one, what to do about it.
    public var message: String
    public var code: Code

    public init(path: String, message: String, code: Code = .sqlite) {
        self.path = path
        self.message = message
        self.code = code
    }

    public var description: String { "\(path): \(message)" }
}

extension StoreError {
    /// The single place where GRDB's and SQLite's errors become `StoreError`, so that callers handle one type.
    init(wrapping error: any Error, path: String) {
        switch error {
        case let error as StoreError:
            self = error
        case let error as NotSluiceDatabase:
            self.init(path: path, message: error.message, code: .notSluiceDatabase)
        case let error as DatabaseError where error.resultCode == .SQLITE_NOTADB:
            let reason = error.message ?? "file is not a database"
            self.init(path: path, message: Self.notSluice(reason), code: .notADatabase)
        case let error as DatabaseError:
            let reason = error.message ?? "\(error.resultCode)"
            self.init(path: path, message: "SQLite error \(error.extendedResultCode.rawValue): \(reason)", code: .sqlite)
        default:
            self.init(path: path, message: "\(error)", code: .sqlite)
        }
    }

    /// The one wording for every file that is not ours: say what it is and how to get going again.
    static func notSluice(_ reason: String) -> String {
        "not a Sluice state database (\(reason)); move it aside or delete it to start afresh"
    }
}

/// Thrown from inside a connection's set-up, where the path is not at hand; `StoreError(wrapping:path:)` adds it.
struct NotSluiceDatabase: Error {
    var message: String
}
