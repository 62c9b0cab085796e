import Foundation

/// glibc's `POSIX_SPAWN_SETSID` (spawn.h); GNU extensions do not import into Swift.
private let spawnSetSID: Int32 = 0x80

/// How to start one process with `posix_spawn`.
struct SpawnOptions {
    /// argv; `arguments[0]` is looked up in `PATH` when it has no slash.
    var arguments: [String]
    /// The whole environment of the new process; `nil` inherits ours.
    var environment: [String: String]?
    var standardInput = "/dev/null"
    /// Opened for appending, so a restarted or retried writer never truncates earlier output.
    var standardOutput: String
    var standardError: String
    /// Start a new session (and process group): the process survives the death or the
    /// Ctrl-C of its starter, and gets no SIGHUP from the starter's terminal.
    var newSession = false
    /// Lead a new process group, so one `kill(-pgid)` reaches every process of the task.
    var newProcessGroup = false
    /// Signals left blocked in the new process; everything else is unblocked. Processes started
    /// from test runners and some service managers inherit blocked signals, which would make
    /// SIGTERM do nothing, so the mask is always set explicitly.
    var blockedSignals: [Int32] = []
}

/// Starts a process and returns its pid. Every signal disposition is reset to the default,
/// because ignored signals (SIGINT of a background shell, SIGPIPE) survive `exec`.
func spawnProcess(_ options: SpawnOptions) throws -> pid_t {
    guard let program = options.arguments.first else { throw ExecutionError("nothing to run: empty command") }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    let appendFlags = O_WRONLY | O_CREAT | O_APPEND
    try check(posix_spawn_file_actions_addopen(&actions, 0, options.standardInput, O_RDONLY, 0), options.standardInput)
    try check(posix_spawn_file_actions_addopen(&actions, 1, options.standardOutput, appendFlags, 0o644), options.standardOutput)
    try check(posix_spawn_file_actions_addopen(&actions, 2, options.standardError, appendFlags, 0o644), options.standardError)

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
    let environment = options.environment ?? ProcessInfo.processInfo.environment
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { envp.forEach { free($0) } }

    var pid = pid_t()
    let code = posix_spawnp(&pid, program, &actions, &attributes, argv, envp)
    guard code == 0 else { throw ExecutionError.system("cannot start \(program)", code: code) }
    return pid
}

private func check(_ code: Int32, _ path: String) throws {
    guard code == 0 else { throw ExecutionError.system("cannot redirect to \(path)", code: code) }
}
