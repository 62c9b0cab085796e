import Foundation
import Testing
@testable import SluiceOptimizer
@testable import sluice_bench

@Suite struct PSPLIBTests {
    /// Copies of two PSPLIB files, committed so these tests need nothing outside the repository.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static var j301_1: URL { folder.appendingPathComponent("j301_1.sm") }

    @Test func parsesARealInstance() throws {
        let instance = try PSPLIBParser.parse(contentsOf: Self.j301_1)
        #expect(instance.jobCount == 32)
        #expect(instance.capacities == [12, 13, 4, 12])
        #expect(instance.mpmTime == 38)
        #expect(instance.successors[0] == [2, 3, 4])
        #expect(instance.durations[1] == 8 && instance.demands[1] == [4, 0, 0, 0])
        #expect(instance.durations.reduce(0, +) == 158)  // the file's horizon
        let bounds = try Scheduler.lowerBounds(instance.problem)
        #expect(bounds.criticalPath == 38)
    }

    @Test func reachesTheKnownOptimum() throws {
        let optima = try PSPLIBParser.references(contentsOf: Self.folder.appendingPathComponent("j30opt.sm"), column: 3)
        #expect(optima.count == 480)
        #expect(optima["1_1"] == 43)
        let problem = try PSPLIBParser.parse(contentsOf: Self.j301_1).problem
        let result = try Scheduler.solve(problem, options: .init(timeLimit: 30, seed: 1, maxIterations: 20_000))
        #expect(result.schedule.makespan == 43)
        #expect(ScheduleValidator.violations(result.schedule, for: problem).isEmpty)
    }

    @Test func badLinesAreReportedWithFileAndLine() throws {
        var lines = try String(contentsOf: Self.j301_1, encoding: .isoLatin1).components(separatedBy: "\n")
        let row = lines.firstIndex { $0.hasPrefix("  2      1     8") }!
        lines[row] = "  2      1     x       4    0    0    0"
        #expect {
            try PSPLIBParser.parse(lines.joined(separator: "\n"), name: "j301_1", file: "j301_1.sm")
        } throws: { error in
            "\(error)" == "j301_1.sm:\(row + 1): expected a whole number, found 'x'"
        }
    }

    @Test func missingFolderIsAnError() {
        #expect(throws: BenchError.self) { try Benchmark(directory: "/nonexistent/psplib", timeLimit: 0.01, seed: 1).run() }
    }
}
