import Foundation
import GRDB

extension Store {
    /// Remembers a source commit the controller has seen; seeing it again updates the summary only.
    public func recordCommit(_ oid: String, summary: String, at time: Date) throws(StoreError) {
        try write { db in
            try db.execute(sql: """
                INSERT INTO observedCommit (oid, summary, observedAt) VALUES (?, ?, ?)
                ON CONFLICT(oid) DO UPDATE SET summary = excluded.summary
                """, arguments: [oid, summary, time])
        }
    }

    /// The commit with this oid, if it was recorded.
    public func commit(_ oid: String) throws(StoreError) -> CommitRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM observedCommit WHERE oid = ?", arguments: [oid])
                .map(CommitRecord.init(row:))
        }
    }

    /// Starts the record of a reconcile pass; attempts made by the pass refer to the id returned.
    public func beginPass(commit: String, trigger: String, at time: Date) throws(StoreError) -> Int64 {
        try write { db in
            try db.execute(sql: "INSERT INTO pass (commitOID, triggeredBy, startedAt) VALUES (?, ?, ?)",
                           arguments: [commit, trigger, time])
            return db.lastInsertedRowID
        }
    }

    /// Closes a pass with its outcome.
    ///
    /// - Throws: `StoreError` (`.notFound`) for an unknown id, (`.invalidTransition`) for a pass that
    ///   already ended, so two loops that believe they own the same pass show up instead of overwriting.
    public func endPass(_ id: Int64, at time: Date, summary: String) throws(StoreError) {
        let path = self.path
        try write { db in
            try db.execute(sql: "UPDATE pass SET endedAt = ?, summary = ? WHERE id = ? AND endedAt IS NULL",
                           arguments: [time, summary, id])
            guard db.changesCount == 0 else { return }
            let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM pass WHERE id = ?)", arguments: [id]) ?? false
            throw exists
                ? StoreError(path: path, message: "pass \(id) has already ended", code: .invalidTransition)
                : StoreError(path: path, message: "no pass \(id)", code: .notFound)
        }
    }

    /// The newest `limit` passes, newest first.
    public func passes(limit: Int) throws(StoreError) -> [PassRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM pass ORDER BY id DESC LIMIT ?", arguments: [Self.clamp(limit)])
                .map(PassRecord.init(row:))
        }
    }
}
