import Foundation
import SluiceOptimizer

/// A bad input file or folder, with where it went wrong.
struct BenchError: Error, CustomStringConvertible {
    var file: String
    var line: Int?
    var message: String

    var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
}

/// One single-mode PSPLIB instance (`.sm`): jobs numbered 1...n, job 1 the source and job n the sink.
struct PSPLIBInstance {
    var name: String
    var durations: [Int]
    /// Per job, per renewable resource.
    var demands: [[Int]]
    var successors: [[Int]]
    var capacities: [Int]
    /// The critical-path length as the file states it.
    var mpmTime: Int

    var jobCount: Int { durations.count }

    /// One node with the instance's capacities; job ids are the PSPLIB numbers minus one, dummies included.
    var problem: SchedulingProblem {
        var predecessors = [[Int]](repeating: [], count: jobCount)
        for (j, list) in successors.enumerated() {
            for s in list { predecessors[s - 1].append(j) }
        }
        let resources = capacities.indices.map { "R\($0 + 1)" }
        return SchedulingProblem(
            resources: resources,
            jobs: durations.indices.map { .init(id: $0, duration: Double(durations[$0]), demand: demands[$0].map(Double.init)) },
            predecessors: predecessors,
            nodes: [.init(name: name, capacity: capacities.map(Double.init))])
    }
}

/// Reads `.sm` files section by section; every malformed line is reported with its number.
enum PSPLIBParser {
    static func parse(contentsOf url: URL) throws -> PSPLIBInstance {
        let text: String
        do { text = try String(contentsOf: url, encoding: .isoLatin1) } catch {
            throw BenchError(file: url.path, line: nil, message: "cannot read: \(error.localizedDescription)")
        }
        return try parse(text, name: url.deletingPathExtension().lastPathComponent, file: url.path)
    }

    static func parse(_ text: String, name: String, file: String) throws -> PSPLIBInstance {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        func fail(_ index: Int, _ message: String) -> BenchError { BenchError(file: file, line: index + 1, message: message) }
        func ints(_ index: Int, from line: Substring) throws -> [Int] {
            try line.split(whereSeparator: \.isWhitespace).map {
                guard let value = Int($0) else { throw fail(index, "expected a whole number, found '\($0)'") }
                return value
            }
        }
        func value(after prefix: String) throws -> (Int, Int) {
            guard let index = lines.firstIndex(where: { $0.hasPrefix(prefix) }) else {
                throw BenchError(file: file, line: nil, message: "no '\(prefix)' line")
            }
            let rest = lines[index].split(separator: ":", maxSplits: 1).last ?? ""
            guard let number = rest.split(whereSeparator: \.isWhitespace).first.flatMap({ Int($0) }) else {
                throw fail(index, "expected a number after '\(prefix)'")
            }
            return (index, number)
        }
        func section(_ header: String) throws -> Int {
            guard let index = lines.firstIndex(where: { $0.hasPrefix(header) }) else {
                throw BenchError(file: file, line: nil, message: "no '\(header)' section")
            }
            return index
        }
        /// Data rows of a section: after its header lines, up to the next line of `*` or `-`... separators.
        func rows(after header: Int) -> [Int] {
            var result = [Int]()
            var i = header + 1
            while i < lines.count, !lines[i].hasPrefix("*") {
                if let first = lines[i].first, first.isNumber { result.append(i) }
                i += 1
            }
            return result
        }

        let (jobsLine, n) = try value(after: "jobs (incl. supersource/sink )")
        guard n >= 2 else { throw fail(jobsLine, "expected at least 2 jobs, found \(n)") }
        let (resourceLine, resourceCount) = try value(after: "- renewable")
        guard resourceCount >= 1 else { throw fail(resourceLine, "expected renewable resources") }

        let info = rows(after: try section("PROJECT INFORMATION:"))
        guard let infoLine = info.first else { throw BenchError(file: file, line: nil, message: "no project information row") }
        let project = try ints(infoLine, from: Substring(lines[infoLine]))
        guard project.count >= 6 else { throw fail(infoLine, "expected 6 project fields, found \(project.count)") }

        var successors = [[Int]?](repeating: nil, count: n)
        for i in rows(after: try section("PRECEDENCE RELATIONS:")) {
            let f = try ints(i, from: Substring(lines[i]))
            guard f.count >= 3, f[0] >= 1, f[0] <= n, f.count == 3 + f[2] else {
                throw fail(i, "expected 'job modes count successors…' for a job in 1...\(n)")
            }
            guard successors[f[0] - 1] == nil else { throw fail(i, "job \(f[0]) listed twice") }
            let list = Array(f[3...])
            if let bad = list.first(where: { $0 < 1 || $0 > n || $0 == f[0] }) { throw fail(i, "successor \(bad) is not another job in 1...\(n)") }
            successors[f[0] - 1] = list
        }
        var durations = [Int?](repeating: nil, count: n)
        var demands = [[Int]](repeating: [], count: n)
        for i in rows(after: try section("REQUESTS/DURATIONS:")) {
            let f = try ints(i, from: Substring(lines[i]))
            guard f.count == 3 + resourceCount, f[0] >= 1, f[0] <= n, f[2] >= 0, f[3...].allSatisfy({ $0 >= 0 }) else {
                throw fail(i, "expected 'job mode duration' and \(resourceCount) demands, for a job in 1...\(n)")
            }
            guard durations[f[0] - 1] == nil else { throw fail(i, "job \(f[0]) listed twice") }
            durations[f[0] - 1] = f[2]
            demands[f[0] - 1] = Array(f[3...])
        }
        let availability = rows(after: try section("RESOURCEAVAILABILITIES:"))
        guard let capacityLine = availability.first else { throw BenchError(file: file, line: nil, message: "no resource availabilities") }
        let capacities = try ints(capacityLine, from: Substring(lines[capacityLine]))
        guard capacities.count == resourceCount else {
            throw fail(capacityLine, "expected \(resourceCount) capacities, found \(capacities.count)")
        }
        if let missing = successors.firstIndex(where: { $0 == nil }) {
            throw BenchError(file: file, line: nil, message: "job \(missing + 1) has no precedence row")
        }
        if let missing = durations.firstIndex(where: { $0 == nil }) {
            throw BenchError(file: file, line: nil, message: "job \(missing + 1) has no duration row")
        }
        return PSPLIBInstance(
            name: name, durations: durations.map { $0! }, demands: demands, successors: successors.map { $0! },
            capacities: capacities, mpmTime: project[5])
    }

    /// A solution list (`*opt.sm`, `*hrs.sm`, `*lb.sm`): rows `P I value…`, keyed `"P_I"`; `column` counts from 1.
    static func references(contentsOf url: URL, column: Int) throws -> [String: Int] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw BenchError(file: url.path, line: nil, message: "cannot read")
        }
        let text = String(decoding: data, as: UTF8.self)  // author names may be ISO-8859-1: they are never read
        var result = [String: Int]()
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let f = line.split(whereSeparator: \.isWhitespace)
            guard f.count >= 2, let p = Int(f[0]), let inst = Int(f[1]) else { continue }
            guard f.count >= column, let value = Int(f[column - 1]) else {
                throw BenchError(file: url.path, line: i + 1, message: "expected a whole number in column \(column)")
            }
            result["\(p)_\(inst)"] = value
        }
        return result
    }
}
