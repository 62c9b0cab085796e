import Foundation
import SluiceExecution
import SluiceModel
import SluiceProcess
import Synchronization

/// Reads the nodes of a cluster pool that lists none.
public typealias ClusterNodeReader = @Sendable (ResourcePool) throws -> [PoolNode]

/// Where a pool's nodes come from when its manifest lists none: the cluster itself.
public enum ClusterNodes {
    public static let read: ClusterNodeReader = { pool in
        guard let engine = PoolExecutors.engine(for: pool.engine) else { return pool.nodes }
        return try engine.nodes().map { PoolNode(name: $0.name, capacity: Resources($0.capacity)) }
    }
}

/// The executor of every pool: this machine's, and one per cluster, made when first needed. An attempt's folder says
/// which one runs it (`engine.json`, written before the attempt is submitted), so an attempt is always watched and
/// cancelled where it was started, after a restart too, and even when its pool has been changed or deleted since.
public final class PoolExecutors: Executor {
    let local: LocalExecutor
    let layout: StateLayout
    let supervisorCommand: [String]
    private let clusters = Mutex<[PoolEngine: ClusterExecutor]>([:])
    private let handler = Mutex<(@Sendable (ExecutorEvent) -> Void)?>(nil)

    public init(layout: StateLayout, supervisorCommand: [String]) {
        self.layout = layout
        self.supervisorCommand = supervisorCommand
        local = LocalExecutor(supervisorCommand: supervisorCommand)
    }

    static func engine(for pool: PoolEngine) -> (any ClusterEngine)? {
        switch pool {
        case .local: nil
        case .slurm(let slurm): SlurmEngine(partition: slurm.partition, account: slurm.account, qos: slurm.qos, options: slurm.options)
        case .ray(let ray): URL(string: ray.address).map { RayEngine(address: $0) }
        }
    }

    /// The file in an attempt's folder that names its cluster; absent for this machine's attempts.
    static let engineFileName = "engine.json"

    static func engineFile(_ directory: String) -> String { AttemptFiles(directory).file(engineFileName) }

    /// Records which cluster runs an attempt, durably, before it is submitted.
    static func assign(_ engine: PoolEngine, to directory: URL) throws {
        guard engine != .local else { return }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let data = try JSONEncoder().encode(engine)
        try DurableFile.write(Array(data), to: engineFile(directory.path), durable: true)
    }

    /// The attempt's engine: this machine when its folder names none. A file that is there but cannot be read is an
    /// error, never "this machine": that would start a cluster's task here, or signal a local process with a remote pid.
    ///
    /// Read on every call rather than kept: a look at a local attempt costs one failed `open`, and a controller that
    /// runs for months would otherwise keep an entry for every attempt it ever saw.
    private func engine(of attempt: AttemptHandle) -> Result<PoolEngine, ExecutionError> {
        let path = Self.engineFile(attempt.directory)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            return code == ENOENT ? .success(.local) : .failure(ExecutionError("cannot read \(path): \(String(cString: strerror(code)))"))
        }
        let file = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        guard let data = try? file.readToEnd(), let engine = try? JSONDecoder().decode(PoolEngine.self, from: data) else {
            return .failure(ExecutionError("\(path) does not name a cluster this Sluice knows"))
        }
        return .success(engine)
    }

    private func executor(for attempt: AttemptHandle) -> Result<any Executor, ExecutionError> {
        engine(of: attempt).flatMap { engine in
            guard engine != .local else { return .success(local) }
            guard let cluster = cluster(engine) else {
                return .failure(ExecutionError("attempt \(attempt.id) was assigned to \(engine.description), which has no valid address"))
            }
            return .success(cluster)
        }
    }

    /// The executor of one cluster, made once.
    func cluster(_ engine: PoolEngine) -> ClusterExecutor? {
        clusters.withLock { clusters in
            if let existing = clusters[engine] { return existing }
            guard let clusterEngine = Self.engine(for: engine) else { return nil }
            let executor = ClusterExecutor(engine: clusterEngine, supervisor: sharedSupervisor(),
                                           probeDirectory: layout.root.appendingPathComponent("probes").path)
            if let handler = handler.withLock({ $0 }) { executor.onEvent(handler) }
            clusters[engine] = executor
            return executor
        }
    }

    /// The supervisor, copied into the state directory that the cluster's nodes share: the one next to `sluice` is
    /// on this host only. It is linked statically, so any Linux node of the same architecture runs it.
    private func sharedSupervisor() -> String {
        let source = supervisorCommand.first ?? "sluice-supervisor"
        let folder = layout.root.appendingPathComponent("bin")
        let target = folder.appendingPathComponent("sluice-supervisor").path
        let manager = FileManager.default
        let size = { (path: String) in (try? manager.attributesOfItem(atPath: path)[.size] as? Int) ?? nil }
        if let wanted = size(source), size(target) != wanted || !manager.contentsEqual(atPath: source, andPath: target) {
            let staging = target + ".\(UUID().uuidString.prefix(8))"
            try? manager.createDirectory(at: folder, withIntermediateDirectories: true)
            if (try? manager.copyItem(atPath: source, toPath: staging)) != nil {
                try? manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: staging)
                if rename(staging, target) != 0 { try? manager.removeItem(atPath: staging) }
            }
        }
        return target
    }

    public func onEvent(_ handler: @escaping @Sendable (ExecutorEvent) -> Void) {
        self.handler.withLock { $0 = handler }
        local.onEvent(handler)
        for executor in clusters.withLock({ Array($0.values) }) { executor.onEvent(handler) }
    }

    @discardableResult
    public func start(_ spec: AttemptSpec, for attempt: AttemptHandle) throws -> Int32? {
        try executor(for: attempt).get().start(spec, for: attempt)
    }

    public func status(of attempt: AttemptHandle) -> AttemptStatus {
        switch executor(for: attempt) {
        case .success(let executor): executor.status(of: attempt)
        case .failure(let error): .lost(error.message)
        }
    }

    public func watch(_ attempt: AttemptHandle) {
        switch executor(for: attempt) {
        case .success(let executor): executor.watch(attempt)
        // Looked at again now, it is found lost.
        case .failure: handler.withLock { $0 }?(.changed(attempt))
        }
    }

    public func cancel(_ attempt: AttemptHandle) { try? executor(for: attempt).get().cancel(attempt) }

    public func logTail(of attempt: AttemptHandle, lines: Int) -> String {
        LocalExecutor.tail(of: attempt.directory, lines: lines)
    }
    /// Pools list their nodes, or `ClusterNodes.read` reads them for a pass.
    public func nodes() throws -> [ExecutorNode]? { nil }
}
