import GRDB

/// The database layout and its history. Every change to the layout is a new migration appended to
/// `migrator`: a migration that has shipped is never edited, so that any older state file upgrades in place.
enum Schema {
    /// `PRAGMA application_id` of every Sluice database: "SLCE" in ASCII. SQLite keeps it in the file header,
    /// which lets `Store` tell its own file from any other SQLite file before touching it.
    static let applicationID: Int32 = 0x534C_4345

    /// Connection settings shared by the file pool and the in-memory queue.
    static func configuration() -> Configuration {
        var config = Configuration()
        config.label = "SluiceStore"
        config.foreignKeysEnabled = true
        // The controller writes while `sluice status` or the HTTP server read, possibly from another process;
        // waiting a little for the write lock beats failing a pass on a momentary SQLITE_BUSY.
        config.busyMode = .timeout(10)
        // Runs on every connection before GRDB switches the file to WAL, so a foreign file is refused
        // before anything is written to it.
        config.prepareDatabase { db in try checkMarker(db) }
        return config
    }

    /// Accepts a Sluice database or an empty one (a new file, or one whose first migration never committed).
    static func checkMarker(_ db: Database) throws {
        let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        if id == applicationID { return }
        if id != 0 {
            let hex = String(UInt32(bitPattern: id), radix: 16)
            throw NotSluiceDatabase(message: StoreError.notSluice("a SQLite database of another program, application_id 0x\(hex)"))
        }
        let objects = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
        if objects > 0 {
            throw NotSluiceDatabase(message: StoreError.notSluice("a SQLite database without Sluice's schema marker"))
        }
    }

    /// Brings the database up to date; refuses a database that a newer Sluice has migrated further,
    /// since this version would misread tables it does not know.
    static func migrate(_ writer: any DatabaseWriter, path: String) throws(StoreError) {
        do {
            let superseded = try writer.read { db in try migrator.hasBeenSuperseded(db) }
            if superseded {
                throw StoreError(path: path, message: "written by a newer version of Sluice (unknown schema migrations); "
                    + "run that version, or move the file aside to start afresh", code: .newerSchema)
            }
            try migrator.migrate(writer)
        } catch {
            throw StoreError(wrapping: error, path: path)
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1", migrate: v1)
        migrator.registerMigration("v2-workflow-tasks", migrate: v2)
        migrator.registerMigration("v3-metrics", migrate: v3)
        migrator.registerMigration("v4-operations", migrate: v4)
        migrator.registerMigration("v5-collected-outputs", migrate: v5)
        return migrator
    }

    /// Fingerprints whose outputs `sluice gc` removed: their successes no longer make a cache hit, until a new success
    /// at the fingerprint makes the outputs again.
    private static func v5(_ db: Database) throws {
        try db.create(table: "collectedOutput", options: [.withoutRowID]) { t in
            t.primaryKey("fingerprint", .text)
            t.column("collectedAt", .datetime).notNull()
        }
    }

    /// What operators do beside git: reruns asked for by a person (`sluice rerun`, the API), and the parts of each
    /// workflow's definition in force that a status shows without reading git (suspended, schedule, needs).
    private static func v4(_ db: Database) throws {
        try db.create(table: "rerunRequest") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("workflow", .text).notNull()
            t.column("task", .text).notNull()
            t.column("fingerprint", .text).notNull()
            t.column("requestedBy", .text).notNull()
            t.column("requestedAt", .datetime).notNull()
        }
        try db.create(index: "rerunRequest_byTask", on: "rerunRequest", columns: ["workflow", "task"])
        try db.alter(table: "workflow") { t in t.add(column: "shapeJSON", .text) }
    }

