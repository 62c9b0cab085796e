import Foundation

/// Wakes a waiting thread when a file is written into one of the folders it watches (inotify): a job's supervisor
/// writing `result.json`, a probe job writing its answer. A network filesystem may not report writes made on other
/// nodes, so every wait has a deadline, after which the caller looks for itself.
final class FileArrivals: Sendable {
    private let descriptor = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Starts watching a folder for files written or moved into it; -1 when it cannot.
    func watch(_ folder: String) -> Int32 {
        descriptor >= 0 ? inotify_add_watch(descriptor, folder, UInt32(IN_MOVED_TO | IN_CLOSE_WRITE)) : -1
    }

    func unwatch(_ watch: Int32) {
        if watch >= 0 { inotify_rm_watch(descriptor, watch) }
    }

    /// Waits until a file arrives in a watched folder or `deadline` passes; true when a file arrived. Without inotify
    /// (out of descriptors) it always waits until the deadline.
    func wait(until deadline: Date) -> Bool {
        let milliseconds = Int32(max(0, (deadline.timeIntervalSinceNow * 1000).rounded(.up)))
        guard descriptor >= 0 else {
            _ = poll(nil, 0, milliseconds)
            return false
        }
        var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&ready, 1, milliseconds) > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while buffer.withUnsafeMutableBytes({ read(descriptor, $0.baseAddress, $0.count) }) > 0 {}
        return true
    }
}
