import CGit2
import Foundation

// Why no git_remote_lookup / git_remote_create here: libgit2 1.5.1's `git_regexp_match` leaks its
// pcre2 match data (~20 KiB each) whenever a pattern does not match, and looking up or creating a
// remote globs `url.*.insteadOf` over every config entry. That cost ~0.5 MiB per fetch, which a
// controller fetching every 30 s cannot afford. So the remote's settings are read from the config
// directly and each operation runs through an in-memory remote made with
// `GIT_REMOTE_CREATE_SKIP_INSTEADOF`; the price is that `insteadOf` URL rewriting is not applied.

/// Where a mirror puts fetched branches: under their own names, so `resolve("main")` and
/// `branchTip("main")` see the remote branch and a fetch resets a local branch to the remote tip
/// (what a status writer wants before it retries a rejected push). Tags come through `tagOpt`.
let mirrorRefspec = "+refs/heads/*:refs/heads/*"

extension Repository {
    /// Clones `url` as a bare mirror at `path`, or fetches into the mirror already there.
    ///
    /// Layout: remote `origin` with `fetch = +refs/heads/*:refs/heads/*` and `tagOpt = --tags`,
    /// so branches and tags keep the remote's names (`git fetch` in the mirror does the same), and
    /// HEAD follows the remote's default branch. `url` may be a plain local path, `file://`,
    /// `https://` or ssh; ssh authenticates through ssh-agent. A failed first clone leaves nothing
    /// behind at `path`.
    public static func mirror(from url: String, into path: String) throws(GitError) -> Repository {
        _ = libgit2Features
        let source = remoteURL(url)
        let files = FileManager.default
        let existed = files.fileExists(atPath: path)
        let isEmpty = (try? files.contentsOfDirectory(atPath: path))?.isEmpty ?? true
        var repository: Repository?
        do throws(GitError) {
            repository = existed && !isEmpty ? try open(at: path) : try create(at: path, bare: true)
            try repository!.configureOrigin(url: source)
            try repository!.fetch()
            return repository!
        } catch {
            if !existed {
                repository = nil  // close before deleting what it has open
                try? files.removeItem(atPath: path)
            }
            throw error
        }
    }

