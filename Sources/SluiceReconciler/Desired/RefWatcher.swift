import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Tells when a local repository's refs may have moved, through inotify on its git directory: `HEAD`,
/// `packed-refs`, and the folders under `refs/heads` and `refs/tags`. A commit renames `refs/heads/<branch>.lock` into
/// place, which is one event. The engine then resolves its ref and compares, so a change to another ref costs one
/// look. Folders made after the start are not watched; the controller's safety resync covers them.
final class RefWatcher: Sendable {
    private let descriptor: Int32

    /// - Parameter changed: called on the watcher's own thread, once per burst of events.
    /// - Returns: nil when inotify is unavailable (the caller then falls back to looking on a timer).
    init?(gitDirectory: String, changed: @escaping @Sendable () -> Void) {
        descriptor = inotify_init1(Int32(IN_CLOEXEC))
        guard descriptor >= 0 else { return nil }
        let mask = UInt32(IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_CLOSE_WRITE | IN_DELETE)
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
        var watched = 0
        for folder in folders where inotify_add_watch(descriptor, folder, mask) >= 0 { watched += 1 }
        guard watched > 0 else {
            close(descriptor)
            return nil
        }
        let fd = descriptor
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = read(fd, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return }   // closed: the controller stopped
                changed()
            }
        }
        thread.name = "sluice.ref-watcher"
        thread.start()
    }

    deinit {
        close(descriptor)
    }
}
