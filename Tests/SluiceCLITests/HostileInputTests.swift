import Foundation
import Testing

/// Input a hostile or careless user can commit, run through the real binary: whatever `validate` accepts, `plan` and
/// `apply` must handle, and whatever they cannot handle `validate` must refuse at its line and column.
@Suite struct HostileInputTests {
    @Test(arguments: ["9223372036854775807s", "99999999999999999999h", "2562047788015216h", "366d"])
    func anEstimateBeyondAYearIsRefusedAtItsColumn(estimate: String) throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", controllerManifest("    - {name: a, run: 'true', estimate: \(estimate)}"))
        try commitAll(in: folder.url, initialize: true)
        let validated = try sluice("validate", folder.url.path)
        #expect(validated.status == 1)
        let file = folder.url.appendingPathComponent("sluice.yaml").path
        #expect(validated.stderr.contains("\(file):13:40: duration '\(estimate)' for estimate of task 'a' is longer than 365d, the longest Sluice accepts"),
                "\(validated.stderr)")
        let planned = try sluice("plan", "--repo", folder.url.path)
        #expect(planned.status == 1, "\(planned.stderr)")
        #expect(planned.stdout.contains("sluice.yaml:13:40: duration"), "\(planned.stdout)")
    }

    @Test func aTimeoutBeyondAYearOrOfZeroIsRefused() throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", controllerManifest("""
            - {name: a, run: 'true', timeout: 99999999999999999999h}
            - {name: b, run: 'true', timeout: 0s}
        """))
        let validated = try sluice("validate", folder.url.path)
        #expect(validated.status == 1)
        #expect(validated.stderr.contains("sluice.yaml:13:39: duration '99999999999999999999h' for timeout of task 'a' is longer than 365d"), "\(validated.stderr)")
        #expect(validated.stderr.contains("sluice.yaml:14:39: timeout of task 'b' must be longer than 0s"), "\(validated.stderr)")
    }

    @Test func quantitiesBeyondAnyMachineAreRefused() throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", controllerManifest("""
            - {name: a, run: 'true', resources: {memory: 2Ei, gpu: 100000, cpu: 1e300}}
        """))
        let validated = try sluice("validate", folder.url.path)
        #expect(validated.status == 1)
        #expect(validated.stderr.contains("memory quantity '2Ei' is more than 1Ei, the most Sluice accepts"), "\(validated.stderr)")
        #expect(validated.stderr.contains("gpu quantity '100000' is more than 4096"), "\(validated.stderr)")
        #expect(validated.stderr.contains("cpu quantity '1e300' is more than 1000000"), "\(validated.stderr)")
    }

    /// The largest values `validate` accepts, over a long chain, make a schedule whose horizon is far beyond what
    /// time-indexed arrays can hold; plan and apply must still work.
    @Test func theLargestAcceptedValuesPlanAndApply() throws {
        let folder = try TemporaryFolder()
        let chain = (0..<200).map { index in
            "    - {name: t\(index), run: 'true', estimate: 365d, timeout: 365d\(index > 0 ? ", needs: [t\(index - 1)]" : "")}"
        }.joined(separator: "\n")
        try folder.write("sluice.yaml", """
        apiVersion: sluice/v1
        kind: ResourcePool
        metadata: {name: local}
        spec:
          nodes: [{name: n1, capacity: {cpu: 1000000, memory: 1Ei, bandwidth: 1000Tbps, widgets: 1000000000000}}]
        ---
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: w}
        spec:
          pool: local
          tasks:
        \(chain)
        """)
        try commitAll(in: folder.url, initialize: true)
        #expect(try sluice("validate", folder.url.path).status == 0)
        let planned = try sluice("plan", "--repo", folder.url.path, in: folder.url)
        #expect(planned.status == 0, "\(planned.stderr)")
        #expect(planned.stdout.contains("Plan: 200 to run."), "\(planned.stdout)")
        let applied = try sluice("apply", "--repo", folder.url.path, in: folder.url)
        #expect(applied.status == 0, "\(applied.stderr)")
    }
}
