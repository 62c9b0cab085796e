import Foundation
import SluiceGit
import SluiceModel
import SluiceStore

/// A branch whose work the controller runs before it is merged (`--preview GLOB`), so its review page can show results
/// and merging it is all cache hits.
public struct PreviewBranch: Sendable {
    public var branch: String
    public var tip: OID
    /// The branch's desired state, workflows under their own names.
    public var desired: DesiredState
    /// The workflows the preview runs, renamed (`PreviewName`) so their attempts never mix with the followed ref's.
    var workflows: [DesiredWorkflow]
    /// Why a workflow of the branch is not previewed, for its page.
    var problems: [String]
}

/// Attempts of a preview are recorded under `<workflow>@<branch>`: '@' is not allowed in a workflow's name, so no
/// workflow of the followed ref can collide with one, and the followed ref's status, plan and pruning never see them.
/// Outputs are kept by fingerprint, shared by both names: that is what makes a merge reuse the preview's work.
public enum PreviewName {
    public static func of(_ workflow: String, branch: String) -> String { "\(workflow)@\(branch)" }

    /// The workflow and branch of a preview's name; nil for a workflow of the followed ref.
    public static func parse(_ name: String) -> (workflow: String, branch: String)? {
        guard let at = name.firstIndex(of: "@") else { return nil }
        return (String(name[..<at]), String(name[name.index(after: at)...]))
    }
}

/// Branch patterns as the shell writes them: `exp/*` matches `exp/a` and `exp/a/b`.
public enum BranchPattern {
    public static func matches(_ branch: String, _ patterns: [String]) -> Bool {
        patterns.contains { fnmatch($0, branch, 0) == 0 }
    }
}

extension Reconciler {
    /// The branches that `configuration.previewBranches` names, each with the workflows it would run. A preview runs on the
    /// followed commit's pools (a branch cannot give itself more machines) and runs batch tasks only: a service of an
    /// unmerged branch would hold a port and a node for as long as the branch lives.
    func previews(against desired: DesiredState, loader: DesiredStateLoader) -> [PreviewBranch] {
        guard !configuration.previewBranches.isEmpty else { return [] }
        let followed = desired.commit.oid
        var found: [PreviewBranch] = []
        for branch in ((try? repository.branches()) ?? []).sorted()
        where branch != configuration.statusBranch && BranchPattern.matches(branch, configuration.previewBranches) {
            guard let tip = try? repository.branchTip(branch), tip != followed else { continue }
            // With --verify-signatures a branch's tip runs only when a trusted key signed it, as the followed ref's does.
            if let verifier = configuration.signatureVerifier {
                let refused: String?
                do {
                    refused = try verifier.trusted(from: tip, in: repository).refusal?.reason
                } catch {
                    refused = "\(error)"
                }
                if let refused {
                    logger.warning("preview refused", metadata: ["branch": "\(branch)", "commit": "\(tip.short)", "reason": "\(refused)"])
                    continue
                }
            }
            guard let state = try? loader.load(from: repository, commit: tip) else { continue }
            var preview = PreviewBranch(branch: branch, tip: tip, desired: state, workflows: [], problems: [])
            for workflow in state.workflows where !state.rejectedWorkflows.contains(workflow.name) {
                guard let pool = desired.manifests.pools.first(where: { $0.name == workflow.pool.name }) else {
                    preview.problems.append("\(workflow.name) is not previewed: its pool '\(workflow.pool.name)' does not exist at \(followed.short)")
                    continue
                }
                // It was checked against the branch's own pool; it runs on the followed commit's.
                if let task = workflow.orderedTasks.first(where: { task in !pool.nodes.contains { task.resources.fits(in: $0.capacity) } }) {
                    preview.problems.append("\(workflow.name) is not previewed: task '\(task.name)' fits on no node of pool '\(pool.name)' as \(followed.short) defines it")
                    continue
                }
                // A service is not previewed, and neither is what needs one: it would run against no service, or the
                // followed ref's, and leave outputs under a fingerprint that names the branch's. Nor is a task that
                // needs a secret: a branch's code does not get the controller's secrets before review.
                var left = Set<String>()
                for task in workflow.orderedTasks where task.kind.isService || !task.secrets.isEmpty || task.needs.contains(where: left.contains) {
                    left.insert(task.name)
                }
                if !left.isEmpty {
                    preview.problems.append("\(workflow.name): \(left.sorted().joined(separator: ", ")) not previewed (services, tasks with secrets, and what needs them run once merged)")
                }
                var renamed = workflow
                renamed.workflow.name = PreviewName.of(workflow.name, branch: branch)
                renamed.pool = pool
                renamed.orderedTasks = workflow.orderedTasks.filter { !left.contains($0.name) }
                renamed.workflow.tasks = renamed.orderedTasks
                preview.workflows.append(renamed)
            }
            if !state.diagnostics.isEmpty {
                preview.problems.append("the branch's manifests have \(state.diagnostics.count) error(s); workflows with errors are not previewed")
            }
            found.append(preview)
        }
        return found
    }

