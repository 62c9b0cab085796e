import Yams

/// Reads the `spec` of a Workflow document.
enum WorkflowReader {
    static let taskFields = ["name", "needs", "run", "service", "inputs", "resources", "estimate", "retries", "timeout", "env", "secrets", "metrics"]

    static func read(spec: Node, metadata: ManifestParser.Metadata?, _ reader: inout YAMLReader) -> Workflow? {
        guard let fields = reader.fields(spec, of: "Workflow spec", allowed: ["pool", "executor", "schedule", "timezone", "suspend", "tasks"],
                                         required: ["pool", "tasks"]) else { return nil }
        let pool = fields["pool"].flatMap { reader.string($0, "pool") }
        if let node = fields["executor"] {
            // The pool decides: one field saying where work runs cannot disagree with another.
            reader.report(node, "spec.executor is gone: the pool decides where tasks run; delete this line, and to run on a cluster give the pool 'slurm: {partition: …}' or 'ray: {address: …}'")
        }
        var schedule: CronSchedule?
        if let node = fields["schedule"], let text = reader.string(node, "schedule") {
            switch CronSchedule.parse(text) {
            case .success(let parsed): schedule = parsed
            case .failure(let problem): reader.report(node, problem.message)
            }
        }
        if let node = fields["timezone"], let zone = reader.string(node, "timezone") {
            if fields["schedule"] == nil {
                reader.report(node, "timezone is read with schedule, and this workflow has none: add 'schedule: \"0 3 * * *\"' or delete this line")
            } else if !CronSchedule.knowsTimeZone(zone) {
                reader.report(node, "unknown time zone '\(zone)': give an IANA name such as Europe/Paris, America/New_York or UTC")
            } else {
                schedule?.timeZone = zone
            }
        }
        // Flux's `spec.suspend`: nothing new starts while it is true; what runs finishes and services stay up.
        let suspend = fields["suspend"].flatMap { reader.boolean($0, "suspend") } ?? false
        var tasks: [TaskSpec] = []
        if let tasksNode = fields["tasks"] {
            if case .sequence(let sequence) = tasksNode {
                if sequence.isEmpty { reader.report(tasksNode, "a workflow needs at least one task") }
                tasks = sequence.compactMap { readTask($0, &reader) }
                // Cross-task checks on a workflow missing a task would report its absence as more errors.
                if tasks.count != sequence.count { return nil }
            } else {
                reader.report(tasksNode, "tasks must be a list, not \(YAMLReader.describe(tasksNode))")
            }
        }
        guard let metadata, let pool, let poolNode = fields["pool"] else { return nil }
        return Workflow(name: metadata.name, labels: metadata.labels, pool: pool, schedule: schedule, suspend: suspend,
                        tasks: tasks, location: metadata.nameLocation, poolLocation: reader.location(poolNode))
    }

    private static func readTask(_ node: Node, _ reader: inout YAMLReader) -> TaskSpec? {
        guard let fields = reader.fields(node, of: "a task", allowed: taskFields, required: ["name"]),
              let nameNode = fields["name"], let name = reader.string(nameNode, "task name") else { return nil }
        let what = "task '\(name)'"
        if !ManifestParser.isValidName(name) {
            reader.report(nameNode, "task name '\(name)' is not valid: use \(ManifestParser.namePattern)")
        }
        let kind = readKind(fields, what: what, &reader)
        let needs = fields["needs"].flatMap { reader.stringList($0, "needs of \(what)") } ?? []
        let inputs = fields["inputs"].flatMap { reader.stringList($0, "inputs of \(what)") } ?? []
        let resources = fields["resources"].flatMap { ResourceReader.read($0, of: "resources of \(what)", &reader) } ?? Resources()
        let estimate = fields["estimate"].flatMap { duration($0, "estimate of \(what)", &reader) }
        let timeout = fields["timeout"].flatMap { node in
            duration(node, "timeout of \(what)", &reader).flatMap { seconds in
                if seconds > 0 { return seconds }
                reader.report(node, "timeout of \(what) must be longer than 0s; leave it out for no timeout")
                return nil
            }
        }
        let retries = fields["retries"].flatMap { reader.integer($0, "retries of \(what)", in: 0...100) } ?? 0
        let env = fields["env"].flatMap {
            reader.stringMap($0, "env of \(what)", keyPattern: isValidEnvName,
                             keyRule: "use letters, digits and '_', not starting with a digit")
        } ?? [:]
        let secrets = fields["secrets"].flatMap { node in
            readSecrets(node, of: what, env: env, &reader)
        } ?? [:]
        let metrics = fields["metrics"].flatMap { readMetrics($0, of: what, isService: kind?.isService == true, &reader) } ?? []
        guard let kind else { return nil }
        return TaskSpec(name: name, needs: needs.map(\.0), kind: kind, inputs: inputs.map(\.0), resources: resources,
                        estimate: estimate, retries: retries, timeout: timeout, env: env, secrets: secrets,
                        metrics: metrics, location: reader.location(nameNode), needLocations: needs.map(\.1), inputLocations: inputs.map(\.1),
                        resourcesLocation: fields["resources"].map { reader.location($0) })
    }

