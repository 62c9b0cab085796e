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
