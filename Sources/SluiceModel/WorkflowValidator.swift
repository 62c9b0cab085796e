/// The checks of one workflow that need more than one field: names, needs, cycles, input paths, pool fit.
enum WorkflowValidator {
    static func validate(_ workflow: Workflow, pools: [ResourcePool], rejectedPools: Set<String> = []) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        var seen: [String: SourceLocation] = [:]
        for task in workflow.tasks {
            if let first = seen[task.name] {
                problems.append(Diagnostic(task.location, "duplicate task name '\(task.name)' in workflow '\(workflow.name)' (first defined at \(first))"))
            } else {
                seen[task.name] = task.location
            }
        }
        for task in workflow.tasks {
            for (need, location) in zip(task.needs, task.needLocations) where seen[need] == nil {
                let hint = YAMLReader.closest(to: need, among: Array(seen.keys).sorted()).map { " (did you mean '\($0)'?)" } ?? ""
                problems.append(Diagnostic(location, "task '\(task.name)' needs '\(need)', which is not a task of workflow '\(workflow.name)'\(hint)"))
            }
            for (need, location) in zip(task.needs, task.needLocations) where need == task.name {
                problems.append(Diagnostic(location, "task '\(task.name)' needs itself"))
            }
            for (input, location) in zip(task.inputs, task.inputLocations) {
                if let problem = InputPath.problem(with: input) {
                    problems.append(Diagnostic(location, "input '\(input)' of task '\(task.name)' \(problem)"))
                }
            }
        }
        if let cycle = TaskGraph(workflow.tasks).firstCycle(), cycle.count > 2 {
            let first = workflow.task(named: cycle[0])!
            problems.append(Diagnostic(first.location, "dependency cycle in workflow '\(workflow.name)': \(cycle.joined(separator: " → ")) (each task needs the next)"))
        }
        if rejectedPools.contains(workflow.pool) {
            problems.append(Diagnostic(workflow.poolLocation, "workflow '\(workflow.name)' runs on pool '\(workflow.pool)', whose definition has errors (reported at the pool)"))
        } else {
            problems += fitProblems(workflow, pools: pools)
        }
        return problems
    }

    /// The local executor runs every node of every pool on this one host: GPU indices are handed out per node, so two
    /// GPU nodes used by local GPU tasks (in one pool or in two) would give `CUDA_VISIBLE_DEVICES=0` to two tasks at once.
    static func localGPUProblems(_ workflows: [Workflow], pools: [ResourcePool]) -> [Diagnostic] {
        let localPools = Set(pools.filter { $0.engine == .local }.map(\.name))
        let local = workflows.filter { localPools.contains($0.pool) && $0.tasks.contains { $0.resources["gpu"] > 0 } }
        let usedPools = Set(local.map(\.pool))
        let gpuNodes = pools.filter { usedPools.contains($0.name) }.sorted { $0.name < $1.name }.flatMap { pool in
            pool.nodes.filter { $0.capacity["gpu"] > 0 }.map { (pool: pool.name, node: $0.name) }
        }
        guard gpuNodes.count > 1 else { return [] }
        let onePool = Set(gpuNodes.map(\.pool)).count == 1
        let names = gpuNodes.map { onePool ? $0.node : "\($0.pool)/\($0.node)" }.joined(separator: ", ")
        return local.map { workflow in
            Diagnostic(workflow.poolLocation, "workflow '\(workflow.name)' runs GPU tasks locally on pool '\(workflow.pool)', where nodes \(names) all declare GPUs; the local executor runs every node on this host, so their GPU indices would collide: declare this host's GPUs on one node", workflow: workflow.name)
        }
    }

    private static func fitProblems(_ workflow: Workflow, pools: [ResourcePool]) -> [Diagnostic] {
        guard let pool = pools.first(where: { $0.name == workflow.pool }) else {
            let known = pools.map(\.name).sorted()
            let hint = YAMLReader.closest(to: workflow.pool, among: known).map { " (did you mean '\($0)'?)" }
                ?? (known.isEmpty ? "; no ResourcePool is defined" : "; defined pools: \(known.joined(separator: ", "))")
            return [Diagnostic(workflow.poolLocation, "workflow '\(workflow.name)' names pool '\(workflow.pool)', which does not exist\(hint)")]
        }
        return clusterProblems(workflow, pool: pool) + fitProblems(workflow, in: pool)
    }

    /// What a cluster pool cannot run. Services are refused rather than started on this machine by surprise: keeping
    /// one up on a cluster needs its node's address, which neither engine's batch interface gives back reliably.
    private static func clusterProblems(_ workflow: Workflow, pool: ResourcePool) -> [Diagnostic] {
        guard pool.engine != .local else { return [] }
        return workflow.tasks.filter(\.kind.isService).map { task in
            Diagnostic(task.location, "task '\(task.name)' is a service, and pool '\(pool.name)' runs on \(pool.engine.description): Sluice keeps services up on local pools only; move it to a workflow on a pool that lists its nodes")
        }
    }

    /// Tasks that no node of the pool can hold. A cluster pool that reads its nodes from the cluster is checked when
    /// they are known (`ManifestSet.takeClusterNodes`), at plan time.
    /// - Parameter origin: where the nodes came from, for the message ("nodes read from Slurm").
    static func fitProblems(_ workflow: Workflow, in pool: ResourcePool, origin: String? = nil) -> [Diagnostic] {
        guard !pool.readsNodesFromCluster else { return [] }
        return workflow.tasks.compactMap { task in
            guard !pool.nodes.contains(where: { task.resources.fits(in: $0.capacity) }) else { return nil }
            let details = task.resources.names.compactMap { name -> String? in
                let largest = pool.nodes.map { $0.capacity[name] }.max() ?? 0
                guard task.resources[name] > largest else { return nil }
                return "\(name) \(Quantity.format(task.resources[name], of: name)) (largest node offers \(Quantity.format(largest, of: name)))"
            }
            let why = details.isEmpty ? "no single node offers all it needs at once" : "it needs " + details.joined(separator: ", ")
            return Diagnostic(task.resourcesLocation, "task '\(task.name)' fits on no node of pool '\(pool.name)'\(origin.map { " (\($0))" } ?? ""): \(why)")
        }
    }
}

/// Rules for repository paths named as task inputs.
public enum InputPath {
    /// Why `path` cannot be an input, or nil when it is fine.
    public static func problem(with path: String) -> String? {
        if path.isEmpty { return "is empty" }
        if path.hasPrefix("/") || path.hasPrefix("~") { return "is absolute: write a path relative to the repository root" }
        if path.split(separator: "/").contains("..") { return "leaves the repository ('..'): write a path inside the repository" }
        return nil
    }

    /// Why an input running through a symlink is refused, the same words from `validate` (on disk) and from the
    /// planner (in the commit): git stores the link itself, so the files behind it are not in the commit.
    public static func throughLink(input: String, task: String, link: String) -> String {
        "input '\(input)' of task '\(task)' runs through the symlink '\(link)', which Sluice does not follow: git stores the link, not the files behind it. Name the path the link points to"
    }

    /// The form used in fingerprints and tree lookups: no `./`, no empty segments, no trailing `/`.
    public static func normalized(_ path: String) -> String {
        path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }
}
