import Foundation
import GRDB

/// Decoding of the stored rows. Kept beside the schema's column names rather than as GRDB record
/// conformances on the public types, so that GRDB stays an implementation detail of this module.
struct CorruptRow: Error, CustomStringConvertible {
    var description: String
}

extension Attempt {
    static let columns = """
        id, workflow, task, fingerprint, inputsJSON, commitOID, passID, number, isService, node, phase, \
        createdAt, startedAt, endedAt, exitCode, message, outputPath, attemptPath, supervisorPID
        """

    init(row: Row) throws {
        let rawPhase: String = row["phase"]
        guard let phase = AttemptPhase(rawValue: rawPhase) else {
            throw CorruptRow(description: "attempt \(row["id"] as Int64) has an unknown phase '\(rawPhase)'")
        }
        self.init(id: row["id"], workflow: row["workflow"], task: row["task"], fingerprint: row["fingerprint"],
                  inputsJSON: row["inputsJSON"], commit: row["commitOID"], passID: row["passID"],
                  number: row["number"], isService: row["isService"], node: row["node"], phase: phase,
                  createdAt: row["createdAt"], startedAt: row["startedAt"], endedAt: row["endedAt"],
                  exitCode: row["exitCode"], message: row["message"], outputPath: row["outputPath"],
                  attemptPath: row["attemptPath"], supervisorPID: row["supervisorPID"])
    }

    static func fetchAll(_ db: Database, where condition: String, _ arguments: StatementArguments = [],
                         suffix: String = "ORDER BY id") throws -> [Attempt] {
        let sql = "SELECT \(columns) FROM attempt WHERE \(condition) \(suffix)"
        // Cached: the engine runs the same few queries thousands of times, and compiling one is most of its cost.
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map(Attempt.init(row:))
    }

    static func fetchOne(_ db: Database, id: Int64) throws -> Attempt? {
        try fetchAll(db, where: "id = ?", [id]).first
    }
}

extension PassRecord {
    init(row: Row) {
        self.init(id: row["id"], commit: row["commitOID"], trigger: row["triggeredBy"], startedAt: row["startedAt"],
                  endedAt: row["endedAt"], summary: row["summary"])
    }
}

extension StoredEvent {
    init(row: Row) {
        self.init(id: row["id"], time: row["time"], workflow: row["workflow"], task: row["task"],
                  attemptID: row["attemptID"], kind: row["kind"], message: row["message"])
    }
}

extension WorkflowState {
    init(row: Row) throws {
        let json: String = row["errorsJSON"]
        let errors: [String]
        do {
            errors = try JSONDecoder().decode([String].self, from: Data(json.utf8))
        } catch {
            throw CorruptRow(description: "workflow \(row["name"] as String) has unreadable errors: \(json)")
        }
        let tasksJSON: String? = row["tasksJSON"]
        let tasks = tasksJSON.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) }
        self.init(name: row["name"], lastGoodCommit: row["lastGoodCommit"], lastSeenCommit: row["lastSeenCommit"],
                  errors: errors, removedAt: row["removedAt"], tasks: tasks)
        let shapeJSON: String? = row["shapeJSON"]
        shape = shapeJSON.flatMap { try? JSONDecoder().decode(WorkflowShape.self, from: Data($0.utf8)) }
    }

    var shapeJSON: String? {
        shape.flatMap { try? JSONEncoder().encode($0) }.map { String(decoding: $0, as: UTF8.self) }
    }

    var tasksJSON: String? {
        tasks.flatMap { try? JSONEncoder().encode($0) }.map { String(decoding: $0, as: UTF8.self) }
    }

    var errorsJSON: String {
        // Encoding an array of strings cannot fail.
        let data = (try? JSONEncoder().encode(errors)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

extension CommitRecord {
    init(row: Row) {
        self.init(oid: row["oid"], summary: row["summary"], observedAt: row["observedAt"])
    }
}
