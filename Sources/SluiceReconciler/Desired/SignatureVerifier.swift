import Foundation
import SluiceGit

/// Which commits may be applied (Flux's `verify`, Argo CD's signature keys): those signed with an SSH key listed in an
/// allowed-signers file, the format of `git config gpg.ssh.allowedSignersFile`, checked by `ssh-keygen -Y` as git
/// itself checks them. Verdicts are kept by commit: a commit's bytes never change.
public final class SignatureVerifier: @unchecked Sendable {
    public let allowedSigners: String
    private let lock = NSLock()
    private var verdicts: [OID: String?] = [:]
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

    /// Why the commit is not trusted, or nil when it is.
    public func problem(with commit: OID, in repository: Repository) throws -> String? {
        if let known = lock.withLock({ verdicts[commit] }) { return known }
        let verdict = try check(commit, in: repository)
        lock.withLock { verdicts[commit] = verdict }
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
        // As git does: find who the key belongs to, then verify the signature as theirs, in the "git" namespace.
        let found = try Self.sshKeygen(["-Y", "find-principals", "-f", allowedSigners, "-s", signature.path], input: nil)
        guard found.status == 0, let principal = found.output.split(separator: "\n").first.map(String.init), !principal.isEmpty else {
            return "it is signed by a key that is not in \(allowedSigners)"
        }
        let verified = try Self.sshKeygen(["-Y", "verify", "-f", allowedSigners, "-I", principal, "-n", "git", "-s", signature.path],
                                          input: signed.signedData)
        guard verified.status == 0 else {
            return "its signature by \(principal) does not verify: \(verified.errors.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
        return nil
    }

    private static func sshKeygen(_ arguments: [String], input: Data?) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-keygen")
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            throw VerificationError(description: "cannot run /usr/bin/ssh-keygen to check signatures (install openssh-client): \(error.localizedDescription)")
        }
        // Signed commit data is small (a commit object), so writing it all before reading cannot fill both pipes.
        if let input { try stdin.fileHandleForWriting.write(contentsOf: input) }
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }
}

public struct VerificationError: Error, CustomStringConvertible {
    public var description: String
}
