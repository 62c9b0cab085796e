import AsyncHTTPClient
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Health checks of services on loopback: an HTTP GET through AsyncHTTPClient, or a TCP connect.
enum ServiceProbe {
    /// A port nobody listens on right now, picked by the kernel, for `SLUICE_PORT`.
    static func freePort() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { return nil }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return named == 0 ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }

    /// True when `GET path` on 127.0.0.1:port answers with a 2xx status within `timeout` seconds; `path == nil` only
    /// checks that the port accepts. The answer is read to its end through AsyncHTTPClient, as any client would: a
    /// probe that hung up after the status line made Python's `http.server` log a ConnectionResetError each time.
    static func check(port: Int, path: String?, timeout: Int64 = 2) async -> Bool {
        guard let path else {
            // A connect may wait up to its timeout: on a dispatch queue, never on the cooperative pool.
            return await withCheckedContinuation { continuation in
                DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: accepts(port: port)) }
            }
        }
        let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeout))
            for try await _ in response.body {}  // read to the end and dropped
            return (200..<300).contains(response.status.code)
        } catch {
            return false
        }
    }

    /// Whether something accepts a TCP connection on 127.0.0.1:port within a second.
    private static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        var ready = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&ready, 1, 1000) == 1 else { return false }
        var failure: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length) == 0 && failure == 0
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
