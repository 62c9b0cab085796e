import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Binds the controller's HTTP address once before anything starts, so a port in use is one clear error instead of
/// "controller started" followed by the server's raw `bind(...)` failure.
enum ListenCheck {
    /// Why `host:port` cannot be listened on, or nil when it can (the test socket is closed again at once).
    static func problem(host: String, port: Int) -> String? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var found: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &found)
        guard resolved == 0, let first = found else { return "cannot resolve '\(host)': \(String(cString: gai_strerror(resolved)))" }
        defer { freeaddrinfo(found) }
        let descriptor = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard descriptor >= 0 else { return nil }  // nothing to learn here; the server reports its own failure
        defer { close(descriptor) }
        var reuse: Int32 = 1
        // As the server binds: an address in TIME_WAIT is free to take.
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        guard bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            let error = errno
            if error == EADDRINUSE { return "\(host):\(port) is already in use (another controller?)" }
            return "cannot listen on \(host):\(port): \(String(cString: strerror(error)))"
        }
        return nil
    }
}
