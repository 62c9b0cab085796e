import Testing
@testable import SluiceModel

@Suite struct FingerprintTests {
    private func workflow(_ taskLines: String, header: String = "") -> Workflow {
        let set = load("""
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: wf\(header)}
        spec:
          pool: local
          tasks:
        \(taskLines)
        """)
        #expect(set.diagnostics.isEmpty, "\(set.diagnostics)")
        return set.workflows[0]
    }

    private let blobs = ["a.py": ["a.py": "1111111111111111111111111111111111111111"],
                         "data": ["data/x.csv": "2222222222222222222222222222222222222222",
                                  "data/y.csv": "3333333333333333333333333333333333333333"]]

    private func fingerprints(_ workflow: Workflow, blobs: [String: [String: String]]? = nil) -> [String: String] {
        WorkflowFingerprints.compute(workflow, inputBlobs: blobs ?? self.blobs).mapValues(\.fingerprint)
    }

    private let base = """
        - name: a
          run: python3 a.py
          inputs: [a.py, data/]
          resources: {cpu: 2, memory: 4Gi}
          env: {LANG: C.UTF-8}
        - {name: b, run: echo b, needs: [a]}
    """

    @Test func ignoresLayoutEstimateRetriesTimeoutAndLabels() {
        let reformatted = """
            - name: a
              env:
                LANG: C.UTF-8
              resources: {memory: 4096Mi, cpu: 2000m}
              inputs: [./a.py, data]
              run: python3 a.py
              estimate: 2h
              retries: 3
              timeout: 1h
            - name: b
              needs: [a]
              run: echo b
        """
        #expect(fingerprints(workflow(base)) == fingerprints(workflow(reformatted, header: ", labels: {team: x}")))
    }

    @Test func changesWithRunEnvResourcesInputsAndUpstream() {
        let original = fingerprints(workflow(base))
        let changedRun = fingerprints(workflow(base.replacingOccurrences(of: "python3 a.py", with: "python3 a.py --fast")))
        #expect(changedRun["a"] != original["a"] && changedRun["b"] != original["b"])
        let changedEnv = fingerprints(workflow(base.replacingOccurrences(of: "C.UTF-8", with: "C")))
        #expect(changedEnv["a"] != original["a"])
        let changedResources = fingerprints(workflow(base.replacingOccurrences(of: "cpu: 2", with: "cpu: 3")))
        #expect(changedResources["a"] != original["a"])
        var newBlobs = blobs
        newBlobs["data"]!["data/y.csv"] = "4444444444444444444444444444444444444444"
        let changedInput = fingerprints(workflow(base), blobs: newBlobs)
        #expect(changedInput["a"] != original["a"] && changedInput["b"] != original["b"])
    }

    @Test func describesWhatChanged() {
        let old = FingerprintInputs(run: "python3 train.py", env: ["A": "1"], resources: ["cpu": 2],
                                    inputs: ["t.py": "1111111111111111111111111111111111111111"])
        let new = FingerprintInputs(run: "python3 train.py --epochs 3", env: ["A": "2"], resources: ["cpu": 4],
                                    inputs: ["t.py": "2222222222222222222222222222222222222222"])
        #expect(new.changes(since: old) == [
            "run changed: `python3 train.py` → `python3 train.py --epochs 3`",
            "env A changed: `1` → `2`",
            "resources.cpu changed: 2 → 4",
            "input t.py changed: blob 1111111 → 2222222",
        ])
        #expect(old.changes(since: old).isEmpty)
        let added = FingerprintInputs(run: "x", env: ["B": "on"], secrets: ["TOKEN": "hf-token"])
        #expect(added.changes(since: FingerprintInputs(run: "x", env: ["A": "1"], secrets: ["TOKEN": "old-token"])) == [
            "env A removed (was `1`)", "env B added: `on`", "secret TOKEN changed: old-token → hf-token",
        ])
    }

    @Test func canonicalEncodingIsUnambiguous() {
        // Without length prefixes these two would encode alike.
        let one = FingerprintInputs(run: "a", env: ["x": "y\nz"])
        let two = FingerprintInputs(run: "a", env: ["x": "y", "z": ""])
        #expect(one.fingerprint != two.fingerprint)
        #expect(one.fingerprint.count == 64)
    }
}
