import Foundation
import SluiceProcess

extension LocalExecutor {
    /// The last `lines` lines of an attempt's output: the tail of `stdout.log` followed by the tail
    /// of `stderr.log`. The two files carry no timestamps, so their interleaving is unknown;
    /// stderr comes last and gets the budget first because a failing task's error is usually its
    /// last word, and the end is where people look.
    public static func tail(of attemptDirectory: String, lines: Int) -> String {
        guard lines > 0 else { return "" }
        let directory = AttemptFiles(attemptDirectory)
        let errors = lastLines(of: directory.stderr, count: lines)
        let output = lastLines(of: directory.stdout, count: lines - errors.count)
        let all = output + errors
        return all.isEmpty ? "" : all.joined(separator: "\n") + "\n"
    }

    /// Reads backwards in growing windows, so a multi-gigabyte log costs a few kilobytes.
    static func lastLines(of path: String, count: Int) -> [String] {
        guard count > 0, let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size > 0 else { return [] }
        var window = UInt64(max(4096, count * 160))
        while true {
            window = min(window, size)
            guard (try? handle.seek(toOffset: size - window)) != nil,
                  let data = try? handle.readToEnd()
            else { return [] }
            var found = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            if data.last == UInt8(ascii: "\n") { found.removeLast() }
            // The first piece may be the end of a longer line, unless the window reaches the start.
            if window == size || found.count > count {
                return found.suffix(count).map { String(decoding: $0, as: UTF8.self) }
            }
            window *= 2
        }
    }
}
