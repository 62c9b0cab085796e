import Foundation
import Testing
@testable import SluiceStore

@Suite("Reading attempts and events back")
struct QueryTests {
    @Test("latestAttempts gives the newest attempt of each task of one workflow")
    func latestPerTask() throws {
        let store = try Store.inMemory()
        let pass = try store.beginPass(commit: "abc", trigger: "push", at: at(0))
        try store.ranAttempt(task: "train", fingerprint: "fp-1", pass: pass, phase: .failed, start: 1, end: 2)
        try store.ranAttempt(task: "train", fingerprint: "fp-1", pass: pass, phase: .succeeded, start: 3, end: 4)
        let newestTrain = try store.createAttempt(newAttempt(task: "train", fingerprint: "fp-2", pass: pass), at: at(5))
        let clean = try store.ranAttempt(task: "clean-data", fingerprint: "fp-c", pass: pass, phase: .succeeded, start: 1, end: 2)
        try store.ranAttempt(task: "train", fingerprint: "fp-9", pass: pass, phase: .succeeded, start: 6, end: 7, workflow: "other")

        let latest = try store.latestAttempts(workflow: "customer-service")
        #expect(latest.map(\.id) == [clean.id, newestTrain.id])
        #expect(latest.map(\.task) == ["clean-data", "train"])
        #expect(try store.latestAttempts(workflow: "nobody").isEmpty)
    }

    @Test("only succeeded attempts make a fingerprint reusable")
    func succeededFingerprints() throws {
        let store = try Store.inMemory()
        let pass = try store.beginPass(commit: "abc", trigger: "push", at: at(0))
        try store.ranAttempt(fingerprint: "fp-ok", pass: pass, phase: .succeeded, start: 0, end: 1)
        try store.ranAttempt(fingerprint: "fp-ok", pass: pass, phase: .succeeded, start: 2, end: 3)
        try store.ranAttempt(fingerprint: "fp-bad", pass: pass, phase: .failed, start: 0, end: 1)
        try store.ranAttempt(fingerprint: "fp-slow", pass: pass, phase: .timedOut, start: 0, end: 1)
        try store.createAttempt(newAttempt(fingerprint: "fp-reused", pass: pass, phase: .cached), at: at(1))
        let running = try store.createAttempt(newAttempt(fingerprint: "fp-run", pass: pass), at: at(1))
        try store.markStarted(running.id, supervisorPID: 1, node: nil, at: at(1))
        #expect(try store.succeededFingerprints() == ["fp-ok"])
    }

    @Test("lastSuccess is the newest succeeded or cached attempt, ignoring later failures")
    func lastSuccess() throws {
        let store = try Store.inMemory()
        let pass = try store.beginPass(commit: "abc", trigger: "push", at: at(0))
        #expect(try store.lastSuccesses(workflow: "customer-service")["train"] == nil)

        let first = try store.ranAttempt(fingerprint: "fp-1", pass: pass, phase: .succeeded, start: 0, end: 1)
        try store.ranAttempt(fingerprint: "fp-2", pass: pass, phase: .failed, start: 2, end: 3)
        #expect(try store.lastSuccesses(workflow: "customer-service")["train"] == first)

        let cached = try store.createAttempt(newAttempt(fingerprint: "fp-1", pass: pass, phase: .cached), at: at(4))
        #expect(try store.lastSuccesses(workflow: "customer-service")["train"] == cached)
        #expect(try store.lastSuccesses(workflow: "customer-service")["serve"] == nil)
    }

