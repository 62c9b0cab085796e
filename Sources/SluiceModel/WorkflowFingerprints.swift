/// The fingerprint inputs of every task of a workflow, computed upstream first.
public enum WorkflowFingerprints {
    /// - Parameters:
    ///   - inputBlobs: for each normalized input path, the files it stands for (path → blob hex);
    ///     a path missing from the map contributes nothing (the caller reports it).
    ///   - scheduleTick: the tick of a scheduled workflow's run, nil otherwise.
    /// - Returns: task name → inputs; empty when the workflow has a cycle (validation rejects those first).
    public static func compute(_ workflow: Workflow, inputBlobs: [String: [String: String]],
                               scheduleTick: String? = nil) -> [String: FingerprintInputs] {
        guard let order = TaskGraph(workflow.tasks).topologicalOrder() else { return [:] }
        var result: [String: FingerprintInputs] = [:]
        for task in order {
            var inputs: [String: String] = [:]
            for path in task.inputs {
                inputs.merge(inputBlobs[InputPath.normalized(path)] ?? [:]) { first, _ in first }
            }
            var needs: [String: String] = [:]
            for need in task.needs {
                needs[need] = result[need]?.fingerprint
            }
            result[task.name] = FingerprintInputs(run: task.kind.command, env: task.env, resources: task.resources.amounts,
                                                  inputs: inputs, needs: needs,
                                                  scheduleTick: workflow.schedule == nil ? nil : scheduleTick, secrets: task.secrets)
        }
        return result
    }
}
