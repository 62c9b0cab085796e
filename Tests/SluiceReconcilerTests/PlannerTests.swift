import Foundation
import SluiceGit
import SluiceModel
import Testing
@testable import SluiceReconciler

/// The planner against real commits of the example repository and hand-built actual states.
@Suite struct PlannerTests {
    let workflow = "customer-service"

    @Test func everyTaskRunsOnAFreshRepository() throws {
        let repo = try TemporaryRepository()
        let commit = try repo.commit(try exampleFiles())
        let desired = try repo.desired(at: commit)
        #expect(desired.diagnostics.isEmpty, "\(desired.diagnostics)")
        let plan = Planner.plan(desired: desired, actual: .empty)
        #expect(plan.actions(workflow) == ["clean-data": .run, "profile-data": .run, "train": .run, "evaluate": .run, "serve": .start])
        #expect(plan.workflow(named: workflow)?.commit == commit.hex)
        #expect(plan.workflow(named: workflow)?.task(named: "train")?.needs == ["clean-data"])
    }

    @Test func changingTrainsCommandRerunsTrainAndWhatNeedsIt() throws {
        let repo = try TemporaryRepository()
        var files = try exampleFiles()
        let first = try repo.desired(at: try repo.commit(files))
        // The service ran for an earlier pass and is not running now.
        let actual = afterSuccess(of: first, servicesRunning: false)
        #expect(Planner.plan(desired: first, actual: actual).actions(workflow) ==
                ["clean-data": .upToDate, "profile-data": .upToDate, "train": .upToDate, "evaluate": .upToDate, "serve": .restart])

        let manifest = files["sluice.yaml"]!
        let oldRun = #"run: python3 tasks/train.py "$SLUICE_INPUT_CLEAN_DATA/clean.csv" "$SLUICE_OUTPUT/model.json""#
        #expect(manifest.contains(oldRun))
        files["sluice.yaml"] = manifest.replacingOccurrences(of: oldRun, with: oldRun + " --smoothing 0.5")
        let second = try repo.desired(at: try repo.commit(files))
        let plan = Planner.plan(desired: second, actual: actual)

