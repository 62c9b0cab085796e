import Foundation

/// Everything needed to run one attempt.
///
/// `LocalExecutor.start` and `ClusterExecutor.start` write it as `spec.json` into the attempt directory before the
/// supervisor starts, so the supervisor depends on nothing but that directory (it reads the file with
/// `SluiceProcess.SupervisorSpec`, without Foundation: keep the two in step).
public struct AttemptSpec: Sendable, Codable, Hashable {
    /// Run with `/bin/sh -c`, so manifests may use pipes, `&&` and `$VARIABLES`.
    public var command: String
    /// The task's current directory (a checkout of the commit).
    public var workingDirectory: String
    /// Added over the supervisor's own environment: `SLUICE_OUTPUT`, `SLUICE_INPUT_*`,
    /// `CUDA_VISIBLE_DEVICES`, `SLUICE_PORT` and the manifest's `env`.
    public var environment: [String: String]
    /// Seconds the attempt may run before it is stopped; `nil` means no limit.
    public var timeout: Double?
    /// Seconds between SIGTERM and SIGKILL when the attempt is stopped, so tasks can clean up.
    public var killGrace: Double
    /// What the attempt asks of its node, named as in manifests: a cluster executor asks its engine for it (the local
    /// executor's room is kept by the engine's ledger instead).
    public var resources: [String: Double] = [:]
    /// Secret values by variable name. Never encoded: the supervisor gets them in its environment, and masks them in
    /// the task's output; `spec.json` holds only their names (`secretVariables`).
    /// Empty when read back from `spec.json`.
    public private(set) var secrets: [String: String] = [:]
    /// The names of the variables in `secrets`, which is what `spec.json` keeps of them.
    public private(set) var secretVariables: [String] = []

    enum CodingKeys: String, CodingKey {
        case command, workingDirectory, environment, timeout, killGrace, resources, secretVariables
    }

    /// `secretVariables` may be absent: a `spec.json` written before secrets existed describes an attempt a newer
    /// controller still adopts.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        command = try container.decode(String.self, forKey: .command)
        workingDirectory = try container.decode(String.self, forKey: .workingDirectory)
        environment = try container.decode([String: String].self, forKey: .environment)
        timeout = try container.decodeIfPresent(Double.self, forKey: .timeout)
        killGrace = try container.decode(Double.self, forKey: .killGrace)
        resources = try container.decodeIfPresent([String: Double].self, forKey: .resources) ?? [:]
        secretVariables = try container.decodeIfPresent([String].self, forKey: .secretVariables) ?? []
    }

    public init(
        command: String,
        workingDirectory: String,
        environment: [String: String] = [:],
        timeout: Double? = nil,
        killGrace: Double = 5,
        resources: [String: Double] = [:],
        secrets: [String: String] = [:]
    ) {
        self.command = command
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.timeout = timeout
        self.killGrace = killGrace
        self.resources = resources
        self.secrets = secrets
        secretVariables = secrets.keys.sorted()
    }
}

/// What an executor knows about an attempt at one moment.
public enum AttemptStatus: Sendable, Hashable {
    /// Recorded, but no supervisor has claimed it: the engine that recorded it died before starting it, or its
    /// supervisor has not got going yet. Starting it (again) is safe and runs it once.
    case notStarted
    /// The supervisor (this pid; 0 in the moment before it writes its pid) is alive and has not written a result yet.
    case running(pid: Int32)
    /// The supervisor wrote `result.json`.
    case finished(AttemptResult)
    /// The supervisor claimed the attempt and is gone without a result (the reason says why); it must be retried.
    case lost(String)
}

/// A failure to start or to inspect an attempt; the message names the file or the command.
public struct ExecutionError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

}
