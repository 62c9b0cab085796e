import Foundation

extension ForgeConfiguration {
    /// The repository path in a git remote URL: `owner/name` from `https://host/owner/name(.git)`,
    /// `git@host:owner/name.git` or `ssh://git@host:port/owner/name.git`, and `group/sub/name` from a GitLab subgroup;
    /// nil for a local path or anything without at least an owner and a name.
    ///
    /// Every segment after the host is taken, so a forge served under a path prefix (`https://host/gitea/owner/name`)
    /// needs its repository given explicitly.
    public static func repository(fromRemote url: String) -> String? {
        let remote = url.trimmingCharacters(in: .whitespacesAndNewlines)
        let path: Substring
        if let schemeEnd = remote.range(of: "://") {
            let scheme = remote[..<schemeEnd.lowerBound].lowercased()
            guard remoteSchemes.contains(scheme) else { return nil }
            let afterScheme = remote[schemeEnd.upperBound...]
            guard let slash = afterScheme.firstIndex(of: "/"), slash != afterScheme.startIndex else { return nil }
            path = afterScheme[slash...]
        } else if let colon = remote.firstIndex(of: ":"), colon != remote.startIndex, !remote[..<colon].contains("/") {
            // git reads `[user@]host:path` as ssh when the colon comes before any slash.
            path = remote[remote.index(after: colon)...]
        } else {
            return nil
        }
        var segments = path.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        if let last = segments.last, last.hasSuffix(".git") {
            segments[segments.count - 1] = String(last.dropLast(".git".count))
        }
        guard segments.count >= 2, !segments.contains(where: \.isEmpty) else { return nil }
        return segments.joined(separator: "/")
    }

    /// Schemes of remotes on a forge; `file://` is a local repository.
    private static let remoteSchemes: Set<String> = ["https", "http", "ssh", "git", "git+ssh", "ssh+git"]
}
