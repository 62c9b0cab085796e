import Foundation
import GRDB

/// The life cycle of an attempt. Each change is one transaction that also appends the event
/// `attempt.<phase>`, and a final phase is never left: results can be replayed after a crash (the
/// supervisor's exit file read again, a distributed engine answering twice) without flipping history.
extension Store {
    /// Records a new attempt and numbers it: one more than the highest number of the same workflow, task
    /// and fingerprint, or 1 at a fingerprint never tried.
    ///
    /// `new.phase` is `.pending` for work to run, or a final phase (`.cached`, `.skipped`) recorded at once,
    /// which also sets `endedAt`.
    /// - Throws: `StoreError` for `.running` (an attempt runs only once a supervisor owns it: `markStarted`)
    ///   or an unknown pass.
    @discardableResult
    public func createAttempt(_ new: NewAttempt, at time: Date) throws(StoreError) -> Attempt {
        let path = self.path
        guard new.phase == .pending || new.phase.isFinal else {
            throw StoreError(path: path, message: "a new attempt of \(new.workflow)/\(new.task) cannot start "
                + "\(new.phase.rawValue); create it pending, then mark it started", code: .invalidTransition)
        }
        return try write { db in
            let passExists = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM pass WHERE id = ?)",
                                               arguments: [new.passID]) ?? false
            guard passExists else {
                throw StoreError(path: path, message: "no pass \(new.passID) for the attempt of \(new.workflow)/\(new.task)",
                                 code: .notFound)
            }
            let highest = try Int.fetchOne(db, sql: """
                SELECT MAX(number) FROM attempt WHERE workflow = ? AND task = ? AND fingerprint = ?
                """, arguments: [new.workflow, new.task, new.fingerprint]) ?? 0
            let number = highest + 1
            let endedAt: Date? = new.phase.isFinal ? time : nil
            try db.execute(sql: """
                INSERT INTO attempt (workflow, task, fingerprint, inputsJSON, commitOID, passID, number, isService,
                    node, phase, createdAt, endedAt, message, outputPath, attemptPath)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [new.workflow, new.task, new.fingerprint, new.inputsJSON, new.commit, new.passID,
                                 number, new.isService, new.node, new.phase.rawValue, time, endedAt, new.message,
                                 new.outputPath, new.attemptPath])
            let id = db.lastInsertedRowID
            var words = "\(new.task) attempt \(number) \(Self.verb(new.phase)) at \(new.fingerprint.prefix(12))"
            if let message = new.message { words += ": \(message)" }
            try Self.appendEvent(db, workflow: new.workflow, task: new.task, attemptID: id,
                                 kind: new.phase.eventKind, message: words, at: time)
            return try Self.require(db, id, path: path)
        }
    }

    /// Records that a supervisor now owns the attempt: `pending → running`.
    ///
    /// Marking it again with the same supervisor changes nothing (a replayed start); `node` nil keeps the
    /// node chosen at creation.
    /// - Throws: `StoreError` (`.alreadyFinal`) when the attempt has ended, (`.invalidTransition`) when another
    ///   supervisor already runs it — two supervisors would run the task twice —, (`.notFound`).
    @discardableResult
    public func markStarted(_ id: Int64, supervisorPID: Int32, node: String?, at time: Date) throws(StoreError) -> Attempt {
        let path = self.path
        return try write { db in
            let current = try Self.require(db, id, path: path)
            switch current.phase {
            case .pending:
                break
            case .running where current.supervisorPID == supervisorPID:
                return current
            case .running:
                throw StoreError(path: path, message: "attempt \(id) (\(current.workflow)/\(current.task)) already runs "
                    + "under supervisor \(current.supervisorPID.map(String.init) ?? "?"), not \(supervisorPID)",
                                 code: .invalidTransition)
            default:
                throw Self.alreadyFinal(current, refusing: .running, path: path)
            }
            try db.execute(sql: """
                UPDATE attempt SET phase = ?, startedAt = ?, supervisorPID = ?, node = COALESCE(?, node) WHERE id = ?
                """, arguments: [AttemptPhase.running.rawValue, time, supervisorPID, node, id])
            let started = try Self.require(db, id, path: path)
            let place = started.node.map { " on \($0)" } ?? ""
            try Self.appendEvent(db, workflow: started.workflow, task: started.task, attemptID: id,
                                 kind: AttemptPhase.running.eventKind,
                                 message: "\(started.task) attempt \(started.number) started\(place) (supervisor pid \(supervisorPID))",
                                 at: time)
            return started
        }
    }

    /// Records how the attempt ended, from `pending` (cancelled before it started, or failed to launch) or
    /// from `running`.
    ///
    /// - Throws: `StoreError` (`.alreadyFinal`) when the attempt has already ended — nothing changes and
    ///   no event is written —, (`.invalidTransition`) when `phase` is not final, (`.notFound`).
    @discardableResult
    public func markFinished(_ id: Int64, phase: AttemptPhase, exitCode: Int32?, message: String?,
                             at time: Date) throws(StoreError) -> Attempt {
        let path = self.path
        guard phase.isFinal else {
            throw StoreError(path: path, message: "attempt \(id) cannot finish as \(phase.rawValue): not a final phase",
                             code: .invalidTransition)
        }
        return try write { db in
            let current = try Self.require(db, id, path: path)
            guard !current.phase.isFinal else {
                throw Self.alreadyFinal(current, refusing: phase, path: path)
            }
            try db.execute(sql: "UPDATE attempt SET phase = ?, endedAt = ?, exitCode = ?, message = ? WHERE id = ?",
                           arguments: [phase.rawValue, time, exitCode, message, id])
            if phase == .succeeded {
                // Outputs made again after `sluice gc` removed them: the fingerprint is a cache hit again.
                try db.execute(sql: "DELETE FROM collectedOutput WHERE fingerprint = ?", arguments: [current.fingerprint])
            }
            let ended = try Self.require(db, id, path: path)
            var words = "\(ended.task) attempt \(ended.number) \(Self.verb(phase))"
            if let exitCode { words += " with exit code \(exitCode)" }
            if let message { words += ": \(message)" }
            try Self.appendEvent(db, workflow: ended.workflow, task: ended.task, attemptID: id,
                                 kind: phase.eventKind, message: words, at: time)
            return ended
        }
    }

    static func require(_ db: Database, _ id: Int64, path: String) throws -> Attempt {
        guard let attempt = try Attempt.fetchOne(db, id: id) else {
            throw StoreError(path: path, message: "no attempt \(id)", code: .notFound)
        }
        return attempt
    }

    private static func alreadyFinal(_ attempt: Attempt, refusing phase: AttemptPhase, path: String) -> StoreError {
        StoreError(path: path, message: "attempt \(attempt.id) (\(attempt.workflow)/\(attempt.task) #\(attempt.number)) "
            + "already ended \(attempt.phase.rawValue); refusing to mark it \(phase.rawValue)", code: .alreadyFinal)
    }

    private static func verb(_ phase: AttemptPhase) -> String {
        switch phase {
        case .pending: "pending"
        case .running: "started"
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .timedOut: "timed out"
        case .cancelled: "cancelled"
        case .skipped: "skipped"
        case .cached: "reused a cached result"
        }
    }
}
