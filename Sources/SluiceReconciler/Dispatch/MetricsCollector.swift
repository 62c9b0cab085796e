import Foundation
import SluiceModel

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
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isFolder) else {
                problems.append("metrics file \(path) was not written")
                continue
            }
            guard !isFolder.boolValue else {
                problems.append("metrics file \(path) is a folder")
                continue
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            guard size <= MetricsFile.maximumBytes else {
                problems.append("metrics file \(path) is larger than \(MetricsFile.maximumBytes >> 20) MiB; it was not read")
                continue
            }
            guard let data = FileManager.default.contents(atPath: file) else {
                problems.append("metrics file \(path) cannot be read")
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
}
