import CSluiceSystem
import Foundation
import Synchronization

/// Tells when processes end, through one `epoll` over their pidfds on a thread of its own: the end of a supervisor
/// reaches the engine as soon as the kernel reaps it, with no polling, whether this process started it or adopted it.
final class ProcessWatcher: Sendable {
    private struct Watched {
        var pid: Int32
        var descriptor: Int32
        var ended: @Sendable () -> Void
    }

    private let epoll: Int32
    private let state = Mutex<(next: UInt64, watched: [UInt64: Watched])>((1, [:]))

    init() {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        let thread = Thread { [self] in self.loop() }
        thread.name = "sluice.process-watcher"
        thread.start()
    }

    /// Calls `ended` (on the watcher's thread) once `pid` has ended; at once when it is already gone.
    ///
    /// - Parameter stillOurs: checked after the pidfd is open, so a pid recycled by another process in the meantime
    ///   is never watched in the supervisor's place.
    func watch(pid: Int32, stillOurs: () -> Bool, ended: @escaping @Sendable () -> Void) {
        let descriptor = csluice_pidfd_open(pid)
        guard descriptor >= 0, stillOurs() else {
            if descriptor >= 0 { close(descriptor) }
            ended()
            return
        }
        fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        let token = state.withLock { state in
            defer { state.next += 1 }
            state.watched[state.next] = Watched(pid: pid, descriptor: descriptor, ended: ended)
            return state.next
        }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLONESHOT.rawValue
        event.data.u64 = token
        if epoll_ctl(epoll, EPOLL_CTL_ADD, descriptor, &event) != 0 {
            state.withLock { _ = $0.watched.removeValue(forKey: token) }
            close(descriptor)
            ended()
        }
    }

    private func loop() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let count = epoll_wait(epoll, &events, Int32(events.count), -1)
            if count < 0 {
                if errno == EINTR { continue }
                return
            }
            for event in events.prefix(Int(count)) {
                guard let watched = state.withLock({ $0.watched.removeValue(forKey: event.data.u64) }) else { continue }
                epoll_ctl(epoll, EPOLL_CTL_DEL, watched.descriptor, nil)
                close(watched.descriptor)
                // Reaps our own children (a supervisor this process started); ECHILD for adopted ones is harmless.
                var status: Int32 = 0
                _ = waitpid(watched.pid, &status, WNOHANG)
                watched.ended()
            }
        }
    }
}
