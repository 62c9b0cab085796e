import Foundation
import SluiceModel

/// Secret values for tasks, one file per secret in a folder on the machine running Sluice: the layout of a Kubernetes
/// Secret mounted as a volume. Values are read when an attempt starts (so a rotated secret is used from the next
/// attempt on), handed to its supervisor, and never written anywhere.
struct SecretsFolder: Sendable {
    /// `--secrets-dir`, or `$SLUICE_SECRETS_DIR`; nil when neither is given.
    let path: String?

    /// Why the task cannot start for want of a secret, or nil when every secret it names is there.
    func problem(for task: TaskSpec) -> String? {
        do {
            _ = try values(for: task)
            return nil
        } catch {
            return error.description
        }
    }

    /// Variable → value for the task's `secrets`. One trailing newline (`\n` or `\r\n`) is dropped, as files made
    /// with `echo` have it.
    func values(for task: TaskSpec) throws(MissingSecret) -> [String: String] {
        guard !task.secrets.isEmpty else { return [:] }
        var values: [String: String] = [:]
        for (variable, secret) in task.secrets.sorted(by: { $0.key < $1.key }) {
            guard let path else {
                throw MissingSecret(description: "task '\(task.name)' needs secret '\(secret)' (\(variable)), and no secrets folder is given: pass --secrets-dir DIR or set SLUICE_SECRETS_DIR")
            }
            let file = (path as NSString).appendingPathComponent(secret)
            guard let data = FileManager.default.contents(atPath: file) else {
                throw MissingSecret(description: "secret '\(secret)' (\(variable) of task '\(task.name)') is missing: no readable file \(file). Add it, then apply again")
            }
            // Bytes, not characters: "\r\n" is one Character in Swift.
            var bytes = Array(data)
            if bytes.last == UInt8(ascii: "\n") {
                bytes.removeLast()
                if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            }
            values[variable] = String(decoding: bytes, as: UTF8.self)
        }
        return values
    }
}

struct MissingSecret: Error, CustomStringConvertible {
    var description: String
}
