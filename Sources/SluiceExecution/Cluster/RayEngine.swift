import Foundation

/// Ray through its Jobs REST API (the dashboard's address). Each job's driver is the attempt's job script; its
/// resources are the job's entrypoint resources, so Ray places it where they are free.
public struct RayEngine: ClusterEngine {
    public let address: URL
    private let http = BlockingHTTP()

    public init(address: URL) {
        self.address = address
    }

    public var name: String { "Ray at \(address.absoluteString)" }

    private func url(_ path: String) -> URL { address.appendingPathComponent(path) }

    public func submit(_ submission: ClusterSubmission) throws -> String {
        var body: [String: Any] = [
            "entrypoint": "/bin/sh " + ClusterFiles.quoted(submission.script),
            "submission_id": submission.submissionID,
            "metadata": ["sluice": submission.label],
        ]
        body.merge(Self.resourceFields(submission.resources)) { $1 }
        let response = try http.request("POST", url("api/jobs/"), json: body)
        guard response.status == 200 else {
            // Ray answers errors as Python tracebacks; their last line says what went wrong.
            let last = Self.lastLine(response.text)
            throw ClusterError("Ray refused \(submission.label) (HTTP \(response.status)): \(last)",
                               isDuplicate: response.text.contains("already exists"))
        }
        return submission.submissionID
    }

    /// `entrypoint_num_cpus`, `_num_gpus`, `_memory` (bytes), and custom resources for the rest: bandwidth in Mbit/s
    /// (Ray keeps resources in fixed point, where bits per second would overflow), others by their own count.
    static func resourceFields(_ resources: [String: Double]) -> [String: Any] {
        var fields: [String: Any] = ["entrypoint_num_cpus": resources["cpu"] ?? 0]
        if let gpus = resources["gpu"], gpus > 0 { fields["entrypoint_num_gpus"] = gpus }
        if let memory = resources["memory"], memory > 0 { fields["entrypoint_memory"] = Int(memory.rounded(.up)) }
        var custom: [String: Double] = [:]
        for (name, amount) in resources where !["cpu", "memory", "gpu"].contains(name) && amount > 0 {
            let count = name == "bandwidth" ? amount / 1_000_000 : amount
            // Ray takes fractions of a resource only below 1.
            custom[name] = count > 1 ? count.rounded(.up) : count
        }
        if !custom.isEmpty { fields["entrypoint_resources"] = custom }
        return fields
    }

