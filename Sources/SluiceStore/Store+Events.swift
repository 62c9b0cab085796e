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

    /// Running services whose latest health event says healthy: what another process (`sluice status`) knows of
    /// the health checks the controller makes, so that it shows the same phase as the controller.
    public func servicesLastSeenHealthy() throws(StoreError) -> Set<Int64> {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT event.attemptID, event.kind FROM event JOIN attempt ON attempt.id = event.attemptID
                WHERE attempt.isService AND attempt.phase = 'running' AND event.kind IN ('healthy', 'unhealthy')
                ORDER BY event.id
                """)
            var healthy = Set<Int64>()
            for row in rows {
                let id: Int64 = row["attemptID"]
                let kind: String = row["kind"]
                if kind == "healthy" { healthy.insert(id) } else { healthy.remove(id) }
            }
            return healthy
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
