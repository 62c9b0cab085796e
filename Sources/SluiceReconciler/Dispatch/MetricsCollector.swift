import Foundation
import SluiceModel
#if canImport(Glibc)
import Glibc
#endif

/// Reads the metrics files a succeeded attempt wrote into its output folder. Runs on the engine's own thread, never on the
/// cooperative pool: it reads files.
enum MetricsCollector {
    struct Collected: Equatable {
        var values: [String: Double] = [:]
        /// Every problem, `; `-joined, for the status; the task still succeeded.
        var warning: String?
    }

    static func collect(_ paths: [String], outputFolder: String) -> Collected {
        var collected = Collected()
        var problems: [String] = []
        var origin: [String: String] = [:]
        for path in paths {
            let file = URL(fileURLWithPath: outputFolder).appendingPathComponent(path).path
            let data: [UInt8]
            switch readRegularFile(file, limit: MetricsFile.maximumBytes) {
            case .success(let bytes): data = bytes
            case .failure(let problem):
                problems.append("metrics file \(path) \(problem.words)")
                continue
            }
            let reading = MetricsFile.parse(String(decoding: data, as: UTF8.self))
            if let warning = reading.warning { problems.append("metrics file \(path) \(warning)") }
            for (name, value) in reading.values.sorted(by: { $0.key < $1.key }) {
                if let first = origin[name] {
                    problems.append("metric \(name) is in both \(first) and \(path); the value from \(first) is kept")
                    continue
                }
                origin[name] = path
                collected.values[name] = value
            }
        }
        collected.warning = problems.isEmpty ? nil : problems.joined(separator: "; ")
        return collected
    }

    struct ReadProblem: Error {
        var words: String
    }

    /// The file's bytes, if it is a regular file of at most `limit` bytes. Not through a symbolic link, and opened
    /// without blocking: a task's output could name `/dev/zero`, a FIFO nobody writes, or a huge log, and the engine
    /// thread reads this inside the transaction that records the attempt's end.
    static func readRegularFile(_ path: String, limit: Int) -> Result<[UInt8], ReadProblem> {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            switch errno {
            case ENOENT: return .failure(ReadProblem(words: "was not written"))
            case ELOOP: return .failure(ReadProblem(words: "is a symbolic link; write the file itself"))
            default: return .failure(ReadProblem(words: "cannot be read: \(String(cString: strerror(errno)))"))
            }
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            return .failure(ReadProblem(words: "is not a regular file"))
        }
        guard info.st_size <= limit else {
            return .failure(ReadProblem(words: "is larger than \(limit >> 20) MiB; it was not read"))
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + done, $0.count - done) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            done += count
        }
        return .success(Array(bytes.prefix(done)))
    }
}
