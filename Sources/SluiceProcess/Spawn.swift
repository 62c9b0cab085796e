#if canImport(Glibc)
import Glibc
#endif

/// glibc's `POSIX_SPAWN_SETSID` (spawn.h); GNU extensions do not import into Swift.
private let spawnSetSID: Int32 = 0x80

/// How to start one process with `posix_spawn`.
public struct SpawnOptions {
    /// argv; `arguments[0]` is looked up in `PATH` when it has no slash.
    public var arguments: [String]
    /// The whole environment of the new process, as `NAME=value`; `nil` inherits ours.
    public var environment: [String]?
    public var standardInput = "/dev/null"
    /// Opened for appending, so a restarted or retried writer never truncates earlier output.
    public var standardOutput: String
    public var standardError: String
    /// Descriptors to become stdout and stderr instead of the two files (pipes the starter reads).
    public var outputDescriptors: (standardOutput: Int32, standardError: Int32)?
    /// Start a new session (and process group): the process survives the death or the
    /// Ctrl-C of its starter, and gets no SIGHUP from the starter's terminal.
    public var newSession = false
    /// Lead a new process group, so one `kill(-pgid)` reaches every process of the task.
    public var newProcessGroup = false
    /// Signals left blocked in the new process; everything else is unblocked. Processes started
    /// from test runners and some service managers inherit blocked signals, which would make
    /// SIGTERM do nothing, so the mask is always set explicitly.
    public var blockedSignals: [Int32] = []

    public init(arguments: [String], environment: [String]? = nil, standardOutput: String, standardError: String,
                newSession: Bool = false, newProcessGroup: Bool = false, blockedSignals: [Int32] = []) {
        self.arguments = arguments
        self.environment = environment
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.newSession = newSession
        self.newProcessGroup = newProcessGroup
        self.blockedSignals = blockedSignals
    }
}

/// Starts a process and returns its pid. Every signal disposition is reset to the default,
/// because ignored signals (SIGINT of a background shell, SIGPIPE) survive `exec`.
public func spawnProcess(_ options: SpawnOptions) throws(SystemError) -> pid_t {
    guard let program = options.arguments.first else { throw SystemError("nothing to run: empty command") }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    let appendFlags = O_WRONLY | O_CREAT | O_APPEND
    var files = [(Int32(0), options.standardInput, O_RDONLY)]
    if let (output, error) = options.outputDescriptors {
        for (target, source) in [(Int32(1), output), (2, error)] {
            let code = posix_spawn_file_actions_adddup2(&actions, source, target)
            guard code == 0 else { throw SystemError("cannot redirect output", code: code) }
        }
    } else {
        files += [(1, options.standardOutput, appendFlags), (2, options.standardError, appendFlags)]
    }
    for (fd, path, flags) in files {
        let code = posix_spawn_file_actions_addopen(&actions, fd, path, flags, 0o644)
        guard code == 0 else { throw SystemError("cannot redirect to \(path)", code: code) }
    }

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
    if options.newSession { flags |= spawnSetSID }
    if options.newProcessGroup {
        flags |= Int32(POSIX_SPAWN_SETPGROUP)
        posix_spawnattr_setpgroup(&attributes, 0)
    }
    var mask = sigset_t()
    sigemptyset(&mask)
    for signal in options.blockedSignals { sigaddset(&mask, signal) }
    posix_spawnattr_setsigmask(&attributes, &mask)
    var defaults = sigset_t()
    sigfillset(&defaults)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(flags))

    let argv = options.arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid = pid_t()
    let code: Int32
    if let environment = options.environment {
        let envp = environment.map { strdup($0) } + [nil]
        defer { envp.forEach { free($0) } }
        code = posix_spawnp(&pid, program, &actions, &attributes, argv, envp)
    } else {
        code = posix_spawnp(&pid, program, &actions, &attributes, argv, environ)
    }
    guard code == 0 else { throw SystemError("cannot start \(program)", code: code) }
    return pid
}

/// Decodes a `waitpid` status (the W* macros do not import into Swift).
public func decodeWaitStatus(_ status: Int32) -> (exitCode: Int32?, signal: Int32?) {
    let low = status & 0x7f
    if low == 0 { return ((status >> 8) & 0xff, nil) }
    return (nil, low)
}
