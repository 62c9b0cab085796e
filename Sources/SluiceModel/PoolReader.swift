import Foundation
import Yams

/// Reads the `spec` of a ResourcePool document.
enum PoolReader {
    static func read(spec: Node, metadata: ManifestParser.Metadata?, _ reader: inout YAMLReader) -> ResourcePool? {
        guard let fields = reader.fields(spec, of: "ResourcePool spec", allowed: ["nodes", "cost", "slurm", "ray"]) else { return nil }
        let engine = readEngine(fields, spec: spec, &reader)
        var nodes: [PoolNode] = []
        if let nodesNode = fields["nodes"] {
            if case .sequence(let sequence) = nodesNode {
                if sequence.isEmpty { reader.report(nodesNode, "a ResourcePool needs at least one node") }
                var seen: [String: SourceLocation] = [:]
                for element in sequence {
                    guard let node = readNode(element, &reader) else { continue }
                    if let first = seen[node.name] {
                        reader.report(element, "duplicate node name '\(node.name)' (first at \(first))")
                    }
                    seen[node.name] = seen[node.name] ?? reader.location(element)
                    nodes.append(node)
                }
            } else {
                reader.report(nodesNode, "nodes must be a list, not \(YAMLReader.describe(nodesNode))")
            }
        }
        var cost: [String: Double] = [:]
        if let costNode = fields["cost"], let costFields = reader.fields(costNode, of: "cost", allowed: [], openKeys: true) {
            for (name, key, value) in costFields.entries {
                guard ResourceReader.isValidResourceName(name) else {
                    reader.report(key, "'\(name)' is not a valid resource name: \(ResourceReader.nameRule)")
                    continue
                }
                guard YAMLReader.isNumber(value), case .scalar(let scalar) = value, let rate = Double(scalar.string), rate >= 0 else {
                    reader.report(value, "cost.\(name) must be a non-negative number (currency units per unit-hour), not \(YAMLReader.describe(value))")
                    continue
                }
                cost[name] = rate
            }
        }
        guard let metadata, let engine else { return nil }
        return ResourcePool(name: metadata.name, labels: metadata.labels, nodes: nodes, cost: cost, engine: engine,
                            location: metadata.nameLocation)
    }

    /// `slurm:` or `ray:` (not both); neither is this machine, whose pool must list its nodes.
    private static func readEngine(_ fields: Fields, spec: Node, _ reader: inout YAMLReader) -> PoolEngine? {
        switch (fields["slurm"], fields["ray"]) {
        case (.some, .some(let ray)):
            reader.report(ray, "a ResourcePool runs on Slurm or on Ray, not both: keep one of 'slurm' and 'ray'")
            return nil
        case (.some(let node), nil):
            guard let slurm = reader.fields(node, of: "slurm", allowed: ["partition", "account", "qos", "options"]) else { return nil }
            var pool = SlurmPool()
            pool.partition = slurm["partition"].flatMap { reader.string($0, "slurm.partition") }
            pool.account = slurm["account"].flatMap { reader.string($0, "slurm.account") }
            pool.qos = slurm["qos"].flatMap { reader.string($0, "slurm.qos") }
            if let options = slurm["options"] {
                let list = reader.stringList(options, "slurm.options") ?? []
                for (option, _) in list {
                    if !option.hasPrefix("-") {
                        reader.report(options, "slurm.options holds sbatch flags, one per entry ('--constraint=a100'), not '\(option)'")
                    } else if let taken = SlurmPool.reservedOption(option) {
                        reader.report(options, "slurm.options cannot set \(taken): Sluice sets it to find, follow and log each job (the pool's partition, account and qos have fields of their own)")
                    }
                }
                pool.options = list.map(\.0)
            }
            return .slurm(pool)
        case (nil, .some(let node)):
            guard let ray = reader.fields(node, of: "ray", allowed: ["address"], required: ["address"]),
                  let addressNode = ray["address"], let address = reader.string(addressNode, "ray.address") else { return nil }
            guard let url = URL(string: address), url.scheme == "http" || url.scheme == "https", url.host?.isEmpty == false else {
                reader.report(addressNode, "ray.address must be the http(s) address of the cluster's Jobs API, such as http://head:8265, not '\(address)'")
                return nil
            }
            return .ray(RayPool(address: address.hasSuffix("/") ? String(address.dropLast()) : address))
        case (nil, nil):
            if fields["nodes"] == nil {
                reader.report(spec, "ResourcePool spec is missing the required field 'nodes' (the machines of a local pool), or 'slurm' or 'ray' to run on a cluster")
                return nil
            }
            return .local
        }
    }

    private static func readNode(_ element: Node, _ reader: inout YAMLReader) -> PoolNode? {
        guard let fields = reader.fields(element, of: "a pool node", allowed: ["name", "capacity", "labels"], required: ["name", "capacity"]),
              let nameNode = fields["name"], let name = reader.string(nameNode, "node name") else { return nil }
        if !ManifestParser.isValidName(name) {
            reader.report(nameNode, "node name '\(name)' is not valid: use \(ManifestParser.namePattern)")
        }
        let labels = fields["labels"].flatMap { reader.stringMap($0, "labels of node '\(name)'") } ?? [:]
        guard let capacityNode = fields["capacity"],
              let capacity = ResourceReader.read(capacityNode, of: "capacity of node '\(name)'", &reader) else { return nil }
        return PoolNode(name: name, capacity: capacity, labels: labels)
    }
}

/// Reads a `resources` or `capacity` mapping.
enum ResourceReader {
    static let nameRule = "start with a lower-case letter, then letters, digits, '_', '.', '/' or '-'"

    static func isValidResourceName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isLowercase, first.isASCII else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isLowercase || ("0"..."9").contains($0) || "_./-".unicodeScalars.contains($0)) }
    }

    static func read(_ node: Node, of what: String, _ reader: inout YAMLReader) -> Resources? {
        guard let fields = reader.fields(node, of: what, allowed: [], openKeys: true) else { return nil }
        var resources = Resources()
        var valid = true
        for (name, key, value) in fields.entries {
            guard isValidResourceName(name) else {
                reader.report(key, "'\(name)' is not a valid resource name in \(what): \(nameRule)")
                valid = false
                continue
            }
            if let meant = likelyMisspelling(name) {
                reader.report(key, "unknown resource '\(name)' in \(what) (did you mean '\(meant)'?)")
                valid = false
                continue
            }
            guard case .scalar(let scalar) = value, !YAMLReader.isNull(scalar) else {
                reader.report(value, "\(name) in \(what) must be a quantity, not \(YAMLReader.describe(value))")
                valid = false
                continue
            }
            switch Quantity.parse(scalar.string, isNumber: YAMLReader.isNumber(value), for: name) {
            case .success(let amount): resources[name] = amount
            case .failure(let problem):
                reader.report(value, problem.message)
                valid = false
            }
        }
        return valid ? resources : nil
    }

    /// Custom resource names are free, so a typo such as `gpus` would silently become a new resource;
    /// a name one or two letters away from a well-known one is taken for a typo. Short names (`tpu`) are left alone.
    private static func likelyMisspelling(_ name: String) -> String? {
        guard name.count >= 4, !Quantity.wellKnown.contains(name) else { return nil }
        return YAMLReader.closest(to: name, among: Quantity.wellKnown)
    }
}