    /// Fetches from the named remote with its configured refspecs and tag option; in a bare
    /// repository HEAD then follows the remote's default branch.
    ///
    /// - Parameter prune: also delete local references whose remote branch is gone. Off by
    ///   default so a local branch not yet pushed (a status commit) survives a fetch.
    public func fetch(remote name: String = "origin", prune: Bool = false) throws(GitError) {
        let config = try remoteConfig(name)
        var options = git_fetch_options()
        try check(git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), "preparing a fetch")
        options.prune = prune ? GIT_FETCH_PRUNE : GIT_FETCH_NO_PRUNE
        options.download_tags = config.tags
        let session = RemoteSession()
        session.install(into: &options.callbacks)
        try withRemote(url: config.url) { (remote) throws(GitError) in
            let result = withExtendedLifetime(session) {
                withStrarray(config.fetchRefspecs) { refspecs in git_remote_fetch(remote, refspecs, &options, nil) }
            }
            try check(result, "fetching from '\(name)' (\(config.url))")
            if isBare { try followDefaultBranch(of: remote, refspecs: config.fetchRefspecs) }
        }
    }

    /// Pushes `refs/heads/<branch>` to the same name on the remote, never forcing: when the remote moved on, the push
    /// fails with `isNonFastForward` and nothing of the other writer's is lost; fetch and build on the new tip.
    public func push(branch: String, remote name: String = "origin") throws(GitError) {
        let config = try remoteConfig(name)
        guard let remotePath = Self.localPath(of: config.pushURL) else {
            // A server (http, ssh) updates the ref only if it still holds the value it advertised: already atomic.
            return try push(refspec: "refs/heads/\(branch):refs/heads/\(branch)", to: config.pushURL, naming: name)
        }
        // libgit2's local transport writes the remote ref without checking its old value, so another writer's push
        // landing between its look and its write would be overwritten. The objects go under a staging ref; the branch
        // then moves by compare-and-swap from the value it held, in the remote repository itself.
        guard let tip = try branchTip(branch) else {
            throw GitError(code: GIT_ENOTFOUND.rawValue, message: "pushing \(branch): there is no local branch \(branch)")
        }
        let remote = try Repository.open(at: remotePath)
        let current = try remote.branchTip(branch)
        if current == tip { return }
        let staging = "refs/sluice-push/\(branch)-\(getpid())-\(tip.short)"
        try push(refspec: "+refs/heads/\(branch):\(staging)", to: config.pushURL, naming: name)
        defer {
            var reference: OpaquePointer?
            if git_reference_lookup(&reference, remote.handle, staging) == 0 {
                git_reference_delete(reference)
                git_reference_free(reference)
            }
        }
        var raw = tip.raw
        var reference: OpaquePointer?
        let what = "pushing \(branch) to '\(name)' (\(config.pushURL))"
        let result: Int32
        if let current {
            var expected = current.raw
            var base = current.raw
            // Both are in the remote now (the staging push brought ours).
            guard git_graph_descendant_of(remote.handle, &raw, &base) == 1 else {
                throw GitError(code: GIT_ENONFASTFORWARD.rawValue, message: "\(what): the remote's \(branch) moved to \(current.short), which \(tip.short) does not build on; fetch and build on its tip")
            }
            result = git_reference_create_matching(&reference, remote.handle, "refs/heads/\(branch)", &raw, 1, &expected, "sluice: push")
        } else {
            result = git_reference_create(&reference, remote.handle, "refs/heads/\(branch)", &raw, 0, "sluice: push")
        }
        git_reference_free(reference)
        // Moved, created, or being written (its lock held) by another writer right now: all mean "build on its new tip".
        if [GIT_EMODIFIED, GIT_EEXISTS, GIT_ENOTFOUND, GIT_ELOCKED].contains(where: { $0.rawValue == result }) {
            throw GitError(code: GIT_ENONFASTFORWARD.rawValue,
                           message: "\(what): another writer moved the remote's \(branch) meanwhile; fetch and build on its new tip")
        }
        try check(result, what)
    }

    private func push(refspec: String, to url: String, naming name: String) throws(GitError) {
        var options = git_push_options()
        try check(git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION)), "preparing a push")
        let session = RemoteSession()
        session.install(into: &options.callbacks)
        let what = "pushing \(refspec) to '\(name)' (\(url))"
        try withRemote(url: url) { (remote) throws(GitError) in
            let result = withExtendedLifetime(session) {
                withStrarray([refspec]) { refspecs in
                    git_remote_push(remote, refspecs, &options)
                }
            }
            try check(result, what)
        }
        // A server that refuses one reference still answers the push as a whole with success.
        if let (reference, status) = session.rejections.first {
            let refused = ["non-fast-forward", "fetch first", "stale info"]
            let isNonFastForward = refused.contains { status.localizedCaseInsensitiveContains($0) }
            throw GitError(
                code: isNonFastForward ? GIT_ENONFASTFORWARD.rawValue : GIT_ERROR.rawValue,
                message: "\(what): the remote rejected \(reference): \(status)")
        }
    }

    /// The folder of a remote on this machine (`file://…` or a path), or nil for a network remote.
    static func localPath(of url: String) -> String? {
        if url.hasPrefix("file://localhost/") { return String(url.dropFirst("file://localhost".count)).removingPercentEncoding }
        if url.hasPrefix("file:///") { return String(url.dropFirst("file://".count)).removingPercentEncoding }
        if url.hasPrefix("/") { return url }
        return nil
    }

    // MARK: - Remote configuration

    /// A remote as `remote.<name>.*` describes it.
    private struct RemoteConfig {
        var url: String
        var pushURL: String
        var fetchRefspecs: [String]
        var tags: git_remote_autotag_option_t
    }

    private func remoteConfig(_ name: String) throws(GitError) -> RemoteConfig {
        try withConfig { (config) throws(GitError) in
            let what = "finding remote '\(name)'"
            guard let url = try string("remote.\(name).url", in: config, what) else {
                throw GitError(code: GIT_ENOTFOUND.rawValue, message: "\(what): remote '\(name)' does not exist")
            }
            var refspecs: [String] = []
            var iterator: OpaquePointer?
            // No regexp: a pattern here would take the leaking path described at the top.
            try check(git_config_multivar_iterator_new(&iterator, config, "remote.\(name).fetch", nil), what)
            defer { git_config_iterator_free(iterator) }
            var entry: UnsafeMutablePointer<git_config_entry>?
            while true {
                let result = git_config_next(&entry, iterator)
                if result == GIT_ITEROVER.rawValue { break }
                try check(result, what)
                refspecs.append(String(cString: entry!.pointee.value))
            }
            let tags: git_remote_autotag_option_t = switch try string("remote.\(name).tagopt", in: config, what) {
            case "--tags": GIT_REMOTE_DOWNLOAD_TAGS_ALL
            case "--no-tags": GIT_REMOTE_DOWNLOAD_TAGS_NONE
            default: GIT_REMOTE_DOWNLOAD_TAGS_AUTO
            }
            return RemoteConfig(
                url: url, pushURL: try string("remote.\(name).pushurl", in: config, what) ?? url,
                fetchRefspecs: refspecs, tags: tags)
        }
    }

    /// Makes `origin` a mirror remote of `url`, adding it or pointing it at a new URL.
    private func configureOrigin(url: String) throws(GitError) {
        try withConfig { (config) throws(GitError) in
            let what = "configuring remote origin"
            if try string("remote.origin.url", in: config, what) != url {
                try check(git_config_set_string(config, "remote.origin.url", url), what)
            }
            if try string("remote.origin.fetch", in: config, what) == nil {
                try check(git_config_set_string(config, "remote.origin.fetch", mirrorRefspec), what)
                try check(git_config_set_string(config, "remote.origin.tagopt", "--tags"), what)
            }
        }
    }

    private func withConfig<T>(_ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T {
        var config: OpaquePointer?
        try check(git_repository_config(&config, handle), "reading the repository's config")
        defer { git_config_free(config) }
        return try body(config!)
    }

    /// One config value, `nil` when unset.
    private func string(_ key: String, in config: OpaquePointer, _ what: String) throws(GitError) -> String? {
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        let result = git_config_get_string_buf(&buffer, config, key)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, what)
        return String(cString: buffer.ptr)
    }

    // MARK: - Helpers

    /// Runs `body` with an in-memory remote for `url` bound to this repository.
    private func withRemote<T>(url: String, _ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T {
        var options = git_remote_create_options()
        try check(git_remote_create_options_init(&options, UInt32(GIT_REMOTE_CREATE_OPTIONS_VERSION)), "preparing a remote")
        options.repository = handle
        options.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF.rawValue | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC.rawValue
        var remote: OpaquePointer?
        try check(git_remote_create_with_opts(&remote, url, &options), "connecting to \(url)")
        defer { git_remote_free(remote) }
        return try body(remote!)
    }

    /// Points HEAD at the local copy of the remote's default branch when a refspec maps that
    /// branch onto the same name here (a mirror), so `defaultBranch()` answers as the remote would.
    private func followDefaultBranch(of remote: OpaquePointer, refspecs: [String]) throws(GitError) {
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        let result = git_remote_default_branch(&buffer, remote)
        // An empty remote has no default branch yet; keep ours.
        if result == GIT_ENOTFOUND.rawValue { return }
        try check(result, "reading the remote's default branch")
        let branch = String(cString: buffer.ptr)

        let mapsOntoItself = refspecs.contains { text in
            var refspec: OpaquePointer?
            guard git_refspec_parse(&refspec, text, 1) == 0 else { return false }
            defer { git_refspec_free(refspec) }
            guard git_refspec_src_matches(refspec, branch) == 1 else { return false }
            var local = git_buf()
            defer { git_buf_dispose(&local) }
            return git_refspec_transform(&local, refspec, branch) == 0 && String(cString: local.ptr) == branch
        }
        guard mapsOntoItself, (try? symbolicHeadTarget()) != branch else { return }
        try check(git_repository_set_head(handle, branch), "pointing HEAD at \(branch)")
    }

    private func symbolicHeadTarget() throws(GitError) -> String? {
        var head: OpaquePointer?
        try check(git_reference_lookup(&head, handle, "HEAD"), "reading HEAD")
        defer { git_reference_free(head) }
        return git_reference_symbolic_target(head).map { String(cString: $0) }
    }

    /// Local paths become absolute, so the stored remote still works from another directory.
    private static func remoteURL(_ url: String) -> String {
        guard !url.contains("://"), FileManager.default.fileExists(atPath: url) else { return url }
        return URL(fileURLWithPath: url).standardizedFileURL.path
    }
}