    @Test("successfulDurations: newest first, succeeded only, limited")
    func durations() throws {
        let store = try Store.inMemory()
        let pass = try store.beginPass(commit: "abc", trigger: "push", at: at(0))
        try store.ranAttempt(pass: pass, phase: .succeeded, start: 0, end: 10)
        try store.ranAttempt(pass: pass, phase: .succeeded, start: 100, end: 120)
        try store.ranAttempt(pass: pass, phase: .failed, start: 200, end: 201)
        try store.ranAttempt(pass: pass, phase: .succeeded, start: 300, end: 330)
        try store.createAttempt(newAttempt(pass: pass, phase: .cached), at: at(400))
        try store.ranAttempt(task: "clean-data", pass: pass, phase: .succeeded, start: 0, end: 999)

        #expect(try store.successfulDurations(workflow: "customer-service", limit: 10)["train"] == [30, 20, 10])
        #expect(try store.successfulDurations(workflow: "customer-service", limit: 2)["train"] == [30, 20])
        #expect(try store.successfulDurations(workflow: "customer-service", limit: 0).isEmpty)
        #expect(try store.successfulDurations(workflow: "customer-service", limit: -1).isEmpty)
    }

    @Test("unfinishedAttempts lists pending and running attempts of every workflow")
    func unfinished() throws {
        let store = try Store.inMemory()
        let pass = try store.beginPass(commit: "abc", trigger: "push", at: at(0))
        let pending = try store.createAttempt(newAttempt(workflow: "a", pass: pass), at: at(1))
        let running = try store.createAttempt(newAttempt(workflow: "b", pass: pass), at: at(2))
        try store.markStarted(running.id, supervisorPID: 9, node: nil, at: at(3))
        try store.ranAttempt(pass: pass, phase: .succeeded, start: 4, end: 5)
        try store.createAttempt(newAttempt(workflow: "c", pass: pass, phase: .skipped), at: at(6))
        #expect(try store.unfinishedAttempts().map(\.id) == [pending.id, running.id])
    }

    @Test("attempts of a task and of a pass come oldest first")
    func byTaskAndPass() throws {
        let store = try Store.inMemory()
        let first = try store.beginPass(commit: "abc", trigger: "push", at: at(0))
        let second = try store.beginPass(commit: "def", trigger: "timer", at: at(10))
        let a = try store.createAttempt(newAttempt(pass: first), at: at(1))
        let b = try store.createAttempt(newAttempt(task: "clean-data", pass: first), at: at(1))
        let c = try store.createAttempt(newAttempt(fingerprint: "fp-b", pass: second), at: at(11))
        #expect(try store.attempts(workflow: "customer-service", task: "train").map(\.id) == [a.id, c.id])
        #expect(try store.attempts(pass: first).map(\.id) == [a.id, b.id])
        #expect(try store.attempts(pass: second).map(\.id) == [c.id])
        #expect(c.commit == "5c1e0a2f")
    }

    @Test("events come newest first, of one workflow or of all, limited")
    func events() throws {
        let store = try Store.inMemory()
        try store.recordEvent(workflow: "a", task: nil, attemptID: nil, kind: "workflow.invalid", message: "a.yaml:3:5: bad", at: at(1))
        try store.recordEvent(workflow: nil, task: nil, attemptID: nil, kind: "status.push", message: "retried", at: at(3))
        try store.recordEvent(workflow: "b", task: "t", attemptID: nil, kind: "workflow.removed", message: "gone", at: at(2))
        try store.recordEvent(workflow: "a", task: nil, attemptID: nil, kind: "workflow.valid", message: "fixed", at: at(4))

        #expect(try store.events(workflow: nil, limit: 10).map(\.time) == [at(4), at(3), at(2), at(1)])
        #expect(try store.events(workflow: nil, limit: 2).map(\.kind) == ["workflow.valid", "status.push"])
        #expect(try store.events(workflow: "a", limit: 10).map(\.kind) == ["workflow.valid", "workflow.invalid"])
        let b = try #require(try store.events(workflow: "b", limit: 10).first)
        #expect(b.task == "t" && b.message == "gone" && b.attemptID == nil)

        let unknown = #expect(throws: StoreError.self) {
            try store.recordEvent(workflow: "a", task: nil, attemptID: 12345, kind: "x", message: "y", at: at(5))
        }
        #expect(unknown?.code == .sqlite)   // the foreign key refuses an event about no attempt
    }
}
