import Foundation
import GRDB

/// The results of one succeeded attempt: the numbers of its metrics files, and what was wrong with them.
public struct MetricRun: Sendable, Codable, Hashable {
    public var attemptID: Int64
    public var task: String
    public var fingerprint: String
    /// The source commit the attempt ran for, as hex.
    public var commit: String
    public var endedAt: Date?
    public var values: [String: Double]
    /// A declared file that was missing, unreadable or held no numbers; the task still succeeded.
    public var warning: String?

    public init(attemptID: Int64, task: String, fingerprint: String, commit: String, endedAt: Date?, values: [String: Double], warning: String?) {
        self.attemptID = attemptID
        self.task = task
        self.fingerprint = fingerprint
        self.commit = commit
        self.endedAt = endedAt
        self.values = values
        self.warning = warning
    }
}

/// Metrics are written once, when an attempt succeeds, in the burst that records its end, and read by fingerprint: a
/// cache hit at a fingerprint shows the numbers of the run that made its outputs.
extension Store {
    /// Stores what an attempt's metrics files held. Recording the same attempt again replaces its numbers (a replayed end).
    public func recordMetrics(attemptID: Int64, values: [String: Double], warning: String?) throws(StoreError) {
        try write { db in
            try db.execute(sql: "DELETE FROM metric WHERE attemptID = ?", arguments: [attemptID])
            let insert = try db.cachedStatement(sql: "INSERT INTO metric (attemptID, name, value) VALUES (?, ?, ?)")
            for (name, value) in values.sorted(by: { $0.key < $1.key }) {
                try insert.execute(arguments: [attemptID, name, value])
            }
            try db.execute(sql: "DELETE FROM metricWarning WHERE attemptID = ?", arguments: [attemptID])
            if let warning {
                try db.execute(sql: "INSERT INTO metricWarning (attemptID, message) VALUES (?, ?)", arguments: [attemptID, warning])
            }
        }
    }

    /// The newest `limit` succeeded attempts of each task of the workflow that have metrics or a metrics warning, newest
    /// first, by task name: the trend on the status branch and "the previous run" come from these.
    public func metricRuns(workflow: String, limit: Int) throws(StoreError) -> [String: [MetricRun]] {
        try read { db in
            let runs = try Self.runs(db, where: "workflow = ?", [workflow], limit: limit)
            return Dictionary(grouping: runs, by: \.task)
        }
    }

    /// The newest succeeded attempt at `fingerprint` that has metrics or a warning, under any workflow name: the same
    /// fingerprint is the same work, so a preview's run or a twin's gives the numbers. Nil when none ran.
    public func metricRun(fingerprint: String) throws(StoreError) -> MetricRun? {
        try read { db in
            try Self.runs(db, where: "fingerprint = ?", [fingerprint], limit: 1).first
        }
    }

    /// The newest succeeded attempt at `fingerprint`, under any workflow: the one whose outputs a cache hit reuses.
    public func newestSuccess(fingerprint: String) throws(StoreError) -> Attempt? {
        try read { db in
            try Attempt.fetchAll(db, where: "fingerprint = ? AND phase = 'succeeded'", [fingerprint], suffix: "ORDER BY id DESC LIMIT 1").first
        }
    }

    /// For each of `fingerprints`, the newest succeeded attempt there with metrics or a warning, in one query.
    public func metricRuns(fingerprints: Set<String>) throws(StoreError) -> [String: MetricRun] {
        guard !fingerprints.isEmpty else { return [:] }
        let sorted = fingerprints.sorted()
        return try read { db in
            let runs = try Self.runs(db, where: "fingerprint IN (\(databaseQuestionMarks(count: sorted.count)))", StatementArguments(sorted),
                                     limit: .max, partition: "fingerprint")
            return Dictionary(runs.map { ($0.fingerprint, $0) }, uniquingKeysWith: { newer, _ in newer })
        }
    }

    /// The newest `limit` runs matching `condition` per `partition` (a task, or a fingerprint), newest first.
    private static func runs(_ db: Database, where condition: String, _ arguments: StatementArguments, limit: Int,
                             partition: String = "task") throws -> [MetricRun] {
        let attempts = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT id, task, fingerprint, commitOID, endedAt FROM (
                SELECT id, task, fingerprint, commitOID, endedAt, ROW_NUMBER() OVER (PARTITION BY \(partition) ORDER BY id DESC) AS rank
                FROM attempt
                WHERE \(condition) AND phase = 'succeeded'
                  AND (EXISTS (SELECT 1 FROM metric WHERE attemptID = attempt.id)
                       OR EXISTS (SELECT 1 FROM metricWarning WHERE attemptID = attempt.id)))
            WHERE rank <= ? ORDER BY \(partition), rank
            """), arguments: arguments + [clamp(limit)])
        guard !attempts.isEmpty else { return [] }
        let ids = attempts.map { $0["id"] as Int64 }
        let marks = databaseQuestionMarks(count: ids.count)
        var values: [Int64: [String: Double]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT attemptID, name, value FROM metric WHERE attemptID IN (\(marks))", arguments: StatementArguments(ids)) {
            values[row["attemptID"], default: [:]][row["name"]] = row["value"]
        }
        var warnings: [Int64: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT attemptID, message FROM metricWarning WHERE attemptID IN (\(marks))", arguments: StatementArguments(ids)) {
            warnings[row["attemptID"]] = row["message"]
        }
        return attempts.map { row in
            let id: Int64 = row["id"]
            return MetricRun(attemptID: id, task: row["task"], fingerprint: row["fingerprint"], commit: row["commitOID"],
                             endedAt: row["endedAt"], values: values[id] ?? [:], warning: warnings[id])
        }
    }
}
