import ArgumentParser
import Foundation
import SluiceReconciler

struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove tree exports and outputs that no task in force, no running attempt and none of the last N runs need.",
        discussion: "Every commit leaves an export of its tree under checkouts/, and every run (each cron tick too) its outputs under outputs/. A run whose outputs are removed is no longer a cache hit: going back to it runs it again. Logs and the database are kept. Refuses while a controller or an apply holds the state directory."
    )

    @Option(help: ArgumentHelp("Keep the outputs of each task's last N successful runs (reverting to one of them stays a cache hit).", valueName: "N"))
    var keep = 3

    @Option(help: "Output format: text or json ({checkouts, outputs, bytes}).")
    var output: OutputFormat = .text

    @OptionGroup var state: StateOptions

    func validate() throws {
        guard keep >= 1 else { throw ValidationError("--keep must be 1 or more: the run in force is always kept, and 1 keeps only it") }
    }

    func run() throws {
        let directory = state.directory
        let session = Session(repo: ".", stateDirectory: directory)
        let lock = try session.lockState(advice: "run `sluice gc` while it is stopped")
        defer { withExtendedLifetime(lock) {} }
        let store = try session.openStore(create: false)
        let report = try GarbageCollector(store: store, stateDirectory: directory).collect(keep: keep)
        switch output {
        case .json: try JSONOutput.print(report)
        case .text:
            let freed = ByteCountFormatter.string(fromByteCount: report.bytes, countStyle: .file)
            print("Removed \(report.checkouts.count) tree export\(report.checkouts.count == 1 ? "" : "s") and the outputs of \(report.outputs.count) fingerprint\(report.outputs.count == 1 ? "" : "s"); freed \(freed).")
        }
    }
}
