import Foundation
import SluiceExecution
import SluiceModel
import SluiceStore

extension Dispatcher {
    /// A running service: healthy satisfies what needs it; one that never becomes healthy, or stops being so, is
    /// cancelled and started again with back-off. Older versions of a rolled service stop once the new one is healthy.
    /// Each look sets the timer of the next health check.
    func serviceProgress(_ position: Int, _ running: Attempt, now: Date) throws -> TaskState {
        let task = context.tasks[position]
        // Often while it starts, so what needs it starts soon; once healthy, once a second is enough to notice an
        // outage within `unhealthyGrace`.
        let interval = healthy.contains(running.id) ? max(configuration.healthCheckInterval, 1) : configuration.healthCheckInterval
        setTimer(position, at: now.addingTimeInterval(interval))
        guard let spec = LaunchedSpec.read(running.attemptPath) else { return .busy }
        let isHealthy: Bool
        switch task.task.kind {
        case .service(let service):
            switch service.health {
            case .process: isHealthy = now.timeIntervalSince(running.startedAt ?? now) >= configuration.processHealthGrace
            case .tcp, .http:
                guard let port = spec.port else {
                    isHealthy = false
                    break
                }
                guard let answer = probeAnswers.removeValue(forKey: running.id) else {
                    // A probe can take a second: it runs off the engine thread, and its answer comes back as an event
                    // that brings this task here again. Until then the service stays where it was.
                    requestProbe(running.id, port: port, path: { if case .http(let path) = service.health { path } else { nil } }())
                    return healthy.contains(running.id) ? .satisfied : .busy
                }
                isHealthy = answer
            }
        case .batch: isHealthy = true
        }
        let address = spec.port.map { "http://127.0.0.1:\($0)" } ?? "pid \(running.supervisorPID ?? 0)"
        if isHealthy {
            unhealthySince[running.id] = nil
            if healthy.insert(running.id).inserted {
                try store.recordEvent(workflow: task.workflow.name, task: task.task.name, attemptID: running.id, kind: "healthy",
                                      message: "healthy at \(address)", at: now)
                observer(.serviceHealthy(workflow: task.workflow.name, task: task.task.name, address: address))
                stopOlderVersions(of: task, keeping: running.id)
                report.changed = true
            }
            return .satisfied
        }
        let wasHealthy = healthy.contains(running.id)
        if wasHealthy {
            // Keep counting it healthy until it has failed its checks for a while.
            let since = unhealthySince[running.id] ?? now
            unhealthySince[running.id] = since
            if now.timeIntervalSince(since) < configuration.unhealthyGrace { return .satisfied }
            unhealthySince[running.id] = nil
        }
        if wasHealthy || now.timeIntervalSince(running.startedAt ?? now) > configuration.serviceStartTimeout {
            healthy.remove(running.id)
            executor.cancel(handle(running))
            let reason = wasHealthy ? "stopped answering its health check" : "not healthy after \(Durations.format(configuration.serviceStartTimeout))"
            try store.recordEvent(workflow: task.workflow.name, task: task.task.name, attemptID: running.id, kind: "unhealthy", message: reason, at: now)
            observer(.serviceUnhealthy(workflow: task.workflow.name, task: task.task.name, reason: reason))
        }
        return .busy
    }

    /// Starts a health probe, unless one for this attempt is out already; its answer comes back through `probeDelivery`.
    func requestProbe(_ id: Int64, port: Int, path: String?) {
        guard let deliver = probeDelivery, probing.insert(id).inserted else { return }
        Task { deliver(id, await ServiceProbe.check(port: port, path: path)) }
    }

    /// A probe's answer, posted by the driver: the service's task is looked at again with it.
    func probed(_ id: Int64, healthy answer: Bool) throws {
        probing.remove(id)
        guard let position = running[id]?.task else { return }
        probeAnswers[id] = answer
        markDirty(position)
        try settle()
    }

    /// Healthy services by `workflow/task`, with their address.
    var healthyServices: [String: String] {
        var services: [String: String] = [:]
        for id in healthy {
            guard let entry = running[id], let position = entry.task else { continue }
            let spec = LaunchedSpec.read(entry.attempt.attemptPath)
            services[context.tasks[position].key] = spec?.port.map { "http://127.0.0.1:\($0)" } ?? "pid \(entry.attempt.supervisorPID ?? 0)"
        }
        return services
    }

    private func stopOlderVersions(of task: DesiredTask, keeping id: Int64) {
        for (other, entry) in running where entry.attempt.workflow == task.workflow.name && entry.attempt.task == task.task.name && other != id {
            retiring.insert(other)
            executor.cancel(handle(entry.attempt))
        }
    }
}
