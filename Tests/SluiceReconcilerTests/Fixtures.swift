import Foundation
import SluiceGit
import SluiceModel
@testable import SluiceReconciler

/// A real git repository in a temporary folder, removed when the test ends.
final class TemporaryRepository {
    let folder: URL
    let repository: Repository
    private let author = Signature(name: "Test", email: "test@example.com")

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-reconciler-\(UUID().uuidString)")
        repository = try Repository.create(at: folder.path)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    @discardableResult
    func commit(_ files: [String: String], message: String = "change") throws -> OID {
        try repository.commit(files: files.mapValues { Data($0.utf8) }, toBranch: "main", message: message, author: author)
    }

    func desired(at commit: OID) throws -> DesiredState {
        try DesiredStateLoader().load(from: repository, commit: commit)
    }
}

/// The files of Examples/customer-service, read from the source tree.
func exampleFiles() throws -> [String: String] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples/customer-service")
    var files: [String: String] = [:]
    let enumerator = FileManager.default.enumerator(atPath: root.path)!
    while let relative = enumerator.nextObject() as? String {
        var isFolder: ObjCBool = false
        let full = root.appendingPathComponent(relative).path
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue,
              !relative.contains("__pycache__") else { continue }
        files[relative] = try String(contentsOfFile: full, encoding: .utf8)
    }
    return files
}

/// The actual state after every task of `desired` succeeded, on top of `base`; services are left running
/// and healthy, or stopped after having run.
func afterSuccess(of desired: DesiredState, on base: ActualState = .empty, servicesRunning: Bool = true) -> ActualState {
    var actual = base
    for workflow in desired.workflows {
        var record = actual.workflows[workflow.name] ?? WorkflowRecord(name: workflow.name)
        record.commit = desired.commit.oid.hex
        for task in workflow.workflow.tasks {
            let inputs = workflow.fingerprints[task.name]!
            let running = task.kind.isService && servicesRunning ? RunningAttempt(inputs: inputs) : nil
            record.tasks[task.name] = TaskRecord(name: task.name, isService: task.kind.isService, lastSuccess: inputs, running: running)
            actual.succeededFingerprints.insert(inputs.fingerprint)
        }
        actual.workflows[workflow.name] = record
    }
    return actual
}

extension Plan {
    /// task name → action, for one workflow.
    func actions(_ workflow: String) -> [String: PlanAction] {
        Dictionary(uniqueKeysWithValues: (self.workflow(named: workflow)?.tasks ?? []).map { ($0.name, $0.action) })
    }

    func reason(_ workflow: String, _ task: String) -> String {
        self.workflow(named: workflow)?.task(named: task)?.reason ?? "<no such task>"
    }
}
