import Foundation

/// Questions about other processes, answered from `kill(pid, 0)` and Linux's `/proc`.
enum ProcessTable {
    /// The state letter and start time (field 22, clock ticks since boot) of `/proc/PID/stat`.
    static func stat(of pid: Int32) -> (state: Character, startTime: UInt64)? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 2048)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[..<count], as: UTF8.self)
        // The command name (field 2) may hold spaces and parentheses; the fields after the
        // last ")" are plain. They start at field 3 (state), so starttime is index 19.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let state = fields[0].first, let start = UInt64(fields[19]) else { return nil }
        return (state, start)
    }

    /// Whether `pid` is a live process (not a zombie) and, when `startTime` is known, the very
    /// process that had that start time rather than a newer one that reuses its pid.
    static func isAlive(_ pid: Int32, startTime: UInt64? = nil) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) != 0 && errno != EPERM { return false }
        guard let info = stat(of: pid) else { return true }   // no /proc: trust kill(2)
        if info.state == "Z" || info.state == "X" { return false }
        if let startTime, startTime != info.startTime { return false }
        return true
    }

    /// Decodes a `waitpid` status (the W* macros do not import into Swift).
    static func decode(waitStatus status: Int32) -> (exitCode: Int32?, signal: Int32?) {
        let low = status & 0x7f
        if low == 0 { return ((status >> 8) & 0xff, nil) }
        return (nil, low)
    }
}
