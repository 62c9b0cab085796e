import Foundation
import Testing
@testable import SluiceStore

@Suite("Attempt life cycle")
struct AttemptLifecycleTests {
    @Test("retries count up per fingerprint; a new fingerprint starts again at 1")
    func numbering() throws {
        let store = try Store.inMemory()
        let pass = try store.beginPass(commit: "abc", trigger: "push", at: at(0))
        var numbers: [Int] = []
        for second in 1...3 {
            let attempt = try store.createAttempt(newAttempt(fingerprint: "fp-a", pass: pass), at: at(second))
            try store.markFinished(attempt.id, phase: .failed, exitCode: 1, message: nil, at: at(second))
            numbers.append(attempt.number)
        }
        #expect(numbers == [1, 2, 3])
        #expect(try store.createAttempt(newAttempt(fingerprint: "fp-b", pass: pass), at: at(10)).number == 1)
        #expect(try store.createAttempt(newAttempt(fingerprint: "fp-b", pass: pass), at: at(11)).number == 2)
        // Back to the first fingerprint (a revert): its count goes on.
        #expect(try store.createAttempt(newAttempt(fingerprint: "fp-a", pass: pass), at: at(12)).number == 4)
        // Same fingerprint, another task or workflow: counted apart.
        #expect(try store.createAttempt(newAttempt(task: "clean-data", fingerprint: "fp-a", pass: pass), at: at(13)).number == 1)
        #expect(try store.createAttempt(newAttempt(workflow: "other", fingerprint: "fp-a", pass: pass), at: at(14)).number == 1)
    }

    @Test("a started and finished attempt keeps its supervisor, node, times, exit code and duration")
    func fullLifeCycle() throws {
        let store = try Store.inMemory()
        let pass = try store.beginPass(commit: "abc", trigger: "push", at: at(0))
        let created = try store.createAttempt(newAttempt(pass: pass, node: "node-2"), at: at(1))
        #expect(created.phase == .pending)
        #expect(created.createdAt == at(1))
        #expect(created.startedAt == nil && created.endedAt == nil && created.duration == nil)
        #expect(created.node == "node-2")
        #expect(created.passID == pass)
        #expect(created.inputsJSON == #"{"run":"python3 tasks/train.py"}"#)

        let started = try store.markStarted(created.id, supervisorPID: 777, node: nil, at: at(5))
        #expect(started.phase == .running)
        #expect(started.supervisorPID == 777)
        #expect(started.node == "node-2")     // nil keeps the node chosen at creation
        #expect(started.startedAt == at(5))

        let ended = try store.markFinished(created.id, phase: .timedOut, exitCode: 137, message: "timed out after 1m", at: at(65))
        #expect(ended.phase == .timedOut)
        #expect(ended.exitCode == 137)
        #expect(ended.message == "timed out after 1m")
        #expect(ended.endedAt == at(65))
        #expect(ended.duration == 60)
        #expect(try store.attempt(created.id) == ended)
    }

    @Test("markStarted with a node moves the attempt to that node")
    func startOnOtherNode() throws {
        let store = try Store.inMemory()
        let pass = try store.beginPass(commit: "abc", trigger: "push", at: at(0))
        let created = try store.createAttempt(newAttempt(pass: pass, node: "node-1"), at: at(1))
        #expect(try store.markStarted(created.id, supervisorPID: 1, node: "node-3", at: at(2)).node == "node-3")
    }

    static let finalPhases = AttemptPhase.allCases.filter(\.isFinal)

