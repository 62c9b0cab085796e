import Foundation
import GRDB

extension Store {
    /// Records that `by` asks for a new attempt of each task at its fingerprint now; an event says so in the history.
    public func requestRerun(workflow: String, tasks: [(task: String, fingerprint: String)], by person: String, at time: Date) throws(StoreError) {
        try write { db in
            for (task, fingerprint) in tasks {
                try db.execute(sql: """
                    INSERT INTO rerunRequest (workflow, task, fingerprint, requestedBy, requestedAt) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [workflow, task, fingerprint, person, time])
                try Self.appendEvent(db, workflow: workflow, task: task, attemptID: nil, kind: "rerun.requested",
                                     message: "\(task): a rerun at \(fingerprint.prefix(12)) asked for by \(person)", at: time)
            }
        }
    }

    /// The newest rerun request of each task of `workflow` (at any fingerprint), by task name.
    public func rerunRequests(workflow: String) throws(StoreError) -> [String: RerunRequest] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT workflow, task, fingerprint, requestedBy, requestedAt FROM rerunRequest
                WHERE id IN (SELECT MAX(id) FROM rerunRequest WHERE workflow = ? GROUP BY task)
                """, arguments: [workflow])
            return Dictionary(rows.map { row in
                (row["task"] as String, RerunRequest(workflow: row["workflow"], task: row["task"], fingerprint: row["fingerprint"],
                                                     requestedBy: row["requestedBy"], requestedAt: row["requestedAt"]))
            }, uniquingKeysWith: { first, _ in first })
        }
    }
}
