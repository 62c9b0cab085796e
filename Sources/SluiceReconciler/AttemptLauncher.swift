import Foundation
import SluiceExecution
import SluiceModel
import SluiceStore

/// Starts one attempt: its output folder, environment, store row, and supervisor.
struct AttemptLauncher {
    let store: Store
    let executor: LocalExecutor
    let layout: StateLayout

    func launch(_ task: DesiredTask, passID: Int64, node: String, gpus: [Int], workingDirectory: URL) throws -> Attempt {
        let files = FileManager.default
        let output = layout.outputs(fingerprint: task.fingerprint)
        // A failed attempt may have left partial outputs; every attempt of a batch task starts from an empty folder.
        if !task.task.kind.isService { try? files.removeItem(at: output) }
        try files.createDirectory(at: output, withIntermediateDirectories: true)
        // The folder is named before the row exists, so the row points at it from the start: a crash between the two
        // steps below leaves a pending row whose folder tells whether a supervisor was started.
        let directory = layout.attempt(workflow: task.workflow.name, task: task.task.name, fingerprint: task.fingerprint)
        var attempt = try store.createAttempt(task.newAttempt(passID: passID, layout: layout, phase: .pending, node: node,
                                                              attemptPath: directory.path), at: Date())
        var environment = task.task.env
        environment["SLUICE_OUTPUT"] = output.path
        environment["SLUICE_WORKFLOW"] = task.workflow.name
        environment["SLUICE_TASK"] = task.task.name
        environment["SLUICE_ATTEMPT"] = String(attempt.number)
        for need in task.task.needs {
            let variable = "SLUICE_INPUT_" + need.uppercased().replacingOccurrences(of: "-", with: "_")
            environment[variable] = layout.outputs(fingerprint: task.inputs.needs[need] ?? "").path
        }
        if !gpus.isEmpty { environment["CUDA_VISIBLE_DEVICES"] = gpus.map(String.init).joined(separator: ",") }
        if case .service(let service) = task.task.kind {
            environment["SLUICE_PORT"] = (service.port ?? ServiceProbe.freePort()).map(String.init)
        }
        let spec = AttemptSpec(command: task.task.kind.command, workingDirectory: workingDirectory.path, environment: environment,
                               timeout: task.task.kind.isService ? nil : task.task.timeout)
        do {
            let pid = try executor.start(spec, in: directory.path)
            attempt = try store.markStarted(attempt.id, supervisorPID: pid, node: node, at: Date())
        } catch {
            try? store.markFinished(attempt.id, phase: .failed, exitCode: nil, message: "could not start: \(error)", at: Date())
            throw error
        }
        return attempt
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