    @Test("a final attempt is never moved again, and a refused change writes nothing", arguments: finalPhases)
    func finalIsFinal(phase: AttemptPhase) throws {
        let store = try Store.inMemory()
        let pass = try store.beginPass(commit: "abc", trigger: "push", at: at(0))
        let ended: Attempt
        if phase == .cached || phase == .skipped {
            ended = try store.createAttempt(newAttempt(pass: pass, phase: phase), at: at(1))
        } else {
            let created = try store.createAttempt(newAttempt(pass: pass), at: at(1))
            try store.markStarted(created.id, supervisorPID: 10, node: "node-1", at: at(2))
            ended = try store.markFinished(created.id, phase: phase, exitCode: 0, message: nil, at: at(3))
        }
        let eventsBefore = try store.allEvents()

        for replay in Self.finalPhases {
            let error = #expect(throws: StoreError.self) {
                try store.markFinished(ended.id, phase: replay, exitCode: 9, message: "replayed", at: at(99))
            }
            #expect(error?.code == .alreadyFinal)
        }
        let restart = #expect(throws: StoreError.self) {
            try store.markStarted(ended.id, supervisorPID: 11, node: nil, at: at(99))
        }
        #expect(restart?.code == .alreadyFinal)
        #expect(try store.attempt(ended.id) == ended)
        #expect(try store.allEvents() == eventsBefore)
    }

    @Test("AttemptPhase.isFinal holds for all but pending and running")
    func finality() {
        #expect(AttemptPhase.allCases.filter { !$0.isFinal } == [.pending, .running])
    }

    @Test("a replayed start by the same supervisor is a no-op; another supervisor is refused")
    func replayedStart() throws {
        let store = try Store.inMemory()
        let pass = try store.beginPass(commit: "abc", trigger: "push", at: at(0))
        let created = try store.createAttempt(newAttempt(pass: pass), at: at(1))
        let started = try store.markStarted(created.id, supervisorPID: 300, node: "node-1", at: at(2))
        let eventCount = try store.allEvents().count

        #expect(try store.markStarted(created.id, supervisorPID: 300, node: "node-1", at: at(50)) == started)
        #expect(try store.allEvents().count == eventCount)

        let error = #expect(throws: StoreError.self) {
            try store.markStarted(created.id, supervisorPID: 301, node: "node-1", at: at(51))
        }
        #expect(error?.code == .invalidTransition)
        #expect(try store.attempt(created.id)?.supervisorPID == 300)
    }

    @Test("an attempt can end without starting: cancelled while pending")
    func cancelPending() throws {
        let store = try Store.inMemory()
        let pass = try store.beginPass(commit: "abc", trigger: "push", at: at(0))
        let created = try store.createAttempt(newAttempt(pass: pass), at: at(1))
        let ended = try store.markFinished(created.id, phase: .cancelled, exitCode: nil, message: "superseded", at: at(2))
        #expect(ended.phase == .cancelled)
        #expect(ended.startedAt == nil)
        #expect(ended.duration == nil)
    }

    @Test("changes the life cycle does not allow are refused and leave no trace")
    func invalidChanges() throws {
        let store = try Store.inMemory()
        let pass = try store.beginPass(commit: "abc", trigger: "push", at: at(0))

        let running = #expect(throws: StoreError.self) {
            try store.createAttempt(newAttempt(pass: pass, phase: .running), at: at(1))
        }
        #expect(running?.code == .invalidTransition)
        let noPass = #expect(throws: StoreError.self) {
            try store.createAttempt(newAttempt(pass: pass + 100), at: at(1))
        }
        #expect(noPass?.code == .notFound)
        #expect(try store.attempts(workflow: "customer-service", task: "train").isEmpty)
        #expect(try store.allEvents().isEmpty)

        let created = try store.createAttempt(newAttempt(pass: pass), at: at(1))
        let notFinal = #expect(throws: StoreError.self) {
            try store.markFinished(created.id, phase: .running, exitCode: nil, message: nil, at: at(2))
        }
        #expect(notFinal?.code == .invalidTransition)
        #expect(try store.attempt(created.id)?.phase == .pending)

        let missing = #expect(throws: StoreError.self) {
            try store.markStarted(created.id + 100, supervisorPID: 1, node: nil, at: at(2))
        }
        #expect(missing?.code == .notFound)
        #expect(missing?.description == ":memory:: no attempt \(created.id + 100)")
    }

    @Test("every phase change appends its event in the same transaction")
    func everyChangeWritesAnEvent() throws {
        let store = try Store.inMemory()
        let pass = try store.beginPass(commit: "abc", trigger: "push", at: at(0))
        let created = try store.createAttempt(newAttempt(pass: pass), at: at(1))
        try store.markStarted(created.id, supervisorPID: 55, node: "node-1", at: at(2))
        try store.markFinished(created.id, phase: .failed, exitCode: 3, message: "boom", at: at(3))
        let cached = try store.createAttempt(newAttempt(task: "serve", fingerprint: "fp-s", pass: pass, phase: .cached), at: at(4))

        let events = try store.allEvents()
        #expect(events.map(\.kind) == ["attempt.pending", "attempt.running", "attempt.failed", "attempt.cached"])
        #expect(events.map(\.attemptID) == [created.id, created.id, created.id, cached.id])
        #expect(events.map(\.time) == [at(1), at(2), at(3), at(4)])
        #expect(events.allSatisfy { $0.workflow == "customer-service" })
        #expect(events.map(\.task) == ["train", "train", "train", "serve"])
        #expect(events[1].message.contains("node-1"))
        #expect(events[2].message.contains("exit code 3") && events[2].message.contains("boom"))
    }
}