    /// The numbers a succeeded attempt's metrics files held, and what was wrong with them. Kept apart from the outputs so
    /// they outlive them; deleting an attempt deletes its metrics.
    private static func v3(_ db: Database) throws {
        try db.create(table: "metric", options: [.withoutRowID]) { t in
            t.column("attemptID", .integer).notNull().references("attempt", onDelete: .cascade)
            t.column("name", .text).notNull()
            t.column("value", .double).notNull()
            t.primaryKey(["attemptID", "name"])
        }
        try db.create(table: "metricWarning") { t in
            t.primaryKey("attemptID", .integer).references("attempt", onDelete: .cascade)
            t.column("message", .text).notNull()
        }
    }

    /// The tasks of each workflow's definition in force, so that a task renamed or deleted in git leaves the status.
    /// NULL (a database from before) means unknown: every task with an attempt is shown until the next pass.
    private static func v2(_ db: Database) throws {
        try db.alter(table: "workflow") { t in t.add(column: "tasksJSON", .text) }
    }

    /// The first layout. Dates are GRDB's "yyyy-MM-dd HH:mm:ss.SSS" text in UTC: readable in `sqlite3`,
    /// and its order is time order. Column names avoid SQL keywords (`commit`, `trigger`) so hand-written
    /// queries need no quoting.
    private static func v1(_ db: Database) throws {
        try db.execute(sql: "PRAGMA application_id = \(applicationID)")

        try db.create(table: "observedCommit") { t in
            t.primaryKey("oid", .text)
            t.column("summary", .text).notNull()
            t.column("observedAt", .datetime).notNull()
        }

        try db.create(table: "workflow") { t in
            t.primaryKey("name", .text)
            t.column("lastGoodCommit", .text)
            t.column("lastSeenCommit", .text)
            t.column("errorsJSON", .text).notNull().defaults(to: "[]")
            t.column("removedAt", .datetime)
        }

        try db.create(table: "pass") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("commitOID", .text).notNull()
            t.column("triggeredBy", .text).notNull()
            t.column("startedAt", .datetime).notNull()
            t.column("endedAt", .datetime)
            t.column("summary", .text)
        }

        let phases = AttemptPhase.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        try db.create(table: "attempt") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("workflow", .text).notNull()
            t.column("task", .text).notNull()
            t.column("fingerprint", .text).notNull()
            t.column("inputsJSON", .text).notNull()
            t.column("commitOID", .text).notNull()
            t.column("passID", .integer).notNull().references("pass")
            t.column("number", .integer).notNull().check(sql: "number >= 1")
            t.column("isService", .boolean).notNull()
            t.column("node", .text)
            t.column("phase", .text).notNull().check(sql: "phase IN (\(phases))")
            t.column("createdAt", .datetime).notNull()
            t.column("startedAt", .datetime)
            t.column("endedAt", .datetime)
            t.column("exitCode", .integer)
            t.column("message", .text)
            t.column("outputPath", .text).notNull()
            t.column("attemptPath", .text).notNull()
            t.column("supervisorPID", .integer)
            // Numbering is assigned inside the insert's transaction; the constraint makes a bug loud.
            t.uniqueKey(["workflow", "task", "fingerprint", "number"])
        }
        // History of a task, newest per task, last success, durations: SQLite appends the rowid to every
        // index entry, so this index also yields each task's attempts in id order.
        try db.create(index: "attempt_byTask", on: "attempt", columns: ["workflow", "task"])
        try db.create(index: "attempt_byPass", on: "attempt", columns: ["passID"])
        // Unfinished attempts and succeeded fingerprints.
        try db.create(index: "attempt_byPhase", on: "attempt", columns: ["phase", "fingerprint"])

        try db.create(table: "event") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("time", .datetime).notNull()
            t.column("workflow", .text)
            t.column("task", .text)
            t.column("attemptID", .integer).references("attempt", onDelete: .setNull)
            t.column("kind", .text).notNull()
            t.column("message", .text).notNull()
        }
        try db.create(index: "event_byTime", on: "event", columns: ["time"])
        try db.create(index: "event_byWorkflow", on: "event", columns: ["workflow", "time"])
        try db.create(index: "event_byAttempt", on: "event", columns: ["attemptID"])
    }
}