        #expect(plan.actions(workflow) == ["clean-data": .upToDate, "profile-data": .upToDate, "train": .rerun, "evaluate": .rerun, "serve": .rerun])
        #expect(plan.reason(workflow, "train").hasPrefix("run changed: `…"))
        #expect(plan.reason(workflow, "train").hasSuffix(#"/model.json"` → `…E_OUTPUT/model.json" --smoothing 0.5`"#))
        #expect(plan.reason(workflow, "serve").contains("upstream train reruns"))
        #expect(plan.reason(workflow, "evaluate") == "upstream train reruns")
        #expect(plan.reason(workflow, "clean-data") == "succeeded at this fingerprint")
    }

    @Test func revertingACommitIsACacheHit() throws {
        let repo = try TemporaryRepository()
        var files = try exampleFiles()
        let original = files["tasks/train.py"]!
        let first = try repo.desired(at: try repo.commit(files))
        files["tasks/train.py"] = original + "\n# tuned\n"
        let second = try repo.desired(at: try repo.commit(files))
        let actual = afterSuccess(of: second, on: afterSuccess(of: first))
        files["tasks/train.py"] = original
        let reverted = try repo.desired(at: try repo.commit(files, message: "Revert"))
        let plan = Planner.plan(desired: reverted, actual: actual)
        #expect(plan.actions(workflow)["train"] == .cacheHit)
        #expect(plan.actions(workflow)["evaluate"] == .cacheHit)
        #expect(plan.reason(workflow, "train").contains("input tasks/train.py changed"))
        #expect(plan.actions(workflow)["clean-data"] == .upToDate)
    }

    @Test func reformattingTheManifestRerunsNothing() throws {
        let repo = try TemporaryRepository()
        var files = try exampleFiles()
        let first = try repo.desired(at: try repo.commit(files))
        files["sluice.yaml"] = "# a new comment\n" + files["sluice.yaml"]!
            .replacingOccurrences(of: "estimate: 20s", with: "estimate: 45s")
            .replacingOccurrences(of: "retries: 2 ", with: "retries: 5 ")
            .replacingOccurrences(of: "labels: {team: support}", with: "labels: {team: platform}")
        let second = try repo.desired(at: try repo.commit(files))
        #expect(second.diagnostics.isEmpty)
        let plan = Planner.plan(desired: second, actual: afterSuccess(of: first))
        #expect(plan.workflows[0].tasks.allSatisfy { $0.action == .upToDate })
    }

    @Test func runningAttemptsAtOldFingerprintsAreCancelledOrRolled() throws {
        let repo = try TemporaryRepository()
        var files = try exampleFiles()
        let first = try repo.desired(at: try repo.commit(files))
        var actual = afterSuccess(of: first)
        let old = first.workflows[0].fingerprints
        actual.workflows[workflow]!.tasks["serve"]!.running = RunningAttempt(inputs: old["serve"]!)
        actual.workflows[workflow]!.tasks["evaluate"]!.running = RunningAttempt(inputs: old["evaluate"]!, attempt: 2)
        #expect(Planner.plan(desired: first, actual: actual).actions(workflow)["serve"] == .upToDate)

        files["tasks/textmodel.py"]! += "\n# faster tokenizer\n"
        let plan = Planner.plan(desired: try repo.desired(at: try repo.commit(files)), actual: actual)
        #expect(plan.actions(workflow)["serve"] == .roll)
        #expect(plan.actions(workflow)["evaluate"] == .cancel)
        #expect(plan.reason(workflow, "serve").contains("input tasks/textmodel.py changed"))

        actual.workflows[workflow]!.tasks["serve"]!.running!.healthy = false
        #expect(Planner.plan(desired: first, actual: actual).actions(workflow)["serve"] == .restart)
    }

    @Test func removedWorkflowsArePrunedUnlessAManifestIsUnreadable() throws {
        let repo = try TemporaryRepository()
        var files = try exampleFiles()
        let first = try repo.desired(at: try repo.commit(files))
        let actual = afterSuccess(of: first)
        let manifest = files.removeValue(forKey: "sluice.yaml")!
        let pool = String(manifest[..<manifest.range(of: "\n---")!.lowerBound])
        files["pool.yaml"] = pool
        let removed = Planner.plan(desired: try repo.desired(at: try repo.commit(files)), actual: actual)
        #expect(Set(removed.actions(workflow).values) == [.prune])

        files["broken.yaml"] = "apiVersion: sluice/v1\nkind: Workflow\nmetadata: {name: x\n"
        let broken = Planner.plan(desired: try repo.desired(at: try repo.commit(files)), actual: actual)
        #expect(broken.workflow(named: workflow) == nil)
        #expect(broken.errors.count == 1 && broken.errors[0].hasPrefix("broken.yaml:4:1: YAML syntax error"))
    }

    @Test func aBadCommitKeepsTheLastGoodVersionAndReportsWhere() throws {
        let repo = try TemporaryRepository()
        var files = try exampleFiles()
        let first = try repo.desired(at: try repo.commit(files))
        files["sluice.yaml"] = files["sluice.yaml"]!.replacingOccurrences(of: "needs: [clean-data]\n", with: "needs: [clean]\n")
        let bad = try repo.desired(at: try repo.commit(files))
        #expect(bad.workflows.isEmpty)
        let plan = Planner.plan(desired: bad, actual: afterSuccess(of: first))
        let workflowPlan = try #require(plan.workflow(named: workflow))
        #expect(workflowPlan.errors.count == 1)
        #expect(workflowPlan.errors[0].contains("sluice.yaml:"))
        #expect(workflowPlan.errors[0].contains("needs 'clean', which is not a task"))
        #expect(workflowPlan.tasks.allSatisfy { $0.action == .upToDate && $0.reason.contains("last good version stays in force") })
    }

    @Test func anInputMissingFromTheCommitIsAnErrorAtTheInput() throws {
        let repo = try TemporaryRepository()
        var files = try exampleFiles()
        files.removeValue(forKey: "tasks/profile.py")
        let desired = try repo.desired(at: try repo.commit(files))
        #expect(desired.diagnostics.count == 1)
        let diagnostic = try #require(desired.diagnostics.first)
        #expect(diagnostic.workflow == workflow)
        #expect(diagnostic.message.hasPrefix("input 'tasks/profile.py' of task 'profile-data' does not exist at commit"))
        let line = files["sluice.yaml"]!.split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.contains("inputs: [tasks/profile.py") }! + 1
        #expect(diagnostic.location.line == line)
    }

    @Test func aFolderInputCoversEveryFileUnderIt() throws {
        let repo = try TemporaryRepository()
        var files = try exampleFiles()
        files["sluice.yaml"] = files["sluice.yaml"]!.replacingOccurrences(of: "inputs: [tasks/profile.py, data/raw.csv]", with: "inputs: [tasks/profile.py, data]")
        let first = try repo.desired(at: try repo.commit(files))
        files["data/extra/more.csv"] = "id,text,label\n"
        let second = try repo.desired(at: try repo.commit(files))
        let plan = Planner.plan(desired: second, actual: afterSuccess(of: first))
        #expect(plan.actions(workflow)["profile-data"] == .rerun)
        #expect(plan.reason(workflow, "profile-data").contains("input data/extra/more.csv added"))
        #expect(plan.actions(workflow)["clean-data"] == .upToDate)
    }
}

@Suite struct ClusterPoolTests {
    @Test func theExecutorFieldIsGoneAndSaysWhatToWriteInstead() throws {
        let repo = try TemporaryRepository()
        var files = try exampleFiles()
        files["sluice.yaml"] = files["sluice.yaml"]!.replacingOccurrences(of: "  pool: local              # the ResourcePool above\n",
                                                                          with: "  pool: local\n  executor: ray\n")
        let desired = try repo.desired(at: try repo.commit(files))
        #expect(desired.workflows.isEmpty)
        let message = try #require(desired.diagnostics.first)
        #expect(message.description.contains("sluice.yaml:"))
        #expect(message.message.contains("spec.executor is gone: the pool decides where tasks run"))
    }

    @Test func aClusterThatDoesNotAnswerRefusesTheWorkflowsOnItsPoolAtThePool() throws {
        let repo = try TemporaryRepository()
        var files = try exampleFiles()
        // Port 1 on loopback: nothing listens, so the connection is refused at once.
        files["cluster.yaml"] = """
            apiVersion: sluice/v1
            kind: ResourcePool
            metadata: {name: gone}
            spec:
              ray: {address: "http://127.0.0.1:1"}
            ---
            apiVersion: sluice/v1
            kind: Workflow
            metadata: {name: remote}
            spec:
              pool: gone
              tasks:
                - {name: hello, run: "echo hello"}
            """
        let desired = try repo.desired(at: try repo.commit(files))
        #expect(desired.workflows.map(\.name) == ["customer-service"])
        let atPool = try #require(desired.diagnostics.first { $0.location.file == "cluster.yaml" && $0.location.line == 3 })
        #expect(atPool.message.contains("pool 'gone': cannot read its nodes from Ray at http://127.0.0.1:1"))
        #expect(atPool.workflow == nil, "a cluster that is down must not let the pass prune anything")
        #expect(desired.rejectedWorkflows == ["remote"])
    }
}
