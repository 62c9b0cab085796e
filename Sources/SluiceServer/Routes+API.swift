import Hummingbird

func addAPIRoutes(to router: Router<BasicRequestContext>, backend: some ServerBackend) {
    let workflows = router.group("/api/v1/workflows")
    workflows.get { _, _ in
        Response.json(try await backend.workflowsJSON())
    }
    workflows.get(":name") { _, context in
        let name = try context.parameters.require("name")
        guard let data = try await backend.workflowJSON(named: name) else {
            throw APIError(.notFound, "no workflow named '\(name)': GET /api/v1/workflows lists the workflows the controller knows")
        }
        return Response.json(data)
    }
    workflows.get(":name/tasks/:task/logs") { request, context in
        let name = try context.parameters.require("name")
        let task = try context.parameters.require("task")
        let attempt = try attemptNumber(request.uri.queryParameters["attempt"].map(String.init))
        guard let text = try await backend.logs(workflow: name, task: task, attempt: attempt) else {
            let which = attempt.map { "attempt \($0) of " } ?? ""
            throw APIError(.notFound, "no log of \(which)task '\(task)' in workflow '\(name)': check the names (and the attempt) in GET /api/v1/workflows/\(name)")
        }
        return Response.text(text)
    }
}

/// The `attempt` query parameter: absent means the latest; otherwise a whole number from 1.
func attemptNumber(_ value: String?) throws -> Int? {
    guard let value else { return nil }
    guard let number = Int(value), number >= 1 else {
        throw APIError(.badRequest, "attempt must be a whole number from 1 (attempts count from 1), not '\(value)'; leave it out for the latest")
    }
    return number
}
