import Foundation
import GRDB

extension Store {
    /// Fingerprints whose outputs were removed by `sluice gc` and not made again since.
    public func collectedFingerprints() throws(StoreError) -> Set<String> {
        try read { db in try String.fetchSet(db, sql: "SELECT fingerprint FROM collectedOutput") }
    }

    /// Records that the outputs of `fingerprints` are gone, in the transaction of the caller's choice: before the
    /// folders are removed, so a crash between the two leaves outputs unused, never a cache hit without outputs.
    public func markOutputsCollected(_ fingerprints: Set<String>, at time: Date) throws(StoreError) {
        try write { db in
            for fingerprint in fingerprints {
                try db.execute(sql: "INSERT OR REPLACE INTO collectedOutput (fingerprint, collectedAt) VALUES (?, ?)",
                               arguments: [fingerprint, time])
            }
        }
    }

    /// The distinct fingerprints of the newest `limit` successful runs of each task, by `workflow/task`.
    public func recentSuccessfulFingerprints(limit: Int) throws(StoreError) -> [String: [String]] {
        try read { db in
            var found: [String: [String]] = [:]
            let rows = try Row.fetchAll(db, sql: "SELECT workflow, task, fingerprint FROM attempt WHERE phase = ? ORDER BY id DESC",
                                        arguments: [AttemptPhase.succeeded.rawValue])
            for row in rows {
                let key = "\(row["workflow"] as String)/\(row["task"] as String)"
                let fingerprint: String = row["fingerprint"]
                if found[key, default: []].count < limit, !found[key, default: []].contains(fingerprint) { found[key, default: []].append(fingerprint) }
            }
            return found
        }
    }
}
