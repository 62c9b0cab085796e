import Foundation
import Testing
@testable import SluiceFeedback

/// Commit statuses as each forge's API documents them, built alone and delivered to a real server.
@Suite(.timeLimit(.minutes(1)))
struct ForgeStatusTests {
    static let sha = "0123456789abcdef0123456789abcdef01234567"
    static let status = CommitStatus(commit: sha, state: .failure, description: "train failed: exit code 1",
                                     targetURL: "https://sluice.example/workflows/customer-service")

    /// What a forge of each kind must receive, with its API served under a path prefix, besides the headers and
    /// fields all three share.
    struct Expected {
        var prefix: String
        var repository: String
        var path: String
        var headers: [String: String]
        var fields: [String: String]

        static let sharedHeaders = ["content-type": "application/json", "user-agent": "sluice"]
        static let sharedFields = ["description": "train failed: exit code 1",
                                   "target_url": "https://sluice.example/workflows/customer-service"]

        static func of(_ kind: ForgeKind) -> Expected {
            let sha = ForgeStatusTests.sha
            return switch kind {
            // GitHub Enterprise's prefix, given with a trailing slash that must not double.
            case .github: Expected(prefix: "/api/v3/", repository: "acme/models", path: "/api/v3/repos/acme/models/statuses/\(sha)",
                                   headers: ["authorization": "Bearer t0ken", "accept": "application/vnd.github+json",
                                             "x-github-api-version": "2022-11-28"],
                                   fields: ["state": "failure", "context": "sluice/test"])
            case .gitlab: Expected(prefix: "/gitlab", repository: "group/name",
                                   path: "/gitlab/api/v4/projects/group%2Fname/statuses/\(sha)",
                                   headers: ["private-token": "t0ken"], fields: ["state": "failed", "name": "sluice/test"])
            case .gitea: Expected(prefix: "/gitea", repository: "acme/models", path: "/gitea/api/v1/repos/acme/models/statuses/\(sha)",
                                  headers: ["authorization": "token t0ken"], fields: ["state": "failure", "context": "sluice/test"])
            }
        }
    }

    @Test(arguments: ForgeKind.allCases)
    func senderDeliversTheStatusAsTheForgeDocumentsIt(kind: ForgeKind) async throws {
        let expected = Expected.of(kind)
        let sender = FeedbackSender(logger: CapturedLogs().logger(), retryDelays: [])
        let received = try await Receiver.run { receiver in
            let forge = ForgeConfiguration(kind: kind, apiURL: URL(string: receiver.url.absoluteString + expected.prefix)!,
                                           repository: expected.repository, token: "t0ken", context: "sluice/test")
            sender.send(forge.request(for: Self.status))
            #expect(await sender.drain(timeout: 10))
            return receiver.received
        }
        #expect(received.count == 1)
        let request = try #require(received.first)
        #expect(request.method == "POST")
        #expect(request.path == expected.path)
        for (name, value) in expected.headers.merging(Expected.sharedHeaders, uniquingKeysWith: { $1 }) {
            #expect(request.header(name) == value, "header \(name)")
        }
        #expect(request.json as? [String: String] == expected.fields.merging(Expected.sharedFields, uniquingKeysWith: { $1 }))
        #expect(sender.delivered == 1)
        #expect(sender.failed == 0)
    }

    @Test(arguments: ForgeKind.allCases)
    func statesAreSpelledTheForgesWay(kind: ForgeKind) throws {
        let forge = Self.forge(kind)
        let states = try [CommitState.pending, .success, .failure].map { state in
            let request = forge.request(for: CommitStatus(commit: Self.sha, state: state, description: "d"))
            return try #require(Self.fields(request)["state"] as? String)
        }
        #expect(states == ["pending", "success", kind == .gitlab ? "failed" : "failure"])
    }

    @Test(arguments: ForgeKind.allCases)
    func aMissingTargetURLIsLeftOut(kind: ForgeKind) throws {
        let forge = Self.forge(kind)
        let fields = try Self.fields(forge.request(for: CommitStatus(commit: Self.sha, state: .success, description: "ok")))
        #expect(fields["target_url"] == nil)
        #expect(fields["description"] as? String == "ok")
    }

    @Test func githubDescriptionsAreCutTo140Characters() throws {
        let forge = Self.forge(.github)
        let long = String(repeating: "é", count: 200)
        let cut = try #require(Self.fields(forge.request(for: CommitStatus(commit: Self.sha, state: .failure, description: long)))["description"] as? String)
        #expect(cut.count == 140)
        #expect(cut == String(repeating: "é", count: 139) + "…")
        let exact = String(repeating: "x", count: 140)
        #expect(try Self.fields(forge.request(for: CommitStatus(commit: Self.sha, state: .failure, description: exact)))["description"] as? String == exact)
        // Only GitHub has the limit.
        let gitea = Self.forge(.gitea)
        #expect(try Self.fields(gitea.request(for: CommitStatus(commit: Self.sha, state: .failure, description: long)))["description"] as? String == long)
    }

    @Test func gitlabTakesANumericIdOrTheWholeEncodedProjectPath() {
        let base = URL(string: "https://gitlab.example.com")!
        let numeric = ForgeConfiguration(kind: .gitlab, apiURL: base, repository: "4711", token: "t")
        #expect(numeric.request(for: Self.status).url.absoluteString
                == "https://gitlab.example.com/api/v4/projects/4711/statuses/\(Self.sha)")
        let nested = ForgeConfiguration(kind: .gitlab, apiURL: base, repository: "group/sub group/name", token: "t")
        #expect(nested.request(for: Self.status).url.absoluteString
                == "https://gitlab.example.com/api/v4/projects/group%2Fsub%20group%2Fname/statuses/\(Self.sha)")
    }

    @Test func githubAnswersAtItsPublicAPIWithoutAPrefix() {
        let forge = ForgeConfiguration(kind: .github, apiURL: URL(string: "https://api.github.com")!, repository: "acme/models", token: "t")
        let request = forge.request(for: Self.status, deliveryID: "d-1")
        #expect(request.url.absoluteString == "https://api.github.com/repos/acme/models/statuses/\(Self.sha)")
        #expect(request.method == "POST")
        #expect(request.deliveryID == "d-1")
        #expect(request.event == "commit-status")
    }

    /// GitLab's 400 for a state the commit already has is success; any other 400 is a failure. Neither is retried.
    @Test(arguments: [
        (#"{"message":"Cannot transition status via :run from :running (Reason(s): Status cannot transition via \"run\")"}"#, true),
        (#"{"message":"state is missing"}"#, false),
    ])
    func gitlabBadRequest(answer: String, countsAsDelivered: Bool) async throws {
        let sender = FeedbackSender(logger: CapturedLogs().logger(), retryDelays: [0.01])
        let count = try await Receiver.run(replies: [Reply(status: 400, body: answer)]) { receiver in
            let forge = ForgeConfiguration(kind: .gitlab, apiURL: receiver.url, repository: "group/name", token: "t")
            sender.send(forge.request(for: Self.status))
            #expect(await sender.drain(timeout: 10))
            return receiver.received.count
        }
        #expect(count == 1)
        #expect(sender.delivered == (countsAsDelivered ? 1 : 0))
        #expect(sender.failed == (countsAsDelivered ? 0 : 1))
    }

    static func forge(_ kind: ForgeKind) -> ForgeConfiguration {
        ForgeConfiguration(kind: kind, apiURL: URL(string: "https://forge.example")!, repository: "acme/models", token: "t")
    }

    static func fields(_ request: FeedbackRequest) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
    }
}
