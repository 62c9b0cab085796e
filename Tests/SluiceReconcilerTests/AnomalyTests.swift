import Foundation
import SluiceStore
import Testing
@testable import SluiceReconciler

@Suite struct AnomalyTests {
    @Test func thresholdIsMedianPlusThreeMADWithAFloor() {
        #expect(Anomaly.threshold(history: [10, 10, 10, 10]) == nil, "too little history")
        // median 10, MAD 1 → floored at max(1, 10% of 10, 1 s) = 1 → 13
        #expect(Anomaly.threshold(history: [9, 10, 10, 11, 10]) == 13)
        // one very slow run barely moves it: median 60.5, MAD 1, floored at 10% of the median
        #expect(Anomaly.threshold(history: [58, 60, 62, 60, 600, 61]) == 60.5 + 3 * 6.05)
    }
}


@Suite struct AnomalyStatusTests {
    @Test func aRunFarBeyondItsHistoryIsFlaggedInTheStatus() throws {
        let store = try Store.inMemory()
        let pass = try store.beginPass(commit: "c", trigger: "test", at: Date(timeIntervalSince1970: 0))
        try store.saveWorkflowState(WorkflowState(name: "w", lastGoodCommit: "c", lastSeenCommit: "c", errors: [], removedAt: nil))
        func attempt(_ fingerprint: String) -> NewAttempt {
            NewAttempt(workflow: "w", task: "t", fingerprint: fingerprint, inputsJSON: "{}", commit: "c", passID: pass, isService: false,
                       node: "n", outputPath: "/tmp/o", attemptPath: "/tmp/a", phase: .pending, message: nil)
        }
        var clock = Date(timeIntervalSince1970: 1000)
        for index in 0..<6 {
            let row = try store.createAttempt(attempt("f\(index)"), at: clock)
            try store.markStarted(row.id, supervisorPID: 1, node: "n", at: clock)
            try store.markFinished(row.id, phase: .succeeded, exitCode: 0, message: nil, at: clock.addingTimeInterval(10 + Double(index % 2)))
            clock = clock.addingTimeInterval(100)
        }
        let slow = try store.createAttempt(attempt("new"), at: clock)
        try store.markStarted(slow.id, supervisorPID: 1, node: "n", at: clock)
        let early = try WorkflowStatus.collect(from: store, now: clock.addingTimeInterval(12))
        #expect(early.first?.tasks.first?.anomaly == nil)
        let late = try WorkflowStatus.collect(from: store, now: clock.addingTimeInterval(60))
        let flag = try #require(late.first?.tasks.first?.anomaly)
        #expect(flag.hasPrefix("running 1m, beyond its usual"))
    }
}
