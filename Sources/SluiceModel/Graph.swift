/// The dependency graph of a workflow's tasks (`needs` edges).
public struct TaskGraph: Sendable {
    public let tasks: [TaskSpec]
    private let index: [String: Int]

    public init(_ tasks: [TaskSpec]) {
        self.tasks = tasks
        var index: [String: Int] = [:]
        for (position, task) in tasks.enumerated() where index[task.name] == nil {
            index[task.name] = position
        }
        self.index = index
    }

    /// Tasks so that every task comes after all it needs; ties keep the file's order. Nil when there is a cycle.
    public func topologicalOrder() -> [TaskSpec]? {
        var remaining = tasks.map { task in Set(task.needs.filter { index[$0] != nil }) }
        var done = Set<String>()
        var order: [TaskSpec] = []
        while order.count < tasks.count {
            // Scanning in file order each round keeps the result stable and readable; workflows are small.
            guard let next = tasks.indices.first(where: { !done.contains(tasks[$0].name) && remaining[$0].isSubset(of: done) }) else {
                return nil
            }
            done.insert(tasks[next].name)
            order.append(tasks[next])
            remaining[next] = []
        }
        return order
    }

    /// The first dependency cycle found, as task names in `needs` order with the first name repeated at the end
    /// (`a → b → a` means a needs b and b needs a); nil when the graph is acyclic.
    public func firstCycle() -> [String]? {
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var path: [String] = []

        func visit(_ name: String) -> [String]? {
            switch marks[name] {
            case .done: return nil
            case .visiting:
                let start = path.firstIndex(of: name)!
                return Array(path[start...]) + [name]
            case nil: break
            }
            marks[name] = .visiting
            path.append(name)
            for need in tasks[index[name]!].needs where index[need] != nil {
                if let cycle = visit(need) { return cycle }
            }
            path.removeLast()
            marks[name] = .done
            return nil
        }

        for task in tasks {
            if let cycle = visit(task.name) { return cycle }
        }
        return nil
    }
}
