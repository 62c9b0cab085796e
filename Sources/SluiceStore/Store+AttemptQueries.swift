import Foundation
import GRDB

/// What the planner, the status writer and the optimizer read back. Order is creation order (the id), not
/// the caller-supplied times, so that two attempts created in the same millisecond still sort right.
extension Store {
    public func attempt(_ id: Int64) throws(StoreError) -> Attempt? {
        try read { db in try Attempt.fetchOne(db, id: id) }
    }

    /// Every attempt of a task, oldest first.
    public func attempts(workflow: String, task: String) throws(StoreError) -> [Attempt] {
        try read { db in try Attempt.fetchAll(db, where: "workflow = ? AND task = ?", [workflow, task]) }
    }

    /// Every attempt of the workflow at one of `fingerprints`, oldest first: what a reconcile step needs of a
    /// workflow in one query, instead of one per task.
    public func attempts(workflow: String, fingerprints: Set<String>) throws(StoreError) -> [Attempt] {
        guard !fingerprints.isEmpty else { return [] }
        let sorted = fingerprints.sorted()
        return try read { db in
            try Attempt.fetchAll(db, where: "workflow = ? AND fingerprint IN (\(databaseQuestionMarks(count: sorted.count)))",
                                 StatementArguments([workflow] + sorted))
        }
    }

    /// The newest `limit` attempts of a workflow that started (cache hits and skips never do), oldest first.
    public func startedAttempts(workflow: String, limit: Int) throws(StoreError) -> [Attempt] {
        try read { db in
            try Attempt.fetchAll(db, where: "id IN (SELECT id FROM attempt WHERE workflow = ? AND startedAt IS NOT NULL ORDER BY id DESC LIMIT ?)",
                                 [workflow, limit])
        }
    }

    /// The attempts a pass created, oldest first.
    public func attempts(pass: Int64) throws(StoreError) -> [Attempt] {
        try read { db in try Attempt.fetchAll(db, where: "passID = ?", [pass]) }
    }

    /// The newest attempt of each task of the workflow, by task name.
    public func latestAttempts(workflow: String) throws(StoreError) -> [Attempt] {
        try read { db in
            try Attempt.fetchAll(db, where: """
                id IN (SELECT MAX(id) FROM attempt WHERE workflow = ? GROUP BY task)
                """, [workflow], suffix: "ORDER BY task")
        }
    }

    /// Pending or running attempts of any workflow, oldest first: what a restarted controller must adopt,
    /// resolve from the supervisors' exit files, or cancel.
    public func unfinishedAttempts() throws(StoreError) -> [Attempt] {
        try read { db in
            try Attempt.fetchAll(db, where: "phase IN (?, ?)",
                                 [AttemptPhase.pending.rawValue, AttemptPhase.running.rawValue])
        }
    }

    /// Fingerprints with a succeeded attempt, whose outputs a task at that fingerprint can reuse.
    /// `cached` attempts are not counted: they reuse one of these and add no outputs of their own.
    public func succeededFingerprints() throws(StoreError) -> Set<String> {
        try read { db in
            try String.fetchSet(db, sql: """
                SELECT DISTINCT fingerprint FROM attempt WHERE phase = ? AND fingerprint NOT IN (SELECT fingerprint FROM collectedOutput)
                """, arguments: [AttemptPhase.succeeded.rawValue])
        }
    }

    /// The newest attempt of each task that succeeded or reused a cached result (the version in force), by task name.
    public func lastSuccesses(workflow: String) throws(StoreError) -> [String: Attempt] {
        try read { db in
            let rows = try Attempt.fetchAll(db, where: """
                id IN (SELECT MAX(id) FROM attempt WHERE workflow = ? AND phase IN (?, ?)
                       AND fingerprint NOT IN (SELECT fingerprint FROM collectedOutput) GROUP BY task)
                """, [workflow, AttemptPhase.succeeded.rawValue, AttemptPhase.cached.rawValue])
            return Dictionary(rows.map { ($0.task, $0) }, uniquingKeysWith: { _, newer in newer })
        }
    }

    /// Durations in seconds of the newest `limit` succeeded attempts of each task, by task name, newest first: the
    /// optimizer learns its estimates from these. Failed, timed-out and cached attempts would skew them, so only real
    /// successes with both times count. One query for the whole workflow.
    public func successfulDurations(workflow: String, limit: Int) throws(StoreError) -> [String: [Double]] {
        try read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT task, startedAt, endedAt FROM (
                    SELECT task, startedAt, endedAt, ROW_NUMBER() OVER (PARTITION BY task ORDER BY id DESC) AS rank
                    FROM attempt
                    WHERE workflow = ? AND phase = ? AND startedAt IS NOT NULL AND endedAt IS NOT NULL)
                WHERE rank <= ? ORDER BY task, rank
                """), arguments: [workflow, AttemptPhase.succeeded.rawValue, Self.clamp(limit)])
            var durations: [String: [Double]] = [:]
            for row in rows {
                durations[row["task"], default: []].append((row["endedAt"] as Date).timeIntervalSince(row["startedAt"] as Date))
            }
            return durations
        }
    }

    /// How many attempts each task of the workflow has at each fingerprint: task → fingerprint → count.
    public func attemptCounts(workflow: String) throws(StoreError) -> [String: [String: Int]] {
        try read { db in
            var counts: [String: [String: Int]] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT task, fingerprint, COUNT(*) AS n FROM attempt WHERE workflow = ? GROUP BY task, fingerprint"),
                                        arguments: [workflow]) {
                counts[row["task"], default: [:]][row["fingerprint"]] = row["n"]
            }
            return counts
        }
    }
}
