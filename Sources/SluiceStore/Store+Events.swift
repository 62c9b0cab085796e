import Foundation
import GRDB

extension Store {
    /// Appends a line of history that is not an attempt's phase change (those the store writes itself):
    /// a manifest error, a pruned workflow, a push that was retried.
    public func recordEvent(workflow: String?, task: String?, attemptID: Int64?, kind: String, message: String,
                            at time: Date) throws(StoreError) {
        try write { db in
            try Self.appendEvent(db, workflow: workflow, task: task, attemptID: attemptID, kind: kind,
                                 message: message, at: time)
        }
    }

    /// The newest `limit` events, newest first; of one workflow, or of all when `workflow` is nil.
    public func events(workflow: String?, limit: Int) throws(StoreError) -> [StoredEvent] {
        try read { db in
            let rows: [Row]
            if let workflow {
                rows = try Row.fetchAll(db, sql: """
                    SELECT * FROM event WHERE workflow = ? ORDER BY time DESC, id DESC LIMIT ?
                    """, arguments: [workflow, Self.clamp(limit)])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM event ORDER BY time DESC, id DESC LIMIT ?",
                                        arguments: [Self.clamp(limit)])
            }
            return rows.map(StoredEvent.init(row:))
        }
    }

    /// Inside the caller's transaction, so a change and its event commit together.
    static func appendEvent(_ db: Database, workflow: String?, task: String?, attemptID: Int64?, kind: String,
                            message: String, at time: Date) throws {
        try db.execute(sql: """
            INSERT INTO event (time, workflow, task, attemptID, kind, message) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [time, workflow, task, attemptID, kind, message])
    }
}
