import SluiceStore

extension CommitOutcome {
    /// The followed commit's outcome from the statuses of the workflows it defines, then one per previewed branch.
    static func of(_ statuses: [WorkflowStatus], context: PassContext, previews: [String: Dispatcher.PreviewProgress]) -> [CommitOutcome] {
        let followed = context.desired.commit.oid.hex
        let mine = statuses.filter { $0.phase != "removed" }
        let state: State
        if mine.contains(where: { ["running", "pending"].contains($0.phase) }) {
            state = .pending
        } else if mine.contains(where: { ["failed", "invalid"].contains($0.phase) }) || !context.desired.diagnostics.isEmpty {
            state = .failure
        } else {
            state = .success
        }
        var description = mine.map { status -> String in
            switch status.phase {
            case "invalid": "\(status.name): invalid manifests"
            case "running", "pending": "\(status.name): running, \(status.succeeded) of \(status.tasks.count) tasks done"
            default: "\(status.name): \(status.counts)"
            }
        }.joined(separator: "; ")
        if description.isEmpty { description = context.desired.diagnostics.isEmpty ? "no workflows" : "\(context.desired.diagnostics.count) manifest error(s)" }
        var outcomes = [CommitOutcome(commit: followed, state: state, description: description)]
        for preview in context.previews {
            let progress = previews[preview.branch] ?? Dispatcher.PreviewProgress()
            // A branch whose manifests have errors is no success, even with nothing to run.
            let broken = !preview.desired.diagnostics.isEmpty
            let state: State = progress.failed > 0 || broken ? .failure : progress.unsettled > 0 ? .pending : .success
            var words = "preview: \(progress.succeeded) of \(progress.total) tasks done"
            if progress.failed > 0 { words += ", \(progress.failed) failed" }
            if !preview.problems.isEmpty { words += "; \(preview.problems.count) workflow(s) not previewed" }
            outcomes.append(CommitOutcome(commit: preview.tip.hex, state: state, description: words, preview: preview.branch))
        }
        return outcomes
    }
}
