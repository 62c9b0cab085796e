import Foundation
import SluiceExecution
import SluiceGit
import SluiceStore

extension Reconciler {
    /// The body of `apply`, on the engine's thread: plan, then let the executor's events drive the dispatcher until
    /// nothing is left to do, then stop the services and commit the status.
    func applyUntilSettled(ref: String, trigger: String) throws -> PassOutcome {
        let mailbox = Mailbox()
        executor.onEvent { event in
            if case .changed(let attempt) = event { mailbox.post(.attempt(attempt.id)) }
        }
        try recoverResultsFromAttemptFolders()
        let (_, commit) = try commitToReconcile(ref)
        // A one-shot apply of a refused commit runs nothing; the controller keeps the last trusted one in force.
        if let refusal { throw VerificationError(description: "\(refusal); nothing was run") }
        let context = try prepare(commit: commit, trigger: trigger, retryScope: nil)
        let dispatcher = try Dispatcher(context: context, store: store, executor: executor, layout: layout, configuration: configuration,
                                        observer: observer, logger: logger, healthy: healthyServices)
        dispatcher.probeDelivery = { mailbox.post(.probed($0, $1)) }
        try dispatcher.burst { try dispatcher.begin() }
        var services: [String: String] = [:]
        var servicesStopped = false
        var lastReplan = Date.distantPast
        while true {
            if !dispatcher.inProgress {
                guard !servicesStopped else { break }
                services = dispatcher.healthyServices
                dispatcher.stopServices()
                servicesStopped = true
                continue
            }
            if dispatcher.report.surprised {
                dispatcher.report.surprised = false
                if Date().timeIntervalSince(lastReplan) >= configuration.replanInterval, try dispatcher.replan() {
                    lastReplan = Date()
                    replans += 1
                }
            }
            let events = mailbox.take(until: dispatcher.nextDeadline)
            try dispatcher.burst {
                for event in events {
                    switch event {
                    case .attempt(let id): try dispatcher.attemptChanged(id)
                    case .probed(let id, let answer): try dispatcher.probed(id, healthy: answer)
                    case .wake, .refsChanged, .stop: break
                    }
                }
                try dispatcher.fire()
            }
        }
        healthyServices = dispatcher.healthy
        let failed = dispatcher.failedTasks
        let all = try statuses(context)
        let statusCommit = try writeStatus(context, statuses: all, force: dispatcher.report.changed)
        try store.endPass(context.passID, at: Date(), summary: failed.isEmpty ? "ok" : "\(failed.count) failed")
        return PassOutcome(plan: context.plan, statuses: all, statusCommit: statusCommit,
                           succeeded: failed.isEmpty && context.desired.diagnostics.isEmpty,
                           invalidInput: !context.desired.diagnostics.isEmpty || !dispatcher.missingSecrets.isEmpty, services: services)
    }
}

/// Carries a value across threads that never touch it at the same time (the hop onto the engine's thread), or touch
/// disjoint parts of it (the slots of a parallel parse).
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