    private static func readKind(_ fields: Fields, what: String, _ reader: inout YAMLReader) -> TaskKind? {
        switch (fields["run"], fields["service"]) {
        case (let run?, nil):
            return reader.string(run, "run of \(what)").map { TaskKind.batch(run: $0) }
        case (nil, let service?):
            return readService(service, what: what, &reader).map(TaskKind.service)
        case (_?, _?):
            reader.report(fields.key("service")!, "\(what) has both 'run' and 'service': a batch task has 'run', a long-running one has 'service.run'")
            return nil
        case (nil, nil):
            reader.report(fields.node, "\(what) has neither 'run' nor 'service': say what it runs")
            return nil
        }
    }

    private static func readService(_ node: Node, what: String, _ reader: inout YAMLReader) -> ServiceSpec? {
        guard let fields = reader.fields(node, of: "service of \(what)", allowed: ["run", "health", "port"], required: ["run"]),
              let run = fields["run"].flatMap({ reader.string($0, "service.run of \(what)") }) else { return nil }
        let port = fields["port"].flatMap { reader.integer($0, "service.port of \(what)", in: 1...65535) }
        var health = HealthCheck.process
        if let healthNode = fields["health"],
           let healthFields = reader.fields(healthNode, of: "health of \(what)", allowed: ["http", "tcp"]) {
            if let http = healthFields["http"], let path = reader.string(http, "health.http of \(what)") {
                if path.hasPrefix("/") {
                    health = .http(path: path)
                } else {
                    reader.report(http, "health.http of \(what) must be a path starting with '/', such as /healthz")
                }
            } else if let tcp = healthFields["tcp"] {
                if case .scalar(let scalar) = tcp, scalar.string == "true" {
                    health = .tcp
                } else if !(tcp.scalar?.string == "false") {
                    reader.report(tcp, "health.tcp of \(what) must be true or false")
                }
            }
        }
        return ServiceSpec(run: run, health: health, port: port)
    }

    private static func duration(_ node: Node, _ what: String, _ reader: inout YAMLReader) -> Double? {
        guard let text = reader.string(node, what) else { return nil }
        guard let seconds = Durations.parse(text) else {
            reader.report(node, "bad duration '\(text)' for \(what): write a number and a unit, such as 90s, 30m, 2h or 1h30m")
            return nil
        }
        guard seconds <= Durations.longest else {
            reader.report(node, "duration '\(text)' for \(what) is longer than 365d, the longest Sluice accepts")
            return nil
        }
        return seconds
    }

    /// `secrets: {HF_TOKEN: hf-token}`: variable names as in `env`, secret names that are plain file names (a secret
    /// is the file of that name in the secrets folder, as in a mounted Kubernetes Secret).
    private static func readSecrets(_ node: Node, of what: String, env: [String: String], _ reader: inout YAMLReader) -> [String: String]? {
        guard let secrets = reader.stringMap(node, "secrets of \(what)", keyPattern: isValidEnvName,
                                             keyRule: "use letters, digits and '_', not starting with a digit") else { return nil }
        var valid = true
        for (variable, secret) in secrets.sorted(by: { $0.key < $1.key }) {
            if !isValidSecretName(secret) {
                reader.report(node, "secret name '\(secret)' for \(variable) in \(what) is not valid: use letters, digits, '.', '-' and '_', not starting with '.'")
                valid = false
            }
            if env[variable] != nil {
                reader.report(node, "\(variable) is in both env and secrets of \(what): keep it in one")
                valid = false
            }
        }
        return valid ? secrets : nil
    }

    /// `metrics: [report.json]`: files under the task's output folder, each once. A service never ends in success, so it
    /// has no results to read.
    private static func readMetrics(_ node: Node, of what: String, isService: Bool, _ reader: inout YAMLReader) -> [String]? {
        guard let paths = reader.stringList(node, "metrics of \(what)") else { return nil }
        if isService {
            reader.report(node, "\(what) is a service: metrics are read when a batch task succeeds, and a service never ends that way; move the metrics to a batch task that evaluates it")
            return nil
        }
        var valid = true
        var seen = Set<String>()
        for (path, location) in paths {
            if let problem = MetricsPath.problem(with: path) {
                reader.sink.report(location, "metrics file '\(path)' of \(what) \(problem)")
                valid = false
            } else if !seen.insert(InputPath.normalized(path)).inserted {
                reader.sink.report(location, "metrics file '\(path)' of \(what) is listed twice")
                valid = false
            }
        }
        return valid ? paths.map { InputPath.normalized($0.0) } : nil
    }

    public static func isValidSecretName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first != ".", name.utf8.count <= 253 else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }
    }

    static func isValidEnvName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }
}
