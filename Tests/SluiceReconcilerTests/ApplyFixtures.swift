import Foundation
import SluiceGit
import SluiceModel
import SluiceStore
@testable import SluiceReconciler

/// The `sluice-supervisor` binary built with the tests: the reconciler runs its attempts under it.
let supervisorBinary: String = {
    var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("sluice-supervisor").path), directory.path != "/" {
        directory.deleteLastPathComponent()
    }
    return directory.appendingPathComponent("sluice-supervisor").path
}()

/// A repository and a state directory in a temporary folder, and passes run on them for real.
final class ApplyHarness {
    let repo: TemporaryRepository
    let state: URL
    let store: Store
    var configuration: ReconcilerConfiguration
    private let log = EventLog()
    var events: [PassEvent] { log.events }

    init() throws {
        repo = try TemporaryRepository()
        state = repo.folder.appendingPathComponent(".sluice")
        store = try Store(path: StateLayout(root: state.path).database.path)
        configuration = ReconcilerConfiguration(stateDirectory: state.path, supervisorCommand: [supervisorBinary])
        configuration.retryBaseDelay = 0.05
    }

    /// Runs one pass at the branch tip; `events` then holds what this pass reported.
    func apply() async throws -> PassOutcome {
        log.clear()
        let reconciler = Reconciler(repository: repo.repository, repositoryName: "test", store: store,
                                    configuration: configuration, observer: log.observer)
        return try await reconciler.apply(ref: "main")
    }

    /// The tasks this pass started a process for, by name.
    var started: [String] {
        events.compactMap { if case .started(_, let task, _, _) = $0 { return task } else { return nil } }
    }

    func statusFile(_ path: String) throws -> String? {
        guard let tip = try repo.repository.branchTip("sluice/status"),
              let data = try repo.repository.contents(of: path, at: tip) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Collects the events of a pass, which arrive from the pass's task.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [PassEvent] = []

    var events: [PassEvent] { lock.withLock { collected } }
    func clear() { lock.withLock { collected = [] } }
    var observer: PassObserver { { event in self.lock.withLock { self.collected.append(event) } } }
}

/// A pool with one node and a workflow made of `tasks` (YAML lines of the task list).
func manifest(tasks: String, capacity: String = "{cpu: 4, memory: 8Gi, gpu: 2}") -> String {
    """
    apiVersion: sluice/v1
    kind: ResourcePool
    metadata: {name: local}
    spec:
      nodes:
        - name: node-1
          capacity: \(capacity)
    ---
    apiVersion: sluice/v1
    kind: Workflow
    metadata: {name: flow}
    spec:
      pool: local
      tasks:
    \(tasks)
    """
}
