import SluiceModel

/// A pool and a three-task workflow; tests append or replace lines to make one specific mistake.
let poolYAML = """
apiVersion: sluice/v1
kind: ResourcePool
metadata: {name: local}
spec:
  nodes:
    - name: node-1
      capacity: {cpu: 4, memory: 16Gi, gpu: 3, bandwidth: 1Gbps}
  cost: {cpu: 0.04, gpu: 2.50, memory: 0.005}
"""

/// Loads `text` as `wf.yaml` next to the standard pool (in `pool.yaml`).
func load(_ text: String, withPool: Bool = true) -> ManifestSet {
    var files = [ManifestFile(path: "wf.yaml", text: text)]
    if withPool { files.append(ManifestFile(path: "pool.yaml", text: poolYAML)) }
    return ManifestSet.load(files)
}

/// Every diagnostic of `set`, as `file:line:column: message`, sorted by place.
func diagnostics(_ set: ManifestSet) -> [String] {
    set.diagnostics.map(\.description)
}
