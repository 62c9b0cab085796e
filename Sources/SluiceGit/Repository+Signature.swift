import CGit2
import Foundation

/// A commit's signature and the bytes it signs: the commit object without its `gpgsig` header.
public struct CommitSignature: Sendable {
    public var signature: Data
    public var signedData: Data

    /// What made it, from its armour: `ssh` or `openpgp`, or nil when unrecognised.
    public var format: String? {
        let head = String(decoding: signature.prefix(64), as: UTF8.self)
        if head.hasPrefix("-----BEGIN SSH SIGNATURE-----") { return "ssh" }
        if head.hasPrefix("-----BEGIN PGP SIGNATURE-----") { return "openpgp" }
        return nil
    }
}

extension Repository {
    /// The commit's signature, or nil when it is not signed.
    public func signature(of commit: OID) throws(GitError) -> CommitSignature? {
        var signature = git_buf(), signed = git_buf()
        defer {
            git_buf_dispose(&signature)
            git_buf_dispose(&signed)
        }
        var raw = commit.raw
        let result = git_commit_extract_signature(&signature, &signed, handle, &raw, nil)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "reading the signature of commit \(commit.short)")
        return CommitSignature(signature: Data(bytes: signature.ptr, count: signature.size),
                               signedData: Data(bytes: signed.ptr, count: signed.size))
    }
}
