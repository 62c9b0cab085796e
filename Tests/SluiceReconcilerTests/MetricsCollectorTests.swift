import Foundation
import Testing
@testable import SluiceReconciler

@Suite struct MetricsCollectorTests {
    @Test func onlyRegularFilesAreReadNeitherLinksNorFIFOs() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(#"{"accuracy": 0.9}"#.utf8).write(to: folder.appendingPathComponent("ok.json"))
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("link.json").path, withDestinationPath: "/dev/zero")
        #expect(mkfifo(folder.appendingPathComponent("fifo.json").path, 0o600) == 0)
        let collected = MetricsCollector.collect(["ok.json", "link.json", "fifo.json", "gone.json"], outputFolder: folder.path)
        #expect(collected.values == ["accuracy": 0.9])
        #expect(collected.warning == "metrics file link.json is a symbolic link; write the file itself; metrics file fifo.json is not a regular file; metrics file gone.json was not written")
    }

    @Test func changesAreRoundedAndNeverNaN() {
        #expect(MetricChange.between(0.80, 0.85) == 0.05)
        #expect(MetricChange.between(nil, 0.85) == nil)
        #expect(MetricChange.between(0, 0) == 0)
        let tiny = MetricChange.between(1e-300, 2e-300)
        #expect(tiny.map { $0.isFinite } == true)
        #expect(MetricChange.format(0.05, signed: true) == "+0.05")
        #expect(MetricChange.format(1_234_567) == "1234567")
        #expect(MetricChange.format(12_345_678_900) == "1.235e+10")
    }
}
