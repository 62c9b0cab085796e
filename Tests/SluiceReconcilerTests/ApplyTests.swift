import Foundation
import SluiceGit
import SluiceModel
import SluiceStore
import Testing
@testable import SluiceReconciler

/// Whole passes on real repositories, real SQLite files and real processes.
@Suite struct ApplyTests {
    static let chain = """
        - name: a
          run: echo a > "$SLUICE_OUTPUT/a.txt"
          inputs: [a.txt]
        - name: b
          needs: [a]
          run: cat "$SLUICE_INPUT_A/a.txt" b.txt > "$SLUICE_OUTPUT/b.txt"
          inputs: [b.txt]
        - name: c
          needs: [b]
          run: cat "$SLUICE_INPUT_B/b.txt" > "$SLUICE_OUTPUT/c.txt"
        - name: lone
          run: "true"
    """

    @Test func aSecondPassStartsNothingAndCommitsNothing() async throws {
        let harness = try ApplyHarness()
        try harness.repo.commit(["sluice.yaml": manifest(tasks: Self.chain), "a.txt": "1", "b.txt": "2"])
        let first = try await harness.apply()
        #expect(first.succeeded)
        #expect(Set(harness.started) == ["a", "b", "c", "lone"])
        let tip = try #require(first.statusCommit)
        let outputs = harness.state.appendingPathComponent("outputs")
        let c = try #require(first.statuses.first?.tasks.first { $0.name == "c" })
        #expect(try String(contentsOf: outputs.appendingPathComponent(c.fingerprint).appendingPathComponent("c.txt"), encoding: .utf8) == "a\n2")

        let second = try await harness.apply()
        #expect(second.succeeded)
        #expect(harness.started.isEmpty)
        #expect(second.statusCommit == nil)
        #expect(try harness.repo.repository.branchTip("sluice/status") == tip)
    }

    @Test func aChangeRerunsItsTaskAndDownstreamAndARevertIsACacheHit() async throws {
        let harness = try ApplyHarness()
        try harness.repo.commit(["sluice.yaml": manifest(tasks: Self.chain), "a.txt": "1", "b.txt": "2"])
        _ = try await harness.apply()
        try harness.repo.commit(["sluice.yaml": manifest(tasks: Self.chain), "a.txt": "1", "b.txt": "changed"])
        let changed = try await harness.apply()
        #expect(changed.succeeded)
        #expect(harness.started == ["b", "c"])
        try harness.repo.commit(["sluice.yaml": manifest(tasks: Self.chain), "a.txt": "1", "b.txt": "2"], message: "Revert")
        let reverted = try await harness.apply()
        #expect(reverted.succeeded)
        #expect(harness.started.isEmpty)
        let cached = harness.events.compactMap { if case .cached(_, let task) = $0 { return task } else { return nil } }
        #expect(cached == ["b", "c"])
    }

