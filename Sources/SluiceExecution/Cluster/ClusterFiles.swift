import Foundation
import SluiceProcess

/// The files a cluster attempt adds to its folder, next to those of the supervisor that runs inside the job.
struct ClusterFiles {
    let attempt: AttemptFiles

    init(_ directory: String) {
        attempt = AttemptFiles(directory)
    }

    /// Variables and secrets as `export NAME='value'` lines, mode 0600: only the submitting user can read it (engines
    /// keep and show job scripts and their environment to other users), and the job script deletes it once read.
    var environment: String { attempt.file("job.env") }
    /// What the job runs: load `job.env`, delete it, then `exec` the supervisor.
    var script: String { attempt.file("job.sh") }
    /// The engine's id of the submitted job, written once the engine accepted it.
    var job: String { attempt.file("job.id") }

    func readJobID() -> String? {
        guard let bytes = DurableFile.read(job) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// Writes `job.env` and `job.sh` for `spec`, which `spec.json` holds already.
    func writeJob(_ spec: AttemptSpec, supervisor: String) throws {
        var lines = ["# written by Sluice for \(attempt.path); mode 0600"]
        for (name, value) in spec.environment.merging(spec.secrets, uniquingKeysWith: { $1 }).sorted(by: { $0.key < $1.key }) {
            lines.append("export \(name)=\(Self.quoted(value))")
        }
        try write(lines.joined(separator: "\n") + "\n", to: environment, mode: 0o600)
        let script = """
            #!/bin/sh
            # A Sluice attempt: the supervisor runs the task, masks its secrets, enforces its timeout and records its end.
            . \(Self.quoted(environment)) || exit 97
            rm -f \(Self.quoted(environment))
            exec \(Self.quoted(supervisor)) \(Self.quoted(attempt.path))

            """
        try write(script, to: self.script, mode: 0o700)
    }

    private func write(_ text: String, to path: String, mode: mode_t) throws {
        // Created with its mode, so a secret is never readable by others, not even for a moment.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw ExecutionError("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        fchmod(fd, mode)
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw ExecutionError("cannot write \(path): \(String(cString: strerror(errno)))") }
    }

    /// Single-quoted for `/bin/sh`: nothing inside is expanded.
    static func quoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