    public func find(submissionID: String) throws -> ClusterJob? {
        let response = try http.request("GET", url("api/jobs/\(submissionID)"))
        if response.status == 404 { return nil }
        guard response.status == 200, let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] else {
            throw ClusterError("Ray did not describe job \(submissionID) (HTTP \(response.status)): \(Self.lastLine(response.text))")
        }
        return Self.job(object)
    }

    public func jobs(_ submissionIDs: Set<String>) throws -> [String: ClusterJob] {
        let response = try http.request("GET", url("api/jobs/"))
        guard response.status == 200, let list = try? JSONSerialization.jsonObject(with: response.body) as? [[String: Any]] else {
            throw ClusterError("Ray did not list its jobs (HTTP \(response.status)): \(Self.lastLine(response.text))")
        }
        var jobs: [String: ClusterJob] = [:]
        for object in list {
            guard let id = object["submission_id"] as? String, submissionIDs.contains(id), let job = Self.job(object) else { continue }
            jobs[id] = job
        }
        return jobs
    }

    static func job(_ object: [String: Any]) -> ClusterJob? {
        guard let id = object["submission_id"] as? String, let status = object["status"] as? String else { return nil }
        switch status {
        case "PENDING": return ClusterJob(id: id, phase: .queued)
        case "RUNNING": return ClusterJob(id: id, phase: .running)
        case "SUCCEEDED": return ClusterJob(id: id, phase: .ended(ClusterEnd(state: status, exitCode: 0, reason: "Ray job \(id) succeeded")))
        case "STOPPED": return ClusterJob(id: id, phase: .ended(ClusterEnd(state: status, cancelled: true, reason: "Ray job \(id) was stopped")))
        default:
            let errorType = object["error_type"] as? String
            let message = (object["message"] as? String).map { Self.lastLine($0) } ?? ""
            let exit = (object["driver_exit_code"] as? NSNumber).map { Int32(truncating: $0) }
            var reason = "Ray job \(id) \(status)" + (errorType.map { " (\($0))" } ?? "")
            if errorType == "JOB_SUPERVISOR_ACTOR_START_TIMEOUT" {
                reason += ": it waited for resources longer than RAY_JOB_START_TIMEOUT_SECONDS"
            } else if !message.isEmpty {
                reason += ": \(message)"
            }
            return ClusterJob(id: id, phase: .ended(ClusterEnd(state: errorType ?? status, exitCode: exit, reason: reason)))
        }
    }

    /// Ray has no way to signal the driver alone: it sends SIGTERM to the driver and every process under it, the
    /// task too, and SIGKILL a few seconds later. The supervisor counts a task killed while a stop was asked for as
    /// cancelled, so the result is the same; a task's own clean-up gets those seconds, not its kill grace. A job still
    /// pending stays pending after a stop until its start timeout: the executor records its cancel itself.
    public func cancel(jobID: String, submissionID: String, supervisorOnly: Bool) throws {
        let response = try http.request("POST", url("api/jobs/\(submissionID)/stop"))
        guard response.status == 200 || response.status == 404 else {
            throw ClusterError("Ray did not stop job \(submissionID) (HTTP \(response.status)): \(Self.lastLine(response.text))")
        }
    }

    public func nodes() throws -> [ExecutorNode] {
        let response = try http.request("GET", url("api/v0/nodes").appending(queryItems: [URLQueryItem(name: "view", value: "summary")]))
        guard response.status == 200, let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let data = object["data"] as? [String: Any], let result = data["result"] as? [String: Any],
              let list = result["result"] as? [[String: Any]] else {
            throw ClusterError("Ray did not list its nodes (HTTP \(response.status)): \(Self.lastLine(response.text))")
        }
        let alive = list.filter { ($0["state"] as? String) == "ALIVE" }
        // A node's name is its address, which two raylets on one host share: the id tells them apart then.
        let names = alive.map { ($0["node_name"] as? String) ?? "ray-node" }
        return alive.enumerated().compactMap { index, node -> ExecutorNode? in
            guard let total = node["resources_total"] as? [String: Any] else { return nil }
            var capacity: [String: Double] = [:]
            for (name, value) in total {
                guard let amount = (value as? NSNumber)?.doubleValue else { continue }
                switch name {
                case "CPU": capacity["cpu"] = amount
                case "GPU": capacity["gpu"] = amount
                case "memory": capacity["memory"] = amount
                case "bandwidth": capacity["bandwidth"] = amount * 1_000_000
                case "object_store_memory": continue
                default:
                    // Ray's own markers (node:<ip>, accelerator_type:…) are not resources a manifest asks for.
                    if !name.contains(":") { capacity[name] = amount }
                }
            }
            var name = names[index]
            if names.filter({ $0 == name }).count > 1 { name += "-" + String(((node["node_id"] as? String) ?? "\(index)").prefix(8)) }
            return ExecutorNode(name: name, capacity: capacity)
        }.sorted { $0.name < $1.name }
    }

    public func log(jobID: String, submissionID: String) -> String {
        guard let response = try? http.request("GET", url("api/jobs/\(submissionID)/logs")), response.status == 200,
              let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] else { return "" }
        return object["logs"] as? String ?? ""
    }

    static func lastLine(_ text: String) -> String {
        text.split(separator: "\n").last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }).map(String.init) ?? "no answer"
    }
}
