import Foundation
import SluiceExecution
import SluiceStore

/// Starting work: the queue of ready tasks in dispatch order, placement on nodes, submission after the commit, and
/// re-optimizing the order of what has not started.
extension Dispatcher {
    var launcher: AttemptLauncher {
        AttemptLauncher(store: store, executor: executor, layout: layout, secretsDirectory: configuration.secretsDirectory)
    }

    func insertWaiting(_ position: Int) {
        guard !isWaiting[position] else { return }
        isWaiting[position] = true
        let key = (priority[position], position)
        var low = 0, high = waitingForRoom.count
        while low < high {
            let middle = (low + high) / 2
            let other = waitingForRoom[middle]
            if (priority[other], other) < key { low = middle + 1 } else { high = middle }
        }
        waitingForRoom.insert(position, at: low)
    }

    func removeWaiting(_ position: Int) {
        guard isWaiting[position] else { return }
        isWaiting[position] = false
        if let found = waitingForRoom.firstIndex(of: position) { waitingForRoom.remove(at: found) }
    }

    /// Starts waiting tasks in dispatch order where a node has room. The scan stops after a run of tasks that do not
    /// fit: on a full cluster, an ending attempt then costs a few looks, not one per waiting task.
    func dispatchWaiting(now: Date) throws {
        guard !draining else { return }
        var position = 0, misses = 0
        // Previews come last in dispatch order, and none starts while a ready task of the followed ref waits for room.
        // A preview already running is not stopped for followed work that becomes ready later: it ends first.
        var followedWaits = false
        while position < waitingForRoom.count, misses < 32 {
            let task = waitingForRoom[position]
            if context.tasks[task].isPreview && followedWaits { break }
            let fingerprint = context.tasks[task].fingerprint
            if !context.tasks[task].task.kind.isService {
                // A twin (same fingerprint: same command, inputs and needs) succeeded meanwhile: reuse its outputs.
                if succeededFingerprints.contains(fingerprint), rerunAsked[task] == nil {
                    waitingForRoom.remove(at: position)
                    isWaiting[task] = false
                    markDirty(task)
                    continue
                }
                // A twin runs now: wait for its result rather than compute the same outputs again beside it.
                if runningFingerprints[fingerprint, default: 0] > 0 {
                    position += 1
                    continue
                }
            }
            if try start(task, now: now) {
                waitingForRoom.remove(at: position)
                isWaiting[task] = false
                setState(task, .busy)
                misses = 0
            } else {
                followedWaits = followedWaits || !context.tasks[task].isPreview
                position += 1
                misses += 1
            }
        }
    }

    private func start(_ position: Int, now: Date) throws -> Bool {
        let task = context.tasks[position]
        let demand = task.task.resources.amounts
        let pool = task.workflow.pool.name
        let nodes = task.workflow.pool.nodes.map(\.name).sorted { a, _ in a == task.plannedNode }
        guard let node = nodes.first(where: { ledger.canPlace(demand, on: Self.nodeKey(pool, $0)) }),
              let gpus = ledger.reserve(demand, on: Self.nodeKey(pool, node), gpuCount: Int(task.task.resources["gpu"])) else {
            return false
        }
        do {
            let attempt = try launcher.record(task, passID: context.passID, node: node,
                                              outputInUse: runningFingerprints[task.fingerprint, default: 0] > 0)
            recordAttempt(attempt, task: position)
            running[attempt.id] = Running(attempt: attempt, task: position, nodeKey: Self.nodeKey(pool, node), demand: demand, gpus: gpus)
            runningFingerprints[attempt.fingerprint, default: 0] += 1
            recorded.append(Submission(attempt: attempt, task: position, gpus: gpus))
            report.changed = true
            if task.task.kind.isService { setTimer(position, at: now.addingTimeInterval(configuration.healthCheckInterval)) }
        } catch {
            ledger.release(demand, on: Self.nodeKey(pool, node), gpus: gpus)
            observer(.failed(workflow: task.workflow.name, task: task.task.name, summary: "could not start: \(error)", attempt: 0, retryIn: nil))
            throw error
        }
        return true
    }

