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
