import ArgumentParser
import Foundation
import SluiceOptimizer

struct SluiceBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice-bench",
        abstract: "Benchmarks of the Sluice scheduling optimizer.",
        subcommands: [PSPLIBCommand.self, SyntheticCommand.self]
    )
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// `sluice-bench psplib DIR`: solves every instance of a PSPLIB folder and reports the standard deviations.
struct PSPLIBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "psplib",
        abstract: "Solve every single-mode PSPLIB instance (*.sm) in a folder, check each schedule, report deviations.",
        discussion: "Reference files in the folder are used by name: *opt.sm (optima), *hrs.sm (best known), *lb.sm (lower bounds)."
    )

    @Argument(help: "Folder with the .sm instances.")
    var directory: String

    @Option(help: "Seconds per instance.")
    var timeLimit: Double = 1

    @Option(help: "Seed of the search.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Also stop each instance after N schedules: results then do not depend on the machine's speed or load (give a --time-limit that is not reached).", valueName: "N"))
    var maxIterations: Int?

    @Option(help: ArgumentHelp("Only every Nth instance in name order, for quick checks.", valueName: "N"))
    var every: Int = 1

    @Option(help: ArgumentHelp("Write <instance>.sol (one 'JOB START' line per job) into this folder.", valueName: "OUTDIR"))
    var writeSchedules: String?

    @Option(help: "text or json.")
    var output: OutputFormat = .text

    func validate() throws {
        guard timeLimit >= 0, timeLimit.isFinite else { throw ValidationError("--time-limit must be a number of seconds >= 0") }
        guard every >= 1 else { throw ValidationError("--every must be at least 1") }
        guard (maxIterations ?? 1) >= 1 else { throw ValidationError("--max-iterations must be at least 1") }
    }

    func run() throws {
        let report = try Benchmark(directory: directory, timeLimit: timeLimit, seed: seed, maxIterations: maxIterations,
                                   every: every, scheduleFolder: writeSchedules).run()
        print(output == .json ? report.json : report.summary.text)
    }
}

/// The benchmark itself, apart from argument parsing so that tests can run it.
struct Benchmark {
    var directory: String
    var timeLimit: Double
    var seed: UInt64
    var maxIterations: Int?
    var every = 1
    var scheduleFolder: String?

    func run() throws -> Report {
        let folder = URL(fileURLWithPath: directory)
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw BenchError(file: directory, line: nil, message: "not a readable folder")
        }
        let referenceSuffixes = ["opt.sm", "hrs.sm", "lb.sm"]
        let instanceNames = names.filter { $0.hasSuffix(".sm") && !referenceSuffixes.contains(where: $0.hasSuffix) }
            .sorted { $0.compare($1, options: .numeric) == .orderedAscending }
            .enumerated().filter { $0.offset % every == 0 }.map(\.element)
        guard !instanceNames.isEmpty else { throw BenchError(file: directory, line: nil, message: "no .sm instances") }

        func table(_ suffix: String, column: Int) throws -> (prefix: String, values: [String: Int])? {
            guard let file = names.first(where: { $0.hasSuffix(suffix) }) else { return nil }
            return (String(file.dropLast(suffix.count)), try PSPLIBParser.references(contentsOf: folder.appendingPathComponent(file), column: column))
        }
        let optima = try table("opt.sm", column: 3)
        let reference = try optima ?? table("hrs.sm", column: 3)
        let lowerBounds = try table("lb.sm", column: 4)
        func lookup(_ table: (prefix: String, values: [String: Int])?, _ name: String) -> Int? {
            guard let table, name.hasPrefix(table.prefix) else { return nil }
            return table.values[String(name.dropFirst(table.prefix.count))]
        }

        if let scheduleFolder {
            do { try FileManager.default.createDirectory(atPath: scheduleFolder, withIntermediateDirectories: true) } catch {
                throw BenchError(file: scheduleFolder, line: nil, message: "cannot create folder")
            }
        }
        var outcomes = [InstanceOutcome]()
        for file in instanceNames {
            let url = folder.appendingPathComponent(file)
            let instance = try PSPLIBParser.parse(contentsOf: url)
            let problem = instance.problem
            let result: SchedulingResult
            do { result = try Scheduler.solve(problem, options: SchedulerOptions(timeLimit: timeLimit, seed: seed, maxIterations: maxIterations)) } catch {
                throw BenchError(file: url.path, line: nil, message: "\(error)")
            }
            var violations = ScheduleValidator.violations(result.schedule, for: problem)
            if result.bounds.criticalPath != Double(instance.mpmTime) {
                violations.append("critical path \(result.bounds.criticalPath) differs from the file's MPM-Time \(instance.mpmTime)")
            }
            outcomes.append(InstanceOutcome(
                name: instance.name, makespan: result.schedule.makespan, criticalPath: instance.mpmTime,
                reference: lookup(reference, instance.name), lowerBound: lookup(lowerBounds, instance.name),
                violations: violations, seconds: result.elapsed, iterations: result.iterations))
            if let scheduleFolder { try write(result.schedule, of: instance, to: scheduleFolder) }
        }
        let summary = Summary(outcomes, referenceKind: optima != nil ? "optimum" : reference != nil ? "best known" : nil)
        return Report(directory: directory, timeLimit: timeLimit, seed: seed, summary: summary, instances: outcomes)
    }

    private func write(_ schedule: Schedule, of instance: PSPLIBInstance, to folder: String) throws {
        let lines = schedule.start.enumerated().map { "\($0.offset + 1) \(Int($0.element))" }
        let path = URL(fileURLWithPath: folder).appendingPathComponent("\(instance.name).sol").path
        do { try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw BenchError(file: path, line: nil, message: "cannot write: \(error.localizedDescription)")
        }
    }
}
