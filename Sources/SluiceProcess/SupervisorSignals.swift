#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The last SIGTERM/SIGINT the supervisor received (0: none). An atomic, because the handler may
/// run on any thread at any moment; it is touched before any handler is installed, so the
/// handler never runs the global's lazy initialisation.
private let stopSignal = Atomic<Int32>(0)

/// Signal handling of the supervisor process: handlers only set a flag or interrupt a sleep;
/// the supervision loop does the work.
enum SupervisorSignals {
    /// Installs the handlers, then unblocks every signal. `LocalExecutor` starts the supervisor
    /// with SIGTERM and SIGINT blocked, so a cancel that arrives before this point stays pending
    /// and is handled here instead of killing the supervisor without a result.
    static func install() {
        _ = stopSignal.load(ordering: .relaxed)
        handle(SIGTERM) { signal in stopSignal.store(signal, ordering: .relaxed) }
        handle(SIGINT) { signal in stopSignal.store(signal, ordering: .relaxed) }
        // A no-op handler (not SIG_IGN, which would auto-reap the child) so a child's exit
        // interrupts the loop's sleep.
        handle(SIGCHLD) { _ in }
        // No terminal and no pipes to a controller: these could only kill us without a result.
        ignore(SIGHUP)
        ignore(SIGPIPE)
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)
    }

    /// Whether a stop was requested.
    static var stopRequested: Bool { stopSignal.load(ordering: .relaxed) != 0 }

    private static func handle(_ signal: Int32, _ handler: @convention(c) (Int32) -> Void) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        sigemptyset(&action.sa_mask)
        // No SA_RESTART: the signal must cut the loop's sleep short.
        action.sa_flags = signal == SIGCHLD ? SA_NOCLDSTOP : 0
        sigaction(signal, &action, nil)
    }

    private static func ignore(_ signal: Int32) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = SIG_IGN
        sigemptyset(&action.sa_mask)
        sigaction(signal, &action, nil)
    }

    /// Closes every descriptor above 2 that the supervisor inherited: a controller's listening
    /// socket or a test runner's output pipe must not stay open for the hours a task runs.
    /// Inherited means without close-on-exec; descriptors this process opened itself before
    /// `run` (libdispatch's epoll and eventfd under an async `main`) carry it and stay open.
    static func closeInheritedDescriptors() {
        guard let directory = opendir("/proc/self/fd") else { return }
        var descriptors: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if let fd = Int32(name), fd > 2 { descriptors.append(fd) }
        }
        let own = dirfd(directory)
        closedir(directory)
        for fd in descriptors where fd != own {
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { close(fd) }
        }
    }
}
