import Foundation
import SluiceExecution
import SluiceModel
import SluiceStore

/// Prepares one attempt: its output folder, its store row, its spec.
struct AttemptLauncher {
    let store: Store
    let executor: any Executor
    let layout: StateLayout
    let secretsDirectory: String?

    /// Records the attempt (pending) with its output folder. It is submitted only once this row is committed
    /// (`Dispatcher.submitRecorded`): a crash in between leaves a pending row whose folder has no claimed supervisor,
    /// which the next engine starts (`Dispatcher.look`), so the launch window loses nothing and runs nothing twice.
    /// - Parameter outputInUse: another unfinished attempt has the same fingerprint, so writes into the same folder.
    func record(_ task: DesiredTask, passID: Int64, node: String, outputInUse: Bool) throws -> Attempt {
        let files = FileManager.default
        let output = layout.outputs(fingerprint: task.fingerprint)
        // A failed attempt may have left partial outputs; every attempt of a batch task starts from an empty folder,
        // unless a twin (same fingerprint, so same command and inputs) is writing it right now.
        if !task.task.kind.isService && !outputInUse { try? files.removeItem(at: output) }
        try files.createDirectory(at: output, withIntermediateDirectories: true)
        let directory = layout.attempt(workflow: task.workflow.name, task: task.task.name, fingerprint: task.fingerprint)
        // Before the row commits: an attempt whose folder names no cluster is this machine's.
        try PoolExecutors.assign(task.workflow.pool.engine, to: directory)
        return try store.createAttempt(task.newAttempt(passID: passID, layout: layout, phase: .pending, node: node,
                                                       attemptPath: directory.path), at: Date())
    }

    /// What the attempt runs with. Deterministic but for a service's free port, so an attempt recorded and never
    /// started can be given its spec again.
    func spec(for task: DesiredTask, attempt: Attempt, gpus: [Int], workingDirectory: URL) throws -> AttemptSpec {
        var environment = task.task.env
        environment["SLUICE_OUTPUT"] = layout.outputs(fingerprint: task.fingerprint).path
        environment["SLUICE_WORKFLOW"] = task.workflow.name
        environment["SLUICE_TASK"] = task.task.name
        environment["SLUICE_ATTEMPT"] = String(attempt.number)
        for need in task.task.needs {
            let variable = "SLUICE_INPUT_" + need.uppercased().replacingOccurrences(of: "-", with: "_")
            environment[variable] = layout.outputs(fingerprint: task.inputs.needs[need] ?? "").path
        }
        let local = task.workflow.pool.engine == .local
        // A cluster's engine sets CUDA_VISIBLE_DEVICES to the GPUs it gave the job; the indices here are for this host.
        if local, !gpus.isEmpty { environment["CUDA_VISIBLE_DEVICES"] = gpus.map(String.init).joined(separator: ",") }
        if case .service(let service) = task.task.kind {
            environment["SLUICE_PORT"] = (service.port ?? ServiceProbe.freePort()).map(String.init)
        }
        return AttemptSpec(command: task.task.kind.command, workingDirectory: workingDirectory.path, environment: environment,
                           timeout: task.task.kind.isService ? nil : task.task.timeout,
                           resources: local ? [:] : task.task.resources.amounts,
                           secrets: try SecretsFolder(path: secretsDirectory).values(for: task.task))
    }
}

/// What an attempt was started with, read back from its folder: the port of a service, the GPUs it holds.
struct LaunchedSpec {
    var port: Int?
    var gpus: [Int]

    static func read(_ attemptPath: String) -> LaunchedSpec? {
        guard !attemptPath.isEmpty,
              let data = FileManager.default.contents(atPath: (attemptPath as NSString).appendingPathComponent("spec.json")),
              let spec = try? JSONDecoder().decode(AttemptSpec.self, from: data) else { return nil }
        let gpus = spec.environment["CUDA_VISIBLE_DEVICES"].map { $0.split(separator: ",").compactMap { Int($0) } } ?? []
        return LaunchedSpec(port: spec.environment["SLUICE_PORT"].flatMap(Int.init), gpus: gpus)
    }
}
