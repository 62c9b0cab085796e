import Foundation
import SluiceGit
import SluiceModel

/// What one commit asks for: its valid workflows, each with its pool and the fingerprint inputs of every task.
public struct DesiredState: Sendable {
    public var commit: CommitInfo
    public var manifests: ManifestSet
    public var workflows: [DesiredWorkflow]
    /// Every problem found, in the manifests or against the commit's tree (a missing input), sorted by place.
    public var diagnostics: [Diagnostic]

    /// Workflows named in the manifests whose definition at this commit has errors.
    public var rejectedWorkflows: Set<String> {
        Set(diagnostics.compactMap(\.workflow))
    }
}

public struct DesiredWorkflow: Sendable {
    public var workflow: Workflow
    /// The commit this definition comes from: the desired commit, or the last good one when the new definition is invalid.
    public var commit: OID
    public var pool: ResourcePool
    /// Tasks in dependency order.
    public var orderedTasks: [TaskSpec]
    /// Task name → what enters its fingerprint.
    public var fingerprints: [String: FingerprintInputs]

    public var name: String { workflow.name }
}

/// Reads the desired state of a commit: manifest files from its tree, input blob ids, fingerprints.
public struct DesiredStateLoader {
    /// Only manifests under this folder of the repository are read; nil reads the whole tree.
    public var manifestFolder: String?
    /// Reads the nodes of a cluster pool that lists none (`ClusterNodes.read`); nil refuses such pools, for callers
    /// that must not reach a cluster.
    public var clusterNodes: ClusterNodeReader?

    /// For readers of results (`metrics`, `report`), which need fingerprints and not placements: a cluster pool's
    /// nodes are left unread, and its workflows kept, rather than refused when `clusterNodes` is nil.
    public var leavesClusterNodesUnread = false

    /// Parsed manifest files by blob, kept across loads: a commit that changes one file of a thousand parses one.
    public let cache: ManifestCache

    public init(manifestFolder: String? = nil, clusterNodes: ClusterNodeReader? = ClusterNodes.read, cache: ManifestCache = ManifestCache()) {
        self.manifestFolder = manifestFolder
        self.clusterNodes = clusterNodes
        self.cache = cache
    }

    /// A loader for readers of results (`metrics`, `report`): fingerprints without asking any cluster for its nodes.
    public static func forResults(manifestFolder: String? = nil) -> DesiredStateLoader {
        var loader = DesiredStateLoader(manifestFolder: manifestFolder, clusterNodes: nil)
        loader.leavesClusterNodesUnread = true
        return loader
    }

    /// Whether a file of the tree is a manifest: `*.yaml`/`*.yml`, outside hidden folders such as `.github/`,
    /// whose YAML belongs to other tools.
    public static func isManifestPath(_ path: String) -> Bool {
        guard path.hasSuffix(".yaml") || path.hasSuffix(".yml") else { return false }
        return !path.split(separator: "/").contains { $0.hasPrefix(".") }
    }

    /// - Parameter now: for scheduled workflows, the latest cron tick at or before it enters every fingerprint,
    ///   so each tick asks for a new run.
    public func load(from repository: Repository, commit oid: OID, now: Date = Date()) throws -> DesiredState {
        let commit = try repository.commitInfo(oid)
        let paths = try repository.files(at: oid, under: manifestFolder).filter { Self.isManifestPath($0.path) }
        var manifests = ManifestSet.load(parsed: try cache.parse(paths, from: repository))
        readClusterNodes(into: &manifests)
        return try build(manifests, commit: commit, now: now,
                         inputs: { path in try repository.blobs(at: path, in: oid) },
                         symlink: { path in try repository.symlink(onPathTo: path, in: oid) })
    }

    /// Gives every cluster pool that a valid workflow uses, and that lists no nodes, the nodes of its cluster; refuses
    /// the workflows on a pool whose cluster does not answer, and those with a task that fits on none of its nodes.
    public func readClusterNodes(into manifests: inout ManifestSet) {
        let used = Set(manifests.workflows.map(\.pool))
        for pool in manifests.pools where pool.readsNodesFromCluster && used.contains(pool.name) {
            if leavesClusterNodesUnread { continue }
            guard let clusterNodes else {
                manifests.refusePool(pool.name, because: "its nodes are read from \(pool.engine.description) when a pass plans, not here")
                continue
            }
            do {
                manifests.takeClusterNodes(try clusterNodes(pool), forPool: pool.name, origin: "nodes read from \(pool.engine.description)")
            } catch {
                manifests.refusePool(pool.name, because: "cannot read its nodes from \(pool.engine.description): \(error); start the cluster, or list the pool's nodes under 'nodes:'")
            }
        }
    }