    @Test func aFailingTaskIsRetriedThenItsDownstreamIsSkipped() async throws {
        let harness = try ApplyHarness()
        let tasks = """
            - name: flaky
              run: echo "trying hard"; echo "disk on fire" >&2; exit 7
              retries: 2
            - name: after
              needs: [flaky]
              run: "true"
        """
        try harness.repo.commit(["sluice.yaml": manifest(tasks: tasks)])
        let outcome = try await harness.apply()
        #expect(!outcome.succeeded)
        let attempts = try harness.store.attempts(workflow: "flow", task: "flaky")
        #expect(attempts.map(\.number) == [1, 2, 3])
        #expect(attempts.allSatisfy { $0.phase == .failed && $0.exitCode == 7 })
        #expect(try harness.store.attempts(workflow: "flow", task: "after").map(\.phase) == [.skipped])
        let page = try #require(try harness.statusFile("workflows/flow/README.md"))
        #expect(page.contains("| flaky | ❌ failed |"))
        #expect(page.contains("| 3 | 7 |"))
        #expect(page.contains("disk on fire"))
        #expect(page.contains("upstream flaky failed"))
        let yaml = try #require(try harness.statusFile("workflows/flow/status.yaml"))
        #expect(yaml.contains("exitCode: 7"))
        let message = try harness.repo.repository.commitInfo(try #require(outcome.statusCommit)).message
        #expect(message.hasPrefix("flow: 0 succeeded, 1 failed, 1 skipped @ "))
        #expect(message.contains("Sluice-Workflow: flow\n"))
    }

    @Test func aTaskOverItsTimeoutIsKilledWithItsChildren() async throws {
        let harness = try ApplyHarness()
        let tasks = """
            - name: slow
              run: sleep 30 & echo $! > "$SLUICE_OUTPUT/child.pid"; sleep 30
              timeout: 500ms
        """
        try harness.repo.commit(["sluice.yaml": manifest(tasks: tasks)])
        let outcome = try await harness.apply()
        #expect(!outcome.succeeded)
        let attempt = try #require(try harness.store.attempts(workflow: "flow", task: "slow").last)
        #expect(attempt.phase == .timedOut)
        // Stopped at its timeout (plus the grace), not after the 30 s its commands would take. The attempt's own
        // times, not the pass's: on a loaded machine the pass around it can take long, the kill cannot.
        #expect(try #require(attempt.duration) < 15)
        let pidText = try String(contentsOfFile: attempt.outputPath + "/child.pid", encoding: .utf8)
        let child = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(!isRunning(child), "the task's background child must be gone")
    }

    @Test(arguments: ["memory: 6Gi", "gpu: 2"])
    func tasksThatTogetherExceedANodeNeverOverlap(resource: String) async throws {
        let harness = try ApplyHarness()
        let record = #"date +%s.%N > "$SLUICE_OUTPUT/start"; sleep 0.3; date +%s.%N > "$SLUICE_OUTPUT/end""#
        let tasks = ["one", "two", "three"].map { name in
            """
                - name: \(name)
                  run: \(record)
                  env: {WHO: \(name)}
                  resources: {cpu: 1, \(resource)}
            """
        }.joined(separator: "\n")
        try harness.repo.commit(["sluice.yaml": manifest(tasks: tasks)])
        let outcome = try await harness.apply()
        #expect(outcome.succeeded)
        let spans = try ["one", "two", "three"].map { name -> (Double, Double) in
            let attempt = try #require(try harness.store.attempts(workflow: "flow", task: name).last)
            func read(_ file: String) throws -> Double {
                try #require(Double(try String(contentsOfFile: attempt.outputPath + "/" + file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            }
            return (try read("start"), try read("end"))
        }.sorted { $0.0 < $1.0 }
        for (earlier, later) in zip(spans, spans.dropFirst()) {
            #expect(earlier.1 <= later.0, "\(spans)")
        }
    }

    @Test func tasksThatFitTogetherRunAtTheSameTime() async throws {
        let harness = try ApplyHarness()
        let tasks = ["one", "two"].map { name in
            """
                - name: \(name)
                  run: date +%s.%N > "$SLUICE_OUTPUT/start"; sleep 0.5; date +%s.%N > "$SLUICE_OUTPUT/end"
                  env: {WHO: \(name)}
                  resources: {cpu: 1, memory: 1Gi}
            """
        }.joined(separator: "\n")
        try harness.repo.commit(["sluice.yaml": manifest(tasks: tasks)])
        _ = try await harness.apply()
        let starts = try ["one", "two"].map { name in
            let attempt = try #require(try harness.store.attempts(workflow: "flow", task: name).last)
            return try #require(Double(try String(contentsOfFile: attempt.outputPath + "/start", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        #expect(abs(starts[0] - starts[1]) < 0.4)
    }

    @Test func aBadCommitKeepsTheLastGoodVersionAndReportsTheErrorInTheStatus() async throws {
        let harness = try ApplyHarness()
        try harness.repo.commit(["sluice.yaml": manifest(tasks: Self.chain), "a.txt": "1", "b.txt": "2"])
        _ = try await harness.apply()
        let broken = manifest(tasks: Self.chain.replacingOccurrences(of: "needs: [b]", with: "needs: [bee]")) 
        try harness.repo.commit(["sluice.yaml": broken, "a.txt": "1", "b.txt": "2"])
        let outcome = try await harness.apply()
        #expect(!outcome.succeeded)
        #expect(harness.started.isEmpty)
        let status = try #require(outcome.statuses.first)
        #expect(status.phase == "succeeded")
        #expect(status.errors.count == 1)
        let page = try #require(try harness.statusFile("workflows/flow/README.md"))
        let line = broken.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("needs: [bee]") }! + 1
        #expect(page.contains("sluice.yaml:\(line):15: task 'c' needs 'bee', which is not a task of workflow 'flow'"))
        #expect(page.contains("the last good version stays in force"))
    }

    @Test func aServiceIsBroughtUpHealthyThenStopped() async throws {
        let harness = try ApplyHarness()
        let tasks = """
            - name: web
              service:
                run: python3 -m http.server "$SLUICE_PORT" --bind 127.0.0.1
                health: {http: /}
        """
        try harness.repo.commit(["sluice.yaml": manifest(tasks: tasks)])
        let outcome = try await harness.apply()
        #expect(outcome.succeeded)
        let address = try #require(outcome.services["flow/web"])
        #expect(address.hasPrefix("http://127.0.0.1:"))
        let port = try #require(Int(address.split(separator: ":").last!))
        #expect(!(await ServiceProbe.check(port: port, path: nil)), "apply stops its services when it ends")
        let second = try await harness.apply()
        #expect(harness.started.isEmpty)
        #expect(second.statusCommit == nil)
    }
}

/// Whether `pid` is a live process: a zombie waiting to be reaped by init counts as gone.
func isRunning(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(close, offsetBy: 2)]
    return state != "Z" && state != "X"
}

@Suite struct PruneTests {
    @Test func aWorkflowDeletedFromGitIsMarkedRemoved() async throws {
        let harness = try ApplyHarness()
        try harness.repo.commit(["sluice.yaml": manifest(tasks: "    - {name: a, run: \"true\"}")])
        _ = try await harness.apply()
        let pool = manifest(tasks: "").components(separatedBy: "\n---")[0]
        try harness.repo.commit(["pool.yaml": pool], message: "Remove the workflow")
        let outcome = try await harness.apply()
        #expect(outcome.plan.workflow(named: "flow")?.tasks.map(\.action) == [.prune])
        #expect(outcome.statuses.first { $0.name == "flow" }?.phase == "removed")
        let overview = try #require(try harness.statusFile("README.md"))
        #expect(overview.contains("⏭️ removed"))
    }
}

@Suite struct BranchPlanTests {
    @Test func theStatusBranchHoldsThePlanOfEveryOtherBranch() async throws {
        let harness = try ApplyHarness()
        try harness.repo.commit(["sluice.yaml": manifest(tasks: ApplyTests.chain), "a.txt": "1", "b.txt": "2"])
        try harness.repo.repository.commit(files: ["sluice.yaml": Data(manifest(tasks: ApplyTests.chain).utf8), "a.txt": Data("1".utf8),
                                                   "b.txt": Data("2 changed".utf8)],
                                           toBranch: "feature/b", message: "Change b", author: Signature(name: "T", email: "t@example.com"))
        _ = try await harness.apply()
        let page = try #require(try harness.statusFile("plans/feature/b.md"))
        #expect(page.contains("| a | up to date |"))
        #expect(page.contains("| b | rerun | input b.txt changed: blob "))
        #expect(page.contains("| c | rerun | upstream b reruns |"))
        let overview = try #require(try harness.statusFile("README.md"))
        #expect(overview.contains("- [feature/b](plans/feature/b.md)"))
    }
}

/// Tasks with one fingerprint in one pass.
@Suite(.timeLimit(.minutes(1))) struct TwinTests {
    /// Whichever twin runs first fails (and opens the gate); while it waits out its back-off the other runs and
    /// succeeds, so the first takes the twin's outputs instead of running again.
    @Test func aTwinThatFailedTakesTheOthersSuccess() async throws {
        let harness = try ApplyHarness()
        let gate = harness.state.deletingLastPathComponent().appendingPathComponent("gate").path
        let run = #"test -e \#(gate) || { touch \#(gate); exit 1; }; echo ok > "$SLUICE_OUTPUT/o""#
        let tasks = """
            - {name: one, run: '\(run)', retries: 2}
            - {name: two, run: '\(run)', retries: 2}
        """
        try harness.repo.commit(["sluice.yaml": manifest(tasks: tasks)])
        let outcome = try await harness.apply()
        #expect(outcome.succeeded)
        let phases = Dictionary(uniqueKeysWithValues: (outcome.statuses.first?.tasks ?? []).map { ($0.name, $0.phase) })
        #expect(Set(phases.values) == [.succeeded, .cached], "\(phases)")
    }
}
