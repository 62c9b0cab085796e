import Foundation
import SluiceFeedback
import SluiceReconciler
import Synchronization

/// Turns what the controller reports into commit statuses on a forge and notifications on webhooks. Decides what is
/// news (a phase or a commit that changed) and hands requests to the sender, which never blocks: the controller's
/// engine thread calls this.
final class FeedbackObserver: Sendable {
    let sender: FeedbackSender
    private let forge: ForgeConfiguration?
    private let targets: [NotificationTarget]
    private let link: String?
    private let commitSummary: @Sendable (String) -> String?
    private let memory = Mutex(Memory())

    private struct Memory {
        /// The status last set on each commit in force (the followed one, the previewed tips), so a pass that changes
        /// nothing sets nothing; commits no longer in force are forgotten, so this does not grow with history.
        var statuses: [String: CommitOutcome] = [:]
        /// Each workflow's last settled phase (succeeded or failed) and the commit it was reached at.
        var settled: [String: (phase: String, commit: String?)] = [:]
        /// The first statuses only set what is known: a controller restart is no news.
        var knowsBaseline = false
    }

    init(sender: FeedbackSender, forge: ForgeConfiguration?, targets: [NotificationTarget], link: String?,
         commitSummary: @escaping @Sendable (String) -> String?) {
        self.sender = sender
        self.forge = forge
        self.targets = targets
        self.link = link
        self.commitSummary = commitSummary
    }

    func observe(_ event: PassEvent) {
        switch event {
        case .statuses(let statuses, let commits):
            setCommitStatuses(commits)
            notifyPhaseChanges(statuses)
        case .serviceUnhealthy(let workflow, let task, let reason):
            send(WorkflowNotification(event: "service.unhealthy", workflow: workflow, phase: "unhealthy", task: task, reason: reason,
                                      link: workflowLink(workflow)))
        default:
            break
        }
    }

    private func setCommitStatuses(_ commits: [CommitOutcome]) {
        guard let forge else { return }
        let news = memory.withLock { memory in
            let news = commits.filter { memory.statuses[$0.commit] != $0 }
            memory.statuses = Dictionary(commits.map { ($0.commit, $0) }, uniquingKeysWith: { _, last in last })
            return news
        }
        for outcome in news {
            let state: CommitState = switch outcome.state {
            case .pending: .pending
            case .success: .success
            case .failure: .failure
            }
            sender.send(forge.request(for: CommitStatus(commit: outcome.commit, state: state, description: outcome.description, targetURL: link.map { $0 + "/" })))
        }
    }

    /// `workflow.failed` when a workflow's run ends failed, `workflow.recovered` when one that had failed succeeds,
    /// `workflow.succeeded` when it succeeds at a new commit.
    private func notifyPhaseChanges(_ statuses: [WorkflowStatus]) {
        guard !targets.isEmpty else { return }
        let news: [(WorkflowStatus, previous: String?, event: String)] = memory.withLock { memory in
            var news: [(WorkflowStatus, previous: String?, event: String)] = []
            for status in statuses where ["succeeded", "failed"].contains(status.phase) {
                let before = memory.settled[status.name]
                memory.settled[status.name] = (status.phase, status.commit)
                guard memory.knowsBaseline, before.map({ $0.phase != status.phase || $0.commit != status.commit }) ?? true else { continue }
                if status.phase == "failed" {
                    news.append((status, before?.phase, "workflow.failed"))
                } else if before?.phase == "failed" {
                    news.append((status, before?.phase, "workflow.recovered"))
                } else {
                    news.append((status, before?.phase, "workflow.succeeded"))
                }
            }
            memory.knowsBaseline = true
            return news
        }
        for (status, previous, event) in news {
            // Log tails come from the attempts' logs, which the supervisor wrote with every secret value masked.
            let failed = status.tasks.filter { [.failed, .timedOut, .skipped].contains($0.phase) }.map {
                WorkflowNotification.FailedTask(task: $0.name, message: $0.message ?? $0.exitCode.map { "exit code \($0)" }, logTail: $0.logTail)
            }
            send(WorkflowNotification(event: event, workflow: status.name, phase: status.phase, previousPhase: previous, commit: status.commit,
                                      commitSummary: status.commit.flatMap(commitSummary), failedTasks: failed, link: workflowLink(status.name)))
        }
    }

    private func workflowLink(_ workflow: String) -> String? {
        link.map { "\($0)/#workflow=\(workflow.addingPercentEncoding(withAllowedCharacters: .urlFragmentAllowed) ?? workflow)" }
    }

    private func send(_ notification: WorkflowNotification) {
        for target in targets { sender.send(target.request(for: notification)) }
    }
}