    /// The desired state of manifests read from `commit`. Inputs are looked up through `inputs` (the blobs at a path,
    /// nil when nothing is there) and `symlink` (the linked folder a path runs through), so that the fuzz target can
    /// drive it without a repository.
    public func build(_ manifests: ManifestSet, commit: CommitInfo, now: Date,
                      inputs lookUp: (String) throws -> [TreeFile]?, symlink: (String) throws -> String?) rethrows -> DesiredState {
        let oid = commit.oid
        var diagnostics = manifests.diagnostics
        var workflows: [DesiredWorkflow] = []
        for workflow in manifests.workflows {
            var blobs: [String: [String: String]] = [:]
            var missing: [Diagnostic] = []
            for task in workflow.tasks {
                for (input, location) in zip(task.inputs, task.inputLocations) {
                    let path = InputPath.normalized(input)
                    guard blobs[path] == nil else { continue }
                    if let found = try lookUp(path), !found.isEmpty {
                        blobs[path] = Dictionary(uniqueKeysWithValues: found.map { ($0.path, $0.blob.hex) })
                    } else if let link = try symlink(path) {
                        missing.append(Diagnostic(location, InputPath.throughLink(input: input, task: task.name, link: link), workflow: workflow.name))
                    } else {
                        missing.append(Diagnostic(location, "input '\(input)' of task '\(task.name)' does not exist at commit \(oid.short): add it or fix the path", workflow: workflow.name))
                    }
                }
            }
            guard missing.isEmpty else {
                diagnostics += missing
                continue
            }
            workflows.append(DesiredWorkflow(
                workflow: workflow, commit: oid,
                pool: manifests.pool(named: workflow.pool)!,
                orderedTasks: TaskGraph(workflow.tasks).topologicalOrder() ?? workflow.tasks,
                fingerprints: WorkflowFingerprints.compute(workflow, inputBlobs: blobs, scheduleTick: Self.tick(of: workflow, now: now))))
        }
        diagnostics.sort { $0.location < $1.location }
        var valid = manifests
        valid.workflows = workflows.map(\.workflow)
        return DesiredState(commit: commit, manifests: valid, workflows: workflows, diagnostics: diagnostics)
    }

    static func tick(of workflow: Workflow, now: Date) -> String? {
        guard let schedule = workflow.schedule else { return nil }
        return schedule.latestTick(atOrBefore: now).map { ISO8601DateFormatter().string(from: $0) } ?? "none"
    }
}

/// Manifest files parsed before, by blob id and path (a diagnostic names its file). Blobs are immutable, so an entry
/// never goes stale; entries of blobs no longer in the tree are dropped at each load, so memory follows the tree.
public final class ManifestCache: @unchecked Sendable {
    private struct Key: Hashable {
        var blob: OID
        var path: String
    }

    private let lock = NSLock()
    private var parsed: [Key: ManifestParser.ParsedFile] = [:]

    public init() {}

    /// The parse of every file, in order; files not seen before are read and parsed, on every core.
    func parse(_ files: [TreeFile], from repository: Repository) throws -> [ManifestParser.ParsedFile] {
        let keys = files.map { Key(blob: $0.blob, path: $0.path) }
        let known = lock.withLock { parsed }
        let missing = keys.filter { known[$0] == nil }
        // libgit2 reads on this thread; the parses, which are pure, spread over the cores.
        let texts = try missing.map { String(decoding: try repository.blob($0.blob), as: UTF8.self) }
        var fresh = [ManifestParser.ParsedFile?](repeating: nil, count: missing.count)
        fresh.withUnsafeMutableBufferPointer { slots in
            let slots = UncheckedBox(slots)
            DispatchQueue.concurrentPerform(iterations: missing.count) { index in
                slots.value[index] = ManifestParser.parse(texts[index], file: missing[index].path)
            }
        }
        var current: [Key: ManifestParser.ParsedFile] = [:]
        for key in keys { current[key] = known[key] }
        for (key, file) in zip(missing, fresh) { current[key] = file! }
        lock.withLock { parsed = current }
        return keys.map { current[$0]! }
    }
}
