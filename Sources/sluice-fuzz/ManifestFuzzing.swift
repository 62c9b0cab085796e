import Foundation
import SluiceGit
import SluiceModel
import SluiceReconciler

/// One fuzz input through every stage that `validate` feeds: parsing, validation, the desired state and its
/// fingerprints, the plan, the schedule and the rendered plan. Whatever validation accepts, the later stages must
/// handle without a trap; a trap or a sanitizer report is what the fuzzer looks for.
enum ManifestFuzzing {
    static let commit = CommitInfo(oid: OID(hex: String(repeating: "a", count: 40))!, tree: OID(hex: String(repeating: "b", count: 40))!,
                                   parents: [], summary: "fuzz", message: "fuzz\n", authorName: "fuzz", authorEmail: "fuzz@example.com",
                                   time: Date(timeIntervalSince1970: 1_700_000_000))

    static let clusterNode = PoolNode(name: "cluster-node", capacity: Resources(["cpu": 8, "memory": 0x1p35, "gpu": 1, "bandwidth": 1e9]))

    static func exercise(_ bytes: UnsafeRawBufferPointer) {
        let text = String(decoding: bytes, as: UTF8.self)
        var set = ManifestSet.load([ManifestFile(path: "fuzz.yaml", text: text)])
        for diagnostic in set.diagnostics + set.ignored { _ = diagnostic.description }
        // A cluster pool gets one node of a fixed size, as if read from its cluster: its fit checks run too.
        let loader = DesiredStateLoader(clusterNodes: { _ in [clusterNode] })
        loader.readClusterNodes(into: &set)
        // Every input exists, as one blob named after its path: the fuzzer explores manifests, not repositories.
        let desired = loader.build(set, commit: commit, now: commit.time,
                                                 inputs: { path in [TreeFile(path: path, blob: commit.tree)] },
                                                 symlink: { _ in nil })
        let plan = Planner.plan(desired: desired, actual: ActualState())
        _ = PlanRenderer.text(plan)
        let durations: PlanScheduler.DurationModel = { _, task in task.estimate ?? 60 }
        guard let schedules = try? PlanScheduler.schedule(plan, desired: desired, duration: durations,
                                                          options: .init(timeLimit: 0.01)) else { return }
        for schedule in schedules {
            _ = PlanRenderer.scheduleText(schedule)
            _ = PlanRenderer.scheduleGantt(schedule)
        }
        for workflow in desired.workflows {
            for task in workflow.orderedTasks {
                _ = task.estimate.map(Durations.format)
                _ = task.timeout.map(Durations.format)
                _ = task.resources.description
            }
        }
    }
}
