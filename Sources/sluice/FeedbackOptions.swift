import ArgumentParser
import Foundation
import Logging
import SluiceFeedback
import SluiceReconciler

/// `--forge…`, `--notify…` and `--external-url` of `sluice controller`: who is told what the controller did.
struct FeedbackOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Set a commit status on each reconciled or previewed commit on this forge: github, gitlab or gitea.", valueName: "KIND"))
    var forge: ForgeKind?

    @Option(help: ArgumentHelp("The forge's API base: https://api.github.com (the default for github), https://gitlab.example.com, https://gitea.example.com.", valueName: "URL"))
    var forgeURL: String?

    @Option(help: ArgumentHelp("The repository on the forge: owner/name (GitLab: the project path or id); default: from a remote --repo URL.", valueName: "OWNER/NAME"))
    var forgeRepo: String?

    @Option(help: ArgumentHelp("File holding the forge's API token.", valueName: "FILE"))
    var forgeTokenFile: String?

    @Option(name: .customLong("notify"), help: ArgumentHelp("POST a JSON notification here when a workflow fails, recovers or succeeds after a new commit, or a service becomes unhealthy (repeatable).", valueName: "URL"))
    var notify: [String] = []

    @Option(help: ArgumentHelp("File holding the secret that signs notifications (X-Sluice-Signature-256: sha256=HMAC of the body).", valueName: "FILE"))
    var notifySecretFile: String?

    @Option(help: ArgumentHelp("Where people reach this controller's dashboard (https://sluice.example.com), for links in commit statuses and notifications.", valueName: "URL"))
    var externalURL: String?

    var isEnabled: Bool { forge != nil || !notify.isEmpty }

    func validate() throws {
        if forge == nil, forgeURL != nil || forgeRepo != nil || forgeTokenFile != nil {
            throw ValidationError("--forge-url, --forge-repo and --forge-token-file go with --forge github|gitlab|gitea")
        }
        if let forge {
            if forgeURL == nil && forge != .github { throw ValidationError("--forge \(forge.rawValue) needs --forge-url, the forge's address (e.g. https://\(forge.rawValue).example.com)") }
            if forgeTokenFile == nil { throw ValidationError("--forge \(forge.rawValue) needs --forge-token-file FILE, a file holding an API token that may set commit statuses") }
        }
        if let forgeURL, Self.httpURL(forgeURL) == nil { throw ValidationError("--forge-url '\(forgeURL)' is not an http(s) URL") }
        for url in notify where Self.httpURL(url) == nil { throw ValidationError("--notify '\(url)' is not an http(s) URL") }
        if notifySecretFile != nil && notify.isEmpty { throw ValidationError("--notify-secret-file signs notifications: give at least one --notify URL") }
        if let externalURL, Self.httpURL(externalURL) == nil { throw ValidationError("--external-url '\(externalURL)' is not an http(s) URL") }
    }

    /// The observer that tells them, or nil when nobody is to be told. Reads the token and the secret now, so a bad file
    /// stops the controller at start rather than failing every delivery.
    func observer(repository: String, commitSummary: @escaping @Sendable (String) -> String?, logger: Logger) throws -> FeedbackObserver? {
        guard isEnabled else { return nil }
        var forgeConfiguration: ForgeConfiguration?
        if let forge, let tokenFile = forgeTokenFile {
            guard let repositoryName = forgeRepo ?? ForgeConfiguration.repository(fromRemote: repository) else {
                throw Failure("--forge \(forge.rawValue): cannot tell the repository's owner/name from --repo '\(repository)'; give --forge-repo OWNER/NAME")
            }
            let url = Self.httpURL(forgeURL ?? "https://api.github.com")!
            forgeConfiguration = ForgeConfiguration(kind: forge, apiURL: url, repository: repositoryName, token: try Self.secret(tokenFile, flag: "--forge-token-file"))
        }
        let secret = try notifySecretFile.map { Array(try Self.secret($0, flag: "--notify-secret-file").utf8) }
        let targets = notify.map { NotificationTarget(url: Self.httpURL($0)!, secret: secret) }
        return FeedbackObserver(sender: FeedbackSender(logger: logger), forge: forgeConfiguration, targets: targets,
                                link: externalURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }, commitSummary: commitSummary)
    }

    private static func httpURL(_ text: String) -> URL? {
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else { return nil }
        return url
    }

    /// The file's text without surrounding whitespace: `echo token > file` leaves a newline nobody means.
    private static func secret(_ path: String, flag: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure("\(flag) \(path): cannot read the file") }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw Failure("\(flag) \(path): the file is empty") }
        return text
    }
}

extension ForgeKind: ExpressibleByArgument {}
