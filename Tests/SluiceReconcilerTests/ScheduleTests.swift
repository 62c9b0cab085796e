import Foundation
import SluiceModel
import SluiceOptimizer
import Testing
@testable import SluiceReconciler

/// The optimizer's schedule of a plan, on the example and on a pool where order matters.
@Suite struct ScheduleTests {
    @Test func theExampleScheduleRespectsItsPool() throws {
        let repo = try TemporaryRepository()
        let desired = try repo.desired(at: try repo.commit(try exampleFiles()))
        var plan = Planner.plan(desired: desired, actual: .empty)
        plan.schedules = try PlanScheduler.schedule(plan, desired: desired, duration: DurationHistory.model(store: nil))
        let schedule = try #require(plan.schedules.first)
        #expect(schedule.pool == "local")
        let at = Dictionary(uniqueKeysWithValues: schedule.tasks.map { ($0.task, $0) })
        // clean-data (2 cpu) and profile-data (1 cpu) fit together on the 4-cpu node, so both start at once.
        #expect(at["clean-data"]!.start == 0 && at["profile-data"]!.start == 0)
        // train needs clean-data's output and all 3 GPUs.
        #expect(at["train"]!.start >= at["clean-data"]!.end)
        #expect(at["train"]!.gpus == [0, 1, 2])
        #expect(at["evaluate"]!.start >= at["train"]!.end)
        #expect(schedule.makespan >= schedule.lowerBound)
        #expect(schedule.lowerBound == schedule.criticalPath)
        #expect(schedule.cost > 0)
        let text = PlanRenderer.text(plan)
        #expect(text.contains("schedule on pool local: makespan"))
    }

    @Test func memoryBoundTasksAreSerializedInTheSchedule() throws {
        let repo = try TemporaryRepository()
        let tasks = ["a", "b", "c"].map { "    - {name: \($0), run: echo \($0), estimate: 10s, resources: {memory: 6Gi}}" }.joined(separator: "\n")
        let desired = try repo.desired(at: try repo.commit(["sluice.yaml": manifest(tasks: tasks)]))
        var plan = Planner.plan(desired: desired, actual: .empty)
        plan.schedules = try PlanScheduler.schedule(plan, desired: desired, duration: DurationHistory.model(store: nil))
        let schedule = try #require(plan.schedules.first)
        #expect(schedule.makespan == 30)
        #expect(schedule.resourceEnergy >= 22.5)  // 18Gi·10s over 8Gi; rounded up when every duration is whole
        let spans = schedule.tasks.map { ($0.start, $0.end) }.sorted { $0.0 < $1.0 }
        for (earlier, later) in zip(spans, spans.dropFirst()) { #expect(earlier.1 <= later.0) }
    }
}

/// Dispatch follows the optimizer's order, not the file's, and re-optimizes after a surprise.
@Suite struct ScheduledDispatchTests {
    @Test func tasksStartInTheSchedulesOrder() async throws {
        let harness = try ApplyHarness()
        // File order b, d, a, c starts b and d first and needs 11 s; starting a at once lets c begin after 1 s: 10 s.
        let tasks = """
            - {name: b, run: sleep 0.2, estimate: 5s, resources: {cpu: 1}}
            - {name: d, run: sleep 0.3, estimate: 5s, resources: {cpu: 1}}
            - {name: a, run: sleep 0.1, estimate: 1s, resources: {cpu: 1}}
            - {name: c, run: sleep 0.2, estimate: 5s, resources: {cpu: 1}, needs: [a]}
        """
        try harness.repo.commit(["sluice.yaml": manifest(tasks: tasks, capacity: "{cpu: 2}")])
        let outcome = try await harness.apply()
        #expect(outcome.succeeded)
        let schedule = try #require(outcome.plan.schedules.first)
        #expect(schedule.makespan == 10)
        #expect(schedule.tasks.first { $0.task == "a" }?.start == 0)
        #expect(Set(harness.started.prefix(2)).contains("a"), "\(harness.started)")
    }

    @Test func aTaskFarFromItsEstimateTriggersAReplan() async throws {
        let harness = try ApplyHarness()
        let tasks = """
            - {name: quick, run: "true", estimate: 1h, resources: {cpu: 1}}
            - {name: x, run: "true", estimate: 10s, resources: {cpu: 1}, needs: [quick]}
            - {name: y, run: "true", estimate: 20s, resources: {cpu: 1}, needs: [quick]}
            - {name: z, run: "true", estimate: 30s, resources: {cpu: 1}, needs: [quick]}
        """
        try harness.repo.commit(["sluice.yaml": manifest(tasks: tasks, capacity: "{cpu: 1}")])
        let reconciler = Reconciler(repository: harness.repo.repository, repositoryName: "test", store: harness.store,
                                    configuration: harness.configuration)
        let outcome = try await reconciler.apply(ref: "main")
        #expect(outcome.succeeded)
        #expect(reconciler.replans >= 1)
    }
}