    /// The preview's tasks for the dispatcher: after every task of the followed ref, which always goes first.
    func previewTasks(_ previews: [PreviewBranch], duration: PlanScheduler.DurationModel) -> [DesiredTask] {
        previews.flatMap { preview in
            preview.workflows.flatMap { workflow in
                let original = PreviewName.parse(workflow.name)?.workflow ?? workflow.name
                return workflow.orderedTasks.map { task in
                    var desired = DesiredTask(workflow: workflow, task: task, predicted: duration(original, task), planned: nil)
                    desired.isPreview = true
                    return desired
                }
            }
        }
    }

    /// What the preview ran and the metrics it gives against the followed commit, appended to the branch's plan page.
    func previewSection(_ preview: PreviewBranch, followed: DesiredState) throws -> String {
        var out = "\n## Preview run\n\n"
        out += "`sluice controller --preview` runs this branch's batch tasks with the capacity that `\(followed.commit.oid.short)` leaves free. "
        out += "Their outputs are kept by fingerprint, so merging reuses them.\n\n"
        for problem in preview.problems { out += "- ⚠️ \(problem)\n" }
        if !preview.problems.isEmpty { out += "\n" }
        if !preview.workflows.isEmpty {
            out += "| workflow | task | phase | attempts | note |\n|---|---|---|---|---|\n"
            for workflow in preview.workflows {
                let fingerprints = Dictionary(workflow.orderedTasks.map { ($0.name, workflow.fingerprints[$0.name]!.fingerprint) }, uniquingKeysWith: { a, _ in a })
                let attempts = try store.attempts(workflow: workflow.name, fingerprints: Set(fingerprints.values))
                let original = PreviewName.parse(workflow.name)?.workflow ?? workflow.name
                for task in workflow.orderedTasks {
                    let mine = attempts.filter { $0.task == task.name && $0.fingerprint == fingerprints[task.name] }
                    let phase = mine.last.map { StatusRenderer.badge($0.phase.rawValue) } ?? "⏳ waiting"
                    let note = (mine.last?.message ?? "").replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
                    out += "| \(original) | \(task.name) | \(phase) | \(mine.filter { $0.startedAt != nil }.count) | \(note) |\n"
                }
            }
        }
        let side = MetricsComparison.Side(desired: preview.desired, label: preview.branch)
        let base = MetricsComparison.Side(desired: followed, label: "followed")
        let rows = try MetricsComparison.rows(store: store, side: side, base: base)
        guard !rows.isEmpty else { return out }
        out += "\n### Metrics against `\(followed.commit.oid.short)`\n\n| workflow | task | metric | this branch | \(followed.commit.oid.short) | change |\n|---|---|---|---|---|---|\n"
        for row in rows {
            let value = row.value.map { MetricChange.format($0) } ?? "not run yet"
            let before = row.base.map { MetricChange.format($0) } ?? "not run yet"
            let change = row.change.map { MetricChange.format($0, signed: true) } ?? "—"
            out += "| \(row.workflow) | \(row.task) | \(row.metric ?? "—") | \(value) | \(before) | \(change) |\n"
        }
        return out
    }
}
