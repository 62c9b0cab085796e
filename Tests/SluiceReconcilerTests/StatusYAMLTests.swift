import Foundation
import Testing
import Yams
@testable import SluiceReconciler

/// `status.yaml` is written by hand; a YAML reader must get back exactly what was written.
@Suite struct StatusYAMLTests {
    @Test func aStatusReadsBackAsTheSameValues() throws {
        let started = Date(timeIntervalSince1970: 1_795_990_000)
        let tasks = [
            TaskStatus(name: "train", phase: .failed, fingerprint: "ab12", attempts: 3, exitCode: 7, node: "n-1",
                       startedAt: started, endedAt: started.addingTimeInterval(60), durationMilliseconds: 60_000,
                       message: "exit code 7: \"quoted\", a colon: here\nand a second line", logTail: "- not a list\n# not a comment\n",
                       isService: false, service: nil, anomaly: nil),
            TaskStatus(name: "true", phase: .succeeded, fingerprint: "00e5", attempts: 1, exitCode: 0, node: nil,
                       startedAt: nil, endedAt: nil, durationMilliseconds: nil, message: "yes", logTail: nil,
                       isService: true, service: ServiceStatus(address: "http://127.0.0.1:8080", healthy: true), anomaly: "12"),
        ]
        let status = WorkflowStatus(name: "flow", commit: "0123abc", phase: "failed", errors: ["a.yaml:1:2: bad"], tasks: tasks, planned: nil)
        let text = try StatusRenderer.statusYAML(status)
        #expect(text.contains("exitCode: 7\n"))
        #expect(text.contains("durationMilliseconds: 60000\n"), "whole numbers without exponents")
        #expect(text.contains("startedAt: \"2026-11-29T"), "times to the second, ISO 8601")

        let read = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect(read["name"] as? String == "flow")
        #expect(read["errors"] as? [String] == ["a.yaml:1:2: bad"])
        let readTasks = try #require(read["tasks"] as? [[String: Any]])
        #expect(readTasks.count == 2)
        #expect(readTasks[0]["message"] as? String == tasks[0].message)
        #expect(readTasks[0]["logTail"] as? String == tasks[0].logTail)
        #expect(readTasks[0]["exitCode"] as? Int == 7)
        #expect(readTasks[1]["name"] as? String == "true", "a word YAML would read as a boolean stays a string")
        #expect(readTasks[1]["message"] as? String == "yes")
        #expect(readTasks[1]["anomaly"] as? String == "12")
        #expect((readTasks[1]["service"] as? [String: Any])?["healthy"] as? Bool == true)
    }

    @Test func smallAndLargeNumbersAndOddCharactersReadBack() throws {
        struct Sample: Encodable {
            var small = 0.00005
            var large = 2.5e20
            var text = "line\u{2028}separator \u{85} next-line \u{FEFF} mark"
        }
        let text = try StatusYAML.encode(Sample())
        let read = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect(read["small"] as? Double == 0.00005, "\(text)")
        #expect(read["large"] as? Double == 2.5e20, "\(text)")
        #expect(read["text"] as? String == Sample().text)
    }
}
