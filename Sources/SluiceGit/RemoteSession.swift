import CGit2
import Foundation

/// What the C callbacks of one fetch or push share, reached through their payload pointer.
final class RemoteSession {
    private var triedAgent = false
    private var triedUsername = false
    private var triedDefault = false
    /// References the server refused, with its reason.
    private(set) var rejections: [(reference: String, status: String)] = []

    /// Sets the callbacks and payload; the caller keeps `self` alive for the whole operation.
    func install(into callbacks: inout git_remote_callbacks) {
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        callbacks.credentials = { out, _, usernameFromURL, allowed, payload in
            let session = Unmanaged<RemoteSession>.fromOpaque(payload!).takeUnretainedValue()
            let user = usernameFromURL.map { String(cString: $0) } ?? "git"
            // libgit2 asks again after each refused credential; offer each kind once, then stop.
            if allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0, !session.triedUsername {
                session.triedUsername = true
                return git_credential_username_new(out, user)
            }
            if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0, !session.triedAgent {
                session.triedAgent = true
                return git_credential_ssh_key_from_agent(out, user)
            }
            if allowed & GIT_CREDENTIAL_DEFAULT.rawValue != 0, !session.triedDefault {
                session.triedDefault = true
                return git_credential_default_new(out)
            }
            git_error_set_str(
                Int32(GIT_ERROR_NET.rawValue),
                "authentication failed (tried ssh-agent, the URL's user and system defaults)")
            return GIT_EAUTH.rawValue
        }
        callbacks.push_update_reference = { reference, status, payload in
            // A non-nil status is the server's reason for refusing this one reference.
            if let status, let reference {
                let session = Unmanaged<RemoteSession>.fromOpaque(payload!).takeUnretainedValue()
                session.rejections.append((String(cString: reference), String(cString: status)))
            }
            return 0
        }
    }
}

/// Runs `body` with `strings` as a `git_strarray` whose C strings live for the call only.
func withStrarray(_ strings: [String], _ body: (UnsafeMutablePointer<git_strarray>) -> Int32) -> Int32 {
    var copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return copies.withUnsafeMutableBufferPointer { buffer in
        var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
        return body(&array)
    }
}
