import Foundation
import SluiceExecution
import SluiceGit

/// Which commits may be applied (Flux's `verify`, Argo CD's signature keys): those signed with an SSH key listed in an
/// allowed-signers file, the format of `git config gpg.ssh.allowedSignersFile`, checked by `ssh-keygen -Y` as git
/// itself checks them. Verdicts are kept by commit: a commit's bytes never change.
public final class SignatureVerifier: @unchecked Sendable {
    public let allowedSigners: String
    private let lock = NSLock()
    /// By commit and by the allowed-signers file as it was (a key added or revoked changes the verdicts).
    private var verdicts: [VerdictKey: String?] = [:]

    private struct VerdictKey: Hashable {
        var commit: OID
        var signers: FileStamp
    }

    /// What tells one version of the allowed-signers file from the next: a Kubernetes Secret update swaps the file.
    private struct FileStamp: Hashable {
        var inode: UInt64
        var size: Int64
        var modified: Double

        init(path: String) throws {
            var info = stat()
            guard stat(path, &info) == 0, access(path, R_OK) == 0 else {
                throw VerificationError(description: "--verify-signatures: cannot read \(path) (\(String(cString: strerror(errno)))); no commit is applied until it can be read")
            }
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        }
    }
    /// First-parent commits looked at for a trusted one before giving up.
    static let searchLimit = 1000

    public init(allowedSigners: String) {
        self.allowedSigners = allowedSigners
    }

    /// A commit that was not applied, and why.
    public struct Refusal: Sendable, Hashable, CustomStringConvertible {
        public var commit: OID
        public var reason: String
        public var description: String { "commit \(commit.short) is not applied: \(reason)" }
    }

    /// The tip when it is trusted; otherwise the newest trusted commit on its first-parent line, which stays in force,
    /// with why the tip was refused.
    public func trusted(from tip: OID, in repository: Repository) throws -> (commit: OID, refusal: Refusal?) {
        guard let reason = try problem(with: tip, in: repository) else { return (tip, nil) }
        var current = tip
        for _ in 0..<Self.searchLimit {
            guard let parent = try repository.commitInfo(current).parents.first else { break }
            if try problem(with: parent, in: repository) == nil { return (parent, Refusal(commit: tip, reason: reason)) }
            current = parent
        }
        throw VerificationError(description: "commit \(tip.short) is not applied (\(reason)), and no commit before it on its first-parent line is signed by a key in \(allowedSigners)")
    }

    /// Why the commit is not trusted, or nil when it is. Throws when it cannot tell (the file unreadable, ssh-keygen
    /// missing): such a pass fails and is tried again, and nothing is cached.
    public func problem(with commit: OID, in repository: Repository) throws -> String? {
        let key = VerdictKey(commit: commit, signers: try FileStamp(path: allowedSigners))
        if let known = lock.withLock({ verdicts[key] }) { return known }
        let verdict: String?
        do {
            verdict = try check(commit, in: repository)
        } catch let error as VerificationError {
            throw error
        } catch {
            throw VerificationError(description: "--verify-signatures: cannot check commit \(commit.short): \(error)")
        }
        lock.withLock { verdicts[key] = verdict }
        return verdict
    }

    private func check(_ commit: OID, in repository: Repository) throws -> String? {
        guard let signed = try repository.signature(of: commit) else { return "it is not signed" }
        guard signed.format == "ssh" else {
            return "it has \(signed.format == "openpgp" ? "an OpenPGP" : "an unrecognised") signature; only SSH signatures are checked (sign with git -c gpg.format=ssh)"
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let signature = folder.appendingPathComponent("commit.sig")
        try signed.signature.write(to: signature)
        // From a file, not a pipe: ssh-keygen may exit without reading it, and a write into a closed pipe is SIGPIPE.
        let payload = folder.appendingPathComponent("commit.payload")
        try signed.signedData.write(to: payload)
        // As git does: find who the key belongs to, then verify the signature as theirs, in the "git" namespace.
        let found = try Self.sshKeygen(["-Y", "find-principals", "-f", allowedSigners, "-s", signature.path], input: nil)
        if found.status != 0, !found.errors.contains("No principal matched") {
            throw VerificationError(description: "--verify-signatures: ssh-keygen could not look up the signer of commit \(commit.short): \(found.errors.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        guard found.status == 0, let principal = found.output.split(separator: "\n").first.map(String.init), !principal.isEmpty else {
            return "it is signed by a key that is not in \(allowedSigners)"
        }
        let verified = try Self.sshKeygen(["-Y", "verify", "-f", allowedSigners, "-I", principal, "-n", "git", "-s", signature.path],
                                          input: payload)
        guard verified.status == 0 else {
            return "its signature by \(principal) does not verify: \(verified.errors.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
        return nil
    }

    private static func sshKeygen(_ arguments: [String], input: URL?) throws -> (status: Int32, output: String, errors: String) {
        do {
            let result = try ToolCommand.run("/usr/bin/ssh-keygen", arguments, input: input)
            return (result.status, result.output, result.errors)
        } catch {
            throw VerificationError(description: "cannot run /usr/bin/ssh-keygen to check signatures (install openssh-client): \(error)")
        }
    }
}

public struct VerificationError: Error, CustomStringConvertible {
    public var description: String
}
