import CSluiceSystem
import Foundation
import Synchronization

/// Tells when processes end, through one `epoll` over their pidfds on a thread of its own: the end of a supervisor
/// reaches the engine as soon as the kernel reaps it, with no polling, whether this process started it or adopted it.
/// One pidfd per process however often it is watched, so looking at a running attempt again costs nothing.
final class ProcessWatcher: Sendable {
    private struct Watched {
        var descriptor: Int32
        var callbacks: [@Sendable () -> Void]
    }

    /// The watches, shared with the thread; the thread holds this, not the watcher.
    private final class Registry: Sendable {
        let watched = Mutex<[Int32: Watched]>([:])
    }

    private let epoll: Int32
    private let registry = Registry()

    init() {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        let epoll = self.epoll
        let registry = self.registry
        let thread = Thread { Self.loop(epoll: epoll, registry: registry) }
        thread.name = "sluice.process-watcher"
        thread.start()
    }

    /// Calls `ended` (on the watcher's thread) once `pid` has ended; at once when it is already gone.
    ///
    /// - Parameter stillOurs: checked after the pidfd is open, so a pid recycled by another process in the meantime
    ///   is never watched in the supervisor's place.
    func watch(pid: Int32, stillOurs: () -> Bool, ended: @escaping @Sendable () -> Void) {
        let joined = registry.watched.withLock { watched in
            guard watched[pid] != nil else { return false }
            watched[pid]!.callbacks.append(ended)
            return true
        }
        if joined { return }
        let descriptor = csluice_pidfd_open(pid)
        guard descriptor >= 0 else {
            // Gone already (ESRCH): report now. Out of descriptors: look again shortly rather than spin.
            let code = errno
            if code == ESRCH { ended() } else { DispatchQueue.global().asyncAfter(deadline: .now() + 0.05, execute: ended) }
            return
        }
        guard stillOurs() else {
            close(descriptor)
            ended()
            return
        }
        let added = registry.watched.withLock { watched in
            if watched[pid] != nil {
                watched[pid]!.callbacks.append(ended)
                return false
            }
            watched[pid] = Watched(descriptor: descriptor, callbacks: [ended])
            return true
        }
        guard added else {
            close(descriptor)
            return
        }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLONESHOT.rawValue
        event.data.u64 = UInt64(UInt32(bitPattern: pid))
        if epoll_ctl(epoll, EPOLL_CTL_ADD, descriptor, &event) != 0 {
            let callbacks = registry.watched.withLock { $0.removeValue(forKey: pid)?.callbacks } ?? []
            close(descriptor)
            callbacks.forEach { $0() }
        }
    }

    private static func loop(epoll: Int32, registry: Registry) {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let count = epoll_wait(epoll, &events, Int32(events.count), -1)
            if count < 0 {
                if errno == EINTR { continue }
                return
            }
            for event in events.prefix(Int(count)) {
                let pid = Int32(bitPattern: UInt32(truncatingIfNeeded: event.data.u64))
                guard let watched = registry.watched.withLock({ $0.removeValue(forKey: pid) }) else { continue }
                epoll_ctl(epoll, EPOLL_CTL_DEL, watched.descriptor, nil)
                // Reaps it through the pidfd when it is our child (a supervisor this process started), never a
                // process that reused its pid; ECHILD for adopted ones is harmless.
                var info = siginfo_t()
                _ = waitid(idtype_t(rawValue: 3), id_t(watched.descriptor), &info, WEXITED | WNOHANG)   // P_PIDFD
                close(watched.descriptor)
                watched.callbacks.forEach { $0() }
            }
        }
    }
}
