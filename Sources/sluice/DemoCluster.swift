import ArgumentParser
import Foundation
import SluiceExecution

/// `sluice demo --pool slurm|ray`: the example on a local cluster, started first when none answers.
enum DemoCluster: String, ExpressibleByArgument, CaseIterable {
    case slurm, ray

    static let rayAddress = "http://127.0.0.1:8265"

    var poolSpec: String {
        switch self {
        case .slurm: "slurm: {}"
        case .ray: "ray: {address: \"\(Self.rayAddress)\"}"
        }
    }

    var engine: any ClusterEngine {
        switch self {
        case .slurm: SlurmEngine()
        case .ray: RayEngine(address: URL(string: Self.rayAddress)!)
        }
    }

    /// The cluster's nodes; starts it with the project's script when it does not answer.
    func ensureUp(scripts: URL) throws -> [ExecutorNode] {
        if let nodes = try? engine.nodes(), !nodes.isEmpty { return nodes }
        let script = scripts.appendingPathComponent("\(rawValue)-up.sh").path
        guard FileManager.default.isExecutableFile(atPath: script) else {
            throw Failure("no \(rawValue) cluster answers here, and \(script) is not there to start one: run from the Sluice source folder, or start a cluster and point a pool at it", status: .failed)
        }
        Output.line("Starting a local \(rawValue) cluster with \(script) …")
        let started = try ToolCommand.run(script, [])
        guard started.status == 0, let nodes = try? engine.nodes(), !nodes.isEmpty else {
            throw Failure("\(script) could not start \(rawValue): \(started.complaint)", status: .failed)
        }
        return nodes
    }

    /// The example's manifest moved onto the cluster: a pool that reads its nodes from it, the workflow on that pool,
    /// and what a cluster pool cannot run left out, each said out loud.
    func adapt(_ manifest: String, nodes: [ExecutorNode]) -> (manifest: String, notes: [String]) {
        var notes: [String] = []
        var text = manifest.replacingOccurrences(of: "  pool: local ", with: "  pool: cluster")
        if let serve = text.range(of: "    - name: serve\n") {
            text.removeSubrange(serve.lowerBound..<text.endIndex)
            notes.append("the service 'serve' is left out: Sluice keeps services up on local pools only")
        }
        if nodes.allSatisfy({ ($0.capacity["gpu"] ?? 0) == 0 }) {
            text = text.replacingOccurrences(of: "resources: {gpu: 3, ", with: "resources: {")
            notes.append("train runs without GPUs: the cluster's nodes have none (the example's model trains on CPUs too)")
        }
        text += """
            ---
            apiVersion: sluice/v1
            kind: ResourcePool
            metadata:
              name: cluster
            spec:
              \(poolSpec)     # its nodes are read from the cluster

            """
        return (text, notes)
    }
}
