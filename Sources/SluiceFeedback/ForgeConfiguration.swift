import Foundation

/// The git forges whose commit status API Sluice speaks.
public enum ForgeKind: String, CaseIterable, Sendable {
    case github, gitlab, gitea
}

/// What a commit status says about a commit; each forge spells `failure` its own way.
public enum CommitState: String, Sendable, Codable {
    case pending, success, failure
}

/// What Sluice tells a forge about one commit.
public struct CommitStatus: Sendable, Codable, Equatable {
    /// The full 40-digit hexadecimal sha of the commit.
    public var commit: String
    public var state: CommitState
    public var description: String
    /// Where the forge links the status to (the dashboard's page for the workflow); left out of the request when nil.
    public var targetURL: String?

    public init(commit: String, state: CommitState, description: String, targetURL: String? = nil) {
        self.commit = commit
        self.state = state
        self.description = description
        self.targetURL = targetURL
    }
}

/// Where and how to post commit statuses.
///
/// Each forge's documented endpoint, at the API version followed:
/// - GitHub, REST API version `2022-11-28`: `POST {api}/repos/{owner}/{repo}/statuses/{sha}` ("Create a commit
///   status"), `Authorization: Bearer`, `{state, target_url, description, context}`.
/// - GitLab, REST API v4: `POST {api}/api/v4/projects/{id}/statuses/{sha}` ("Set the pipeline status of a commit"),
///   `PRIVATE-TOKEN`, `{state, name, target_url, description}`, where `{id}` is the numeric id or the URL-encoded
///   project path.
/// - Gitea, API v1: `POST {api}/api/v1/repos/{owner}/{repo}/statuses/{sha}` ("Create a commit status"),
///   `Authorization: token`, `{state, target_url, description, context}`.
public struct ForgeConfiguration: Sendable {
    public var kind: ForgeKind
    /// The forge's base URL as the user gives it (`https://api.github.com`, `https://gitlab.example.com`,
    /// `https://gitea.example.com`); a path prefix such as GitHub Enterprise's `/api/v3` is kept.
    public var apiURL: URL
    /// `owner/name`; for GitLab the project path (`group/sub/name`) or its numeric id.
    public var repository: String
    public var token: String
    /// Tells Sluice's status apart from other checks on the commit: GitHub's and Gitea's `context`, GitLab's `name`.
    public var context: String

    public init(kind: ForgeKind, apiURL: URL, repository: String, token: String, context: String = "sluice") {
        self.kind = kind
        self.apiURL = apiURL
        self.repository = repository
        self.token = token
        self.context = context
    }

    /// GitHub refuses a longer description with 422 rather than cutting it.
    static let githubDescriptionLimit = 140

    /// The request that sets `status` on the forge.
    public func request(for status: CommitStatus, deliveryID: String = UUID().uuidString.lowercased()) -> FeedbackRequest {
        var fields = ["state": status.state.rawValue, "description": status.description]
        fields["target_url"] = status.targetURL
        var headers = FeedbackRequest.commonHeaders
        let path: String
        var alreadyAppliedMarker: String?
        switch kind {
        case .github:
            path = "/repos/\(ownerAndName)/statuses/\(Self.segment(status.commit))"
            headers["Authorization"] = "Bearer \(token)"
            headers["Accept"] = "application/vnd.github+json"
            headers["X-GitHub-Api-Version"] = "2022-11-28"
            fields["description"] = status.description.cut(to: Self.githubDescriptionLimit)
            fields["context"] = context
        case .gitlab:
            // GitLab takes the whole project path as one segment, its slashes encoded.
            path = "/api/v4/projects/\(Self.segment(repository))/statuses/\(Self.segment(status.commit))"
            headers["PRIVATE-TOKEN"] = token
            fields["state"] = status.state == .failure ? "failed" : status.state.rawValue
            fields["name"] = context
            // Its answer to a status that already has this state: "Cannot transition status via :run from :running".
            alreadyAppliedMarker = "Cannot transition status"
        case .gitea:
            path = "/api/v1/repos/\(ownerAndName)/statuses/\(Self.segment(status.commit))"
            headers["Authorization"] = "token \(token)"
            fields["context"] = context
        }
        return FeedbackRequest(url: endpoint(path), headers: headers, body: FeedbackRequest.json(fields),
                               deliveryID: deliveryID, event: "commit-status", alreadyAppliedMarker: alreadyAppliedMarker)
    }

    /// `owner/name` with each part encoded as a path segment of its own.
    private var ownerAndName: String {
        repository.split(separator: "/", omittingEmptySubsequences: true).map { Self.segment(String($0)) }.joined(separator: "/")
    }

    /// The base URL with `encodedPath` after it: every part of that path is percent-encoded already, and
    /// `appendingPathComponent` would encode its `%` once more.
    private func endpoint(_ encodedPath: String) -> URL {
        var base = apiURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        // A URL's text with a percent-encoded path after it is a URL again.
        return URL(string: base + encodedPath)!
    }

    /// Characters that stand for themselves in a path segment (RFC 3986's unreserved set); all else is encoded.
    private static let unreserved = CharacterSet(charactersIn:
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