    /// An attempt recorded in the current batch, to submit once the batch is committed.
    struct Submission {
        var attempt: Attempt
        var task: Int
        var gpus: [Int]
    }

    /// Submits the attempts recorded in the batch that was just committed, and remembers their supervisors so the
    /// next batch records them as started. Call it after every `store.batch` that ran the dispatcher.
    func submitRecorded() {
        let submissions = recorded
        recorded.removeAll()
        for submission in submissions {
            let task = context.tasks[submission.task]
            let attempt = submission.attempt
            FaultPoint.reach(.launchWindow)
            do {
                let spec = try launcher.spec(for: task, attempt: attempt, gpus: submission.gpus, workingDirectory: try context.checkouts.folder(for: task.workflow.commit))
                if let pid = try executor.start(spec, for: handle(attempt)) {
                    started.append((attempt.id, pid, Date()))
                    firstUnrecordedStart = firstUnrecordedStart ?? Date()
                }
                logger.debug("attempt submitted", metadata: metadata(attempt).merging(["node": "\(attempt.node ?? "?")"]) { $1 })
                observer(.started(workflow: task.workflow.name, task: task.task.name, attempt: attempt.number, node: attempt.node ?? "?"))
            } catch {
                // Recorded as failed in the next burst: like any start that fails, it uses one try.
                logger.error("cannot start an attempt", metadata: metadata(attempt).merging(["error": "\(error)"]) { $1 })
                observer(.failed(workflow: task.workflow.name, task: task.task.name, summary: "could not start: \(error)", attempt: attempt.number, retryIn: nil))
                failedSubmissions.append(attempt.id)
            }
        }
    }

    /// Records the starts of the last submissions, and fails those that could not be submitted; first thing in a batch.
    func recordStarts() throws {
        let starts = started
        started.removeAll()
        firstUnrecordedStart = nil
        for (id, pid, time) in starts {
            guard var entry = running[id], entry.attempt.startedAt == nil else { continue }
            entry.attempt = try store.markStarted(id, supervisorPID: pid, node: entry.attempt.node, at: time)
            running[id] = entry
            if let position = entry.task { recordAttempt(entry.attempt, task: position) }
        }
        let failures = failedSubmissions
        failedSubmissions.removeAll()
        for id in failures { try abandon(id, message: "could not start its supervisor") }
    }

    func release(_ entry: Running) {
        if let nodeKey = entry.nodeKey { ledger.release(entry.demand, on: nodeKey, gpus: entry.gpus) }
    }

    /// Re-optimizes the order of the tasks that have not started, with the same predictions, and takes the new order
    /// and nodes. Bounded: only when tasks compete for room, for at most `replanTaskLimit` tasks (beyond that the
    /// plan's order stands: a quick pass over tens of thousands of tasks costs more than a better order saves), and,
    /// by the drivers, at most once per `replanInterval`.
    func replan() throws -> Bool {
        guard waitingForRoom.count > 1 else { return false }
        // Previews keep their place after the followed ref's work.
        let waiting = states.indices.filter { (states[$0] == .ready || states[$0] == .waitingForNeeds) && !context.tasks[$0].isPreview }
        guard waiting.count > 1, waiting.count <= configuration.replanTaskLimit else { return false }
        let predicted = Dictionary(waiting.map { (context.tasks[$0].key, context.tasks[$0].predicted) }, uniquingKeysWith: { a, _ in a })
        let byPool = Dictionary(grouping: waiting.map { (context.tasks[$0].workflow, context.tasks[$0].task) }) { $0.0.pool.name }
        for group in byPool.values {
            let schedule = try PlanScheduler.schedule(group, on: group[0].0.pool, duration: { predicted["\($0)/\($1.name)"] ?? 0 },
                                                      options: .init(timeLimit: configuration.replanTimeLimit, targetGap: configuration.scheduleTargetGap))
            for entry in schedule.tasks {
                guard let position = index["\(entry.workflow)/\(entry.task)"] else { continue }
                priority[position] = entry.start
                context.tasks[position].plannedStart = entry.start
                context.tasks[position].plannedNode = entry.node
            }
        }
        waitingForRoom.sort { (priority[$0], $0) < (priority[$1], $1) }
        return true
    }
}
