import Foundation
import GRDB
import Testing
@testable import SluiceStore

@Suite("Readers and writers on one file")
struct ConcurrencyTests {
    @Test("another Store reads while a write transaction is open, seeing only committed data")
    func readDuringWrite() throws {
        try withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("state.sqlite").path
            let loop = try Store(path: path)
            let server = try Store(path: path)
            let pass = try loop.beginPass(commit: "abc", trigger: "push", at: at(0))

            try loop.writer.write { db in
                try db.execute(sql: "INSERT INTO pass (commitOID, triggeredBy, startedAt) VALUES ('def', 'timer', ?)",
                               arguments: [at(1)])
                // Under a rollback journal this read could hit the writer's lock; in WAL it reads the last commit.
                #expect(try server.passes(limit: 10).map(\.id) == [pass])
            }
            #expect(try server.passes(limit: 10).count == 2)
        }
    }

    @Test("a reader keeps reading while another Store writes a stream of attempts")
    func readWhileWriting() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("state.sqlite").path
            let loop = try Store(path: path)
            let server = try Store(path: path)
            let pass = try loop.beginPass(commit: "abc", trigger: "push", at: at(0))
            let total = 200

            let writer = Task.detached {
                for second in 0..<total {
                    let attempt = try loop.createAttempt(newAttempt(pass: pass), at: at(second))
                    try loop.markFinished(attempt.id, phase: .failed, exitCode: 1, message: nil, at: at(second))
                }
            }
            var seen: [Int] = []
            let deadline = Date().addingTimeInterval(60)   // a failing writer must not leave the reader spinning
            while seen.last != total && Date() < deadline {
                seen.append(try server.attempts(pass: pass).count)
                await Task.yield()
            }
            try await writer.value
            #expect(seen == seen.sorted())   // reads never go back in time
            #expect(try server.attempts(workflow: "customer-service", task: "train").map(\.number) == Array(1...total))
        }
    }

    @Test("two Stores creating attempts at once never give two attempts the same number")
    func concurrentNumbering() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("state.sqlite").path
            let first = try Store(path: path)
            let second = try Store(path: path)
            let pass = try first.beginPass(commit: "abc", trigger: "push", at: at(0))

            try await withThrowingTaskGroup(of: Void.self) { group in
                for store in [first, second] {
                    group.addTask {
                        for second in 0..<50 {
                            _ = try store.createAttempt(newAttempt(pass: pass), at: at(second))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let numbers = try first.attempts(workflow: "customer-service", task: "train").map(\.number)
            #expect(numbers == Array(1...100))
        }
    }
}
