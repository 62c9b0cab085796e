/// One manifest file: its path (relative to the repository root) and its text.
public struct ManifestFile: Sendable, Hashable {
    public var path: String
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}

/// Every pool and workflow of a set of manifest files, checked together.
///
/// A workflow with any problem is left out of `workflows` and its name is in `rejectedWorkflows`, so the
/// caller can keep its last good version; the other workflows stay usable.
public struct ManifestSet: Sendable {
    public var pools: [ResourcePool] = []
    public var workflows: [Workflow] = []
    public var diagnostics: [Diagnostic] = []
    public var rejectedWorkflows: Set<String> = []
    /// Pools whose definition has errors.
    public var rejectedPools: Set<String> = []
    /// YAML documents that belong to other tools, with why; `validate --verbose` lists them.
    public var ignored: [Diagnostic] = []

    /// True when a problem could not be tied to a workflow (a YAML syntax error, a bad pool): some workflow's
    /// definition may be missing, so nothing should be pruned for being absent.
    public var hasUnattributedErrors: Bool {
        diagnostics.contains { $0.workflow == nil }
    }

    public func pool(named name: String) -> ResourcePool? {
        pools.first { $0.name == name }
    }

    public func workflow(named name: String) -> Workflow? {
        workflows.first { $0.name == name }
    }

    /// Parses and validates `files`; the result holds all their problems, sorted by place.
    public static func load(_ files: [ManifestFile]) -> ManifestSet {
        load(parsed: files.map { ManifestParser.parse($0.text, file: $0.path) })
    }

    /// Validates files parsed already (each file's parse depends on its text alone, so callers may keep them by
    /// content); the result holds all their problems, sorted by place.
    public static func load(parsed files: [ManifestParser.ParsedFile]) -> ManifestSet {
        var set = ManifestSet()
        var candidates: [Workflow] = []
        var flawed: [Workflow] = []
        for parsed in files {
            set.diagnostics += parsed.diagnostics
            set.ignored += parsed.ignored
            set.rejectedWorkflows.formUnion(parsed.diagnostics.compactMap(\.workflow))
            set.rejectedPools.formUnion(parsed.rejectedPools)
            flawed += parsed.flawedWorkflows
            for document in parsed.documents {
                switch document {
                case .pool(let pool): set.pools.append(pool)
                case .workflow(let workflow): candidates.append(workflow)
                }
            }
        }
        set.pools = set.uniquePools()
        for workflow in set.uniqueWorkflows(candidates) {
            let problems = WorkflowValidator.validate(workflow, pools: set.pools, rejectedPools: set.rejectedPools)
            if problems.isEmpty {
                set.workflows.append(workflow)
            } else {
                set.diagnostics += problems.map { Diagnostic($0.location, $0.message, workflow: workflow.name) }
                set.rejectedWorkflows.insert(workflow.name)
            }
        }
        for problem in WorkflowValidator.localGPUProblems(set.workflows, pools: set.pools) {
            set.diagnostics.append(problem)
            if let name = problem.workflow { set.rejectedWorkflows.insert(name) }
        }
        for workflow in flawed {
            let problems = WorkflowValidator.validate(workflow, pools: set.pools, rejectedPools: set.rejectedPools)
            set.diagnostics += problems.map { Diagnostic($0.location, $0.message, workflow: workflow.name) }
        }
        set.workflows.removeAll { set.rejectedWorkflows.contains($0.name) }
        set.diagnostics.sort { $0.location < $1.location }
        return set
    }

    /// Gives a cluster pool the nodes read from its cluster, then refuses the workflows on it with a task that fits
    /// on none of them, at the task's `resources` (a cluster would otherwise leave such a job pending for good).
    public mutating func takeClusterNodes(_ nodes: [PoolNode], forPool name: String, origin: String) {
        guard let index = pools.firstIndex(where: { $0.name == name }) else { return }
        pools[index].nodes = nodes
        let pool = pools[index]
        for workflow in workflows where workflow.pool == name {
            var problems = WorkflowValidator.fitProblems(workflow, in: pool, origin: origin)
            if nodes.isEmpty {
                problems = [Diagnostic(workflow.poolLocation, "workflow '\(workflow.name)' runs on pool '\(name)', and \(origin) lists no node that can run jobs")]
            }
            reject(workflow.name, problems)
        }
    }

    /// Refuses every workflow on a cluster pool whose nodes could not be read, with why at the pool.
    public mutating func refusePool(_ name: String, because problem: String) {
        guard let pool = pool(named: name) else { return }
        rejectedPools.insert(name)
        diagnostics.append(Diagnostic(pool.location, "pool '\(name)': \(problem)"))
        for workflow in workflows where workflow.pool == name {
            reject(workflow.name, [Diagnostic(workflow.poolLocation, "workflow '\(workflow.name)' runs on pool '\(name)', whose nodes could not be read (reported at the pool)")])
        }
    }

    private mutating func reject(_ workflow: String, _ problems: [Diagnostic]) {
        guard !problems.isEmpty else { return }
        diagnostics += problems.map { Diagnostic($0.location, $0.message, workflow: workflow) }
        diagnostics.sort { $0.location < $1.location }
        rejectedWorkflows.insert(workflow)
        workflows.removeAll { $0.name == workflow }
    }

    private mutating func uniquePools() -> [ResourcePool] {
        var seen: [String: SourceLocation] = [:]
        var unique: [ResourcePool] = []
        for pool in pools {
            if let first = seen[pool.name] {
                diagnostics.append(Diagnostic(pool.location, "duplicate ResourcePool name '\(pool.name)' (first defined at \(first))"))
            } else {
                seen[pool.name] = pool.location
                unique.append(pool)
            }
        }
        return unique
    }

    /// A name defined twice is ambiguous, so both definitions are rejected.
    private mutating func uniqueWorkflows(_ candidates: [Workflow]) -> [Workflow] {
        let byName = Dictionary(grouping: candidates, by: \.name)
        for (name, definitions) in byName where definitions.count > 1 {
            let first = definitions[0].location
            for duplicate in definitions.dropFirst() {
                diagnostics.append(Diagnostic(duplicate.location, "duplicate workflow name '\(name)' (first defined at \(first))", workflow: name))
            }
            rejectedWorkflows.insert(name)
        }
        return candidates.filter { byName[$0.name]!.count == 1 }
    }
}
