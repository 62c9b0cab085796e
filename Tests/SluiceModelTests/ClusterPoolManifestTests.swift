import Testing
@testable import SluiceModel

/// Cluster pools in manifests: what `validate` accepts and refuses, at the same places the JSON Schema does
/// (scripts/validate-schemas.py --self-test holds the same cases).
@Suite struct ClusterPoolManifestTests {
    private func pool(_ spec: String) -> ManifestSet {
        ManifestSet.load([ManifestFile(path: "pool.yaml", text: """
            apiVersion: sluice/v1
            kind: ResourcePool
            metadata: {name: hpc}
            spec:
            \(spec)
            """)])
    }

    @Test func slurmAndRayPoolsReadWithTheirSettings() throws {
        let slurm = pool("  slurm: {partition: debug, account: ml, qos: high, options: [--constraint=a100]}")
        #expect(slurm.diagnostics.isEmpty)
        #expect(slurm.pools.first?.engine == .slurm(SlurmPool(partition: "debug", account: "ml", qos: "high", options: ["--constraint=a100"])))
        #expect(slurm.pools.first?.readsNodesFromCluster == true)
        let ray = pool("  ray: {address: \"http://127.0.0.1:8265/\"}\n  nodes: [{name: head, capacity: {cpu: 2}}]")
        #expect(ray.diagnostics.isEmpty)
        #expect(ray.pools.first?.engine == .ray(RayPool(address: "http://127.0.0.1:8265")))
        #expect(ray.pools.first?.readsNodesFromCluster == false)
    }

    @Test func badClusterSettingsAreRefusedWhereTheyAreWritten() {
        #expect(diagnostics(pool("  cost: {cpu: 1}")) == [
            "pool.yaml:5:3: ResourcePool spec is missing the required field 'nodes' (the machines of a local pool), or 'slurm' or 'ray' to run on a cluster",
        ])
        #expect(diagnostics(pool("  slurm: {}\n  ray: {address: http://h:8265}")) == [
            "pool.yaml:6:8: a ResourcePool runs on Slurm or on Ray, not both: keep one of 'slurm' and 'ray'",
        ])
        #expect(diagnostics(pool("  ray: {address: ray://h:10001}")) == [
            "pool.yaml:5:18: ray.address must be the http(s) address of the cluster's Jobs API, such as http://head:8265, not 'ray://h:10001'",
        ])
        #expect(diagnostics(pool("  ray: {}")) == ["pool.yaml:5:8: ray is missing the required field 'address'"])
        #expect(diagnostics(pool("  slurm: {options: [constraint=a100]}")) == [
            "pool.yaml:5:20: slurm.options holds sbatch flags, one per entry ('--constraint=a100'), not 'constraint=a100'",
        ])
        #expect(diagnostics(pool("  slurm: {partion: debug}")) == ["pool.yaml:5:11: unknown field 'partion' in slurm (did you mean 'partition'?)"])
    }

    @Test func theExecutorFieldIsRefusedWithWhatToWrite() {
        let set = load("""
            apiVersion: sluice/v1
            kind: Workflow
            metadata: {name: wf}
            spec:
              pool: local
              executor: slurm
              tasks: [{name: a, run: echo a}]
            """)
        #expect(diagnostics(set).first?.hasPrefix("wf.yaml:6:13: spec.executor is gone: the pool decides where tasks run; delete this line") == true,
                "\(diagnostics(set))")
        #expect(set.rejectedWorkflows == ["wf"])
    }

    @Test func aServiceOnAClusterPoolIsRefusedNotStartedHere() {
        let set = ManifestSet.load([ManifestFile(path: "wf.yaml", text: """
            apiVersion: sluice/v1
            kind: ResourcePool
            metadata: {name: hpc}
            spec:
              slurm: {}
            ---
            apiVersion: sluice/v1
            kind: Workflow
            metadata: {name: wf}
            spec:
              pool: hpc
              tasks:
                - name: api
                  service: {run: ./serve}
            """)])
        #expect(diagnostics(set) == [
            "wf.yaml:13:13: task 'api' is a service, and pool 'hpc' runs on Slurm's default partition: Sluice keeps services up on local pools only; move it to a workflow on a pool that lists its nodes",
        ])
    }

    @Test func nodesReadFromTheClusterRefuseTasksThatFitNone() {
        var set = ManifestSet.load([ManifestFile(path: "wf.yaml", text: """
            apiVersion: sluice/v1
            kind: ResourcePool
            metadata: {name: hpc}
            spec:
              slurm: {partition: debug}
            ---
            apiVersion: sluice/v1
            kind: Workflow
            metadata: {name: wf}
            spec:
              pool: hpc
              tasks:
                - {name: small, run: x, resources: {cpu: 1}}
                - {name: huge, run: x, resources: {cpu: 64, gpu: 1}}
            """)])
        #expect(set.diagnostics.isEmpty, "the nodes are not known before the cluster is asked")
        set.takeClusterNodes([PoolNode(name: "vm", capacity: Resources(["cpu": 2, "memory": 0x1p33]))], forPool: "hpc",
                             origin: "nodes read from Slurm partition debug")
        #expect(diagnostics(set) == [
            "wf.yaml:14:39: task 'huge' fits on no node of pool 'hpc' (nodes read from Slurm partition debug): it needs cpu 64 (largest node offers 2), gpu 1 (largest node offers 0)",
        ])
        #expect(set.workflows.isEmpty)
    }
}

@Suite struct SlurmOptionTests {
    @Test func flagsSluiceSetsItselfAreRefused() {
        #expect(SlurmPool.reservedOption("--job-name=x") == "--job-name")
        #expect(SlurmPool.reservedOption("-Jx") == "--job-name")
        #expect(SlurmPool.reservedOption("--array=1-4") == "--array")
        #expect(SlurmPool.reservedOption("-M") == "--clusters")
        #expect(SlurmPool.reservedOption("--constraint=a100") == nil)
        #expect(SlurmPool.reservedOption("--exclusive") == nil)
        #expect(SlurmPool.reservedOption("-c4") == nil)
    }
}
