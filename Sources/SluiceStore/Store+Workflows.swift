import Foundation
import GRDB

extension Store {
    /// Every workflow the controller has seen, removed ones included, by name.
    public func workflowStates() throws(StoreError) -> [WorkflowState] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM workflow ORDER BY name").map(WorkflowState.init(row:))
        }
    }

    public func workflowState(_ name: String) throws(StoreError) -> WorkflowState? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM workflow WHERE name = ?", arguments: [name])
                .map(WorkflowState.init(row:))
        }
    }

    /// Inserts or replaces the state of the workflow of this name. A pass saves every workflow every time
    /// (level-triggered), so saving an unchanged state is harmless.
    public func saveWorkflowState(_ state: WorkflowState) throws(StoreError) {
        try write { db in
            try db.execute(sql: """
                INSERT INTO workflow (name, lastGoodCommit, lastSeenCommit, errorsJSON, removedAt, tasksJSON, shapeJSON)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET
                    lastGoodCommit = excluded.lastGoodCommit,
                    lastSeenCommit = excluded.lastSeenCommit,
                    errorsJSON = excluded.errorsJSON,
                    removedAt = excluded.removedAt,
                    tasksJSON = excluded.tasksJSON,
                    shapeJSON = excluded.shapeJSON
                """, arguments: [state.name, state.lastGoodCommit, state.lastSeenCommit, state.errorsJSON,
                                 state.removedAt, state.tasksJSON, state.shapeJSON])
        }
    }
}
