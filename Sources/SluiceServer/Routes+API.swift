import Foundation
import Hummingbird

/// `/api/v1`: every JSON answer is `{"apiVersion": "sluice/v1", "kind": …, "items": [...]}` or `… "item": {...}`.
func addAPIRoutes(to router: Router<BasicRequestContext>, backend: some ServerBackend, configuration: ServerConfiguration) {
    let workflows = router.group("/api/v1/workflows")
    workflows.get { _, _ in
        Response.json(APIEnvelope.list("WorkflowList", try await backend.workflowsJSON()))
    }
    workflows.get(":name") { _, context in
        let name = try context.parameters.require("name")
        guard let data = try await backend.workflowJSON(named: name) else { throw noWorkflow(name) }
        return Response.json(APIEnvelope.item("Workflow", data))
    }
    workflows.get(":name/runs") { request, context in
        let name = try context.parameters.require("name")
        let limit = try number(request.uri.queryParameters["limit"].map(String.init), name: "limit", range: 1...500) ?? 20
        guard let data = try await backend.runsJSON(workflow: name, limit: limit) else { throw noWorkflow(name) }
        return Response.json(APIEnvelope.list("RunList", data))
    }
    workflows.get(":name/tasks/:task/logs") { request, context in
        let (name, task, attempt) = try logTarget(request, context)
        guard let text = try await backend.logs(workflow: name, task: task, attempt: attempt) else { throw noLog(name, task, attempt) }
        return Response.text(text)
    }
    workflows.get(":name/tasks/:task/logs/stream") { request, context in
        let (name, task, attempt) = try logTarget(request, context)
        guard let events = try await backend.followLogs(workflow: name, task: task, attempt: attempt) else { throw noLog(name, task, attempt) }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
                        body: ResponseBody { writer in
                            for await event in events {
                                try await writer.write(ByteBuffer(string: ServerSentEvents.frame(event)))
                            }
                            try await writer.finish(nil)
                        })
    }
    workflows.post(":name/tasks/:task/rerun") { request, context in
        let name = try context.parameters.require("name")
        let task = try context.parameters.require("task")
        guard configuration.apiToken != nil else {
            throw APIError(.forbidden, "this controller's API is read-only: start it with --api-token-file to allow reruns through it, or run `sluice rerun \(name)/\(task)`")
        }
        let downstream = request.uri.queryParameters["downstream"].map { $0 == "true" || $0 == "1" } ?? false
        do {
            let data = try await backend.rerun(workflow: name, task: task, downstream: downstream, by: "the API (bearer token)")
            return Response.json(APIEnvelope.item("Rerun", data), status: .accepted)
        } catch let problem as BackendProblem {
            throw APIError(problem.kind == .notFound ? .notFound : .conflict, problem.message)
        }
    }
    router.get("/api/v1/plans") { _, _ in
        Response.json(APIEnvelope.list("PlanList", try await backend.plansJSON()))
    }
    router.get("/api/v1/openapi.json") { _, _ in
        guard let document = Assets.openAPI else { throw APIError(.internalServerError, "the OpenAPI document is missing from this build's resources") }
        return Response.json(document)
    }
}

private func noWorkflow(_ name: String) -> APIError {
    APIError(.notFound, "no workflow named '\(name)': GET /api/v1/workflows lists the workflows the controller knows")
}

private func noLog(_ name: String, _ task: String, _ attempt: Int?) -> APIError {
    let which = attempt.map { "attempt \($0) of " } ?? ""
    return APIError(.notFound, "no log of \(which)task '\(task)' in workflow '\(name)': check the names (and the attempt) in GET /api/v1/workflows/\(name)")
}

private func logTarget(_ request: Request, _ context: BasicRequestContext) throws -> (String, String, Int?) {
    (try context.parameters.require("name"), try context.parameters.require("task"),
     try attemptNumber(request.uri.queryParameters["attempt"].map(String.init)))
}

/// The `attempt` query parameter: absent means the latest; otherwise a whole number from 1.
func attemptNumber(_ value: String?) throws -> Int? {
    guard let value else { return nil }
    guard let number = Int(value), number >= 1 else {
        throw APIError(.badRequest, "attempt must be a whole number from 1 (attempts count from 1), not '\(value)'; leave it out for the latest")
    }
    return number
}

private func number(_ value: String?, name: String, range: ClosedRange<Int>) throws -> Int? {
    guard let value else { return nil }
    guard let number = Int(value), range.contains(number) else {
        throw APIError(.badRequest, "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(value)'")
    }
    return number
}

/// The `apiVersion`/`kind` envelope around JSON the backend encoded, put together as bytes.
enum APIEnvelope {
    static let apiVersion = "sluice/v1"

    static func list(_ kind: String, _ items: Data) -> Data {
        Data(#"{"apiVersion":"\#(apiVersion)","kind":"\#(kind)","items":"#.utf8) + items + Data("}".utf8)
    }

    static func item(_ kind: String, _ item: Data) -> Data {
        Data(#"{"apiVersion":"\#(apiVersion)","kind":"\#(kind)","item":"#.utf8) + item + Data("}".utf8)
    }
}

/// Server-sent events framing: each line of the text its own `data:` line (a client joins them with newlines).
enum ServerSentEvents {
    static func frame(_ event: LogChunk) -> String {
        let name: String, text: String
        switch event {
        case .text(let chunk): (name, text) = ("log", chunk)
        case .end(let how): (name, text) = ("end", how)
        case .keepAlive: return ": still following\n\n"  // a comment line: clients ignore it
        }
        // `\r\n` and a lone `\r` end a line in SSE too: normalise so a progress bar's `\r` does not split a frame.
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
        return "event: \(name)\n" + lines.map { "data: \($0)\n" }.joined() + "\n"
    }
}
