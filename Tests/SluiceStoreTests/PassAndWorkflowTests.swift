import Foundation
import Testing
@testable import SluiceStore

@Suite("Passes, workflows and commits")
struct PassAndWorkflowTests {
    @Test("passes come newest first and end once")
    func passes() throws {
        let store = try Store.inMemory()
        let first = try store.beginPass(commit: "abc", trigger: "push", at: at(0))
        let second = try store.beginPass(commit: "def", trigger: "timer", at: at(30))
        try store.endPass(first, at: at(20), summary: "2 succeeded, 0 failed")

        let passes = try store.passes(limit: 10)
        #expect(passes.map(\.id) == [second, first])
        #expect(passes[1] == PassRecord(id: first, commit: "abc", trigger: "push", startedAt: at(0),
                                        endedAt: at(20), summary: "2 succeeded, 0 failed"))
        #expect(passes[0].endedAt == nil && passes[0].summary == nil && passes[0].trigger == "timer")
        #expect(try store.passes(limit: 1).map(\.id) == [second])

        let twice = #expect(throws: StoreError.self) { try store.endPass(first, at: at(40), summary: "again") }
        #expect(twice?.code == .invalidTransition)
        #expect(try store.passes(limit: 10)[1].summary == "2 succeeded, 0 failed")
        let unknown = #expect(throws: StoreError.self) { try store.endPass(999, at: at(40), summary: "x") }
        #expect(unknown?.code == .notFound)
    }

    @Test("workflow state is saved by name, replaced on save, errors and removal included")
    func workflowStates() throws {
        let store = try Store.inMemory()
        #expect(try store.workflowState("customer-service") == nil)

        let good = WorkflowState(name: "customer-service", lastGoodCommit: "abc", lastSeenCommit: "abc")
        try store.saveWorkflowState(good)
        try store.saveWorkflowState(WorkflowState(name: "analytics", lastSeenCommit: "abc",
                                                  errors: ["w.yaml:3:7: unknown field 'cpus'"]))
        #expect(try store.workflowState("customer-service") == good)

        let broken = WorkflowState(name: "customer-service", lastGoodCommit: "abc", lastSeenCommit: "def",
                                   errors: ["w.yaml:12:9: cycle: train → evaluate → train", "w.yaml:20:1: bad"])
        try store.saveWorkflowState(broken)
        #expect(try store.workflowState("customer-service") == broken)

        var removed = broken
        removed.removedAt = at(100)
        removed.errors = []
        try store.saveWorkflowState(removed)
        let all = try store.workflowStates()
        #expect(all.map(\.name) == ["analytics", "customer-service"])
        #expect(all[0].errors == ["w.yaml:3:7: unknown field 'cpus'"])
        #expect(all[1] == removed)
    }

    @Test("a commit seen again keeps when it was first seen")
    func commits() throws {
        let store = try Store.inMemory()
        #expect(try store.commit("abc") == nil)
        try store.recordCommit("abc", summary: "First", at: at(0))
        try store.recordCommit("abc", summary: "First, amended", at: at(50))
        #expect(try store.commit("abc") == CommitRecord(oid: "abc", summary: "First, amended", observedAt: at(0)))
    }
}
