import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Tells when something changed in a few folders, through inotify: a local repository's refs (`HEAD`, `packed-refs`,
/// and the folders under `refs/heads` and `refs/tags`; a commit renames `refs/heads/<branch>.lock` into place, which
/// is one event), or the state directory's `requests/` folder. The engine then looks, so a change it does not care
/// about costs one look. Folders made after the start are not watched; the controller's safety resync covers them.
final class FolderWatcher: Sendable {
    /// The write end of a pipe whose closing stops the watcher's thread: closing the inotify descriptor does not wake a
    /// `read` blocked on it, and a later read could then take another file's bytes under the reused number.
    private let stop: Int32

    /// The folders that hold a repository's refs.
    static func refFolders(gitDirectory: String) -> [String] {
        var folders = [gitDirectory]
        for root in ["refs/heads", "refs/tags"] {
            let base = gitDirectory + "/" + root
            folders.append(base)
            if let inside = FileManager.default.enumerator(atPath: base) {
                for case let path as String in inside {
                    var isFolder: ObjCBool = false
                    if FileManager.default.fileExists(atPath: base + "/" + path, isDirectory: &isFolder), isFolder.boolValue {
                        folders.append(base + "/" + path)
                    }
                }
            }
        }
        return folders
    }

    /// - Parameter changed: called on the watcher's own thread, once per burst of events.
    /// - Returns: nil when inotify is unavailable or no folder could be watched (the caller then falls back to a timer).
    init?(folders: [String], name: String, changed: @escaping @Sendable () -> Void) {
        let inotify = inotify_init1(Int32(IN_CLOEXEC))
        guard inotify >= 0 else { return nil }
        let mask = UInt32(IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_CLOSE_WRITE | IN_DELETE)
        var watched = 0
        for folder in folders where inotify_add_watch(inotify, folder, mask) >= 0 { watched += 1 }
        var pipeEnds: [Int32] = [-1, -1]
        guard watched > 0, pipe(&pipeEnds) == 0 else {
            close(inotify)
            return nil
        }
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        stop = pipeEnds[1]
        let stopFD = pipeEnds[0]
        let thread = Thread {
            // The thread owns both descriptors and closes them when told to stop.
            defer {
                close(inotify)
                close(stopFD)
            }
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            var waits = [pollfd(fd: inotify, events: Int16(POLLIN), revents: 0), pollfd(fd: stopFD, events: Int16(POLLIN), revents: 0)]
            while true {
                let ready = poll(&waits, 2, -1)
                if ready < 0 && errno == EINTR { continue }
                guard ready > 0, waits[1].revents == 0 else { return }
                let count = read(inotify, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return }
                changed()
            }
        }
        thread.name = name
        thread.start()
    }

    deinit {
        close(stop)  // the thread's poll sees the pipe hang up
    }
}
