import ArgumentParser
import Foundation
import SluiceGit
import SluiceReconciler

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List the status commits of a workflow, newest first, from the status branch."
    )

    @Argument(help: "The workflow.")
    var workflow: String

    @Option(name: .customLong("repo"), help: ArgumentHelp("The watched repository; default the repository around the current folder.", valueName: "R"))
    var repoOverride: String?

    var repo: String { Workspace.repository(repoOverride) }

    @Option(help: "The status branch.")
    var branch: String = "sluice/status"

    @Option(help: "At most this many entries.")
    var limit: Int = 50

    @Option(help: "Output format: text, or json (docs/cli-json.md): a list of {commit, time, summary, source}.")
    var output: OutputFormat = .text

    @OptionGroup var state: StateOptions

    func run() throws {
        let repository = try Session(repo: repo, stateDirectory: state.directory(for: repo)).openRepository()
        guard var next = try repository.branchTip(branch) else {
            throw Failure("'\(repo)' has no branch \(branch) yet: run `sluice apply --repo \(repo)` first")
        }
        var entries: [HistoryEntry] = []
        let formatter = ISO8601DateFormatter()
        while entries.count < limit {
            let commit = try repository.commitInfo(next)
            if commit.message.contains("Sluice-Workflow: \(workflow)\n") {
                let source = commit.message.split(separator: "\n").first { $0.hasPrefix("Sluice-Source: ") }?.dropFirst("Sluice-Source: ".count)
                entries.append(HistoryEntry(commit: commit.oid.hex, time: commit.time, summary: commit.summary, source: Nullable(source.map(String.init))))
                if output == .text { print("\(commit.oid.short)  \(formatter.string(from: commit.time))  \(commit.summary)") }
            }
            guard let parent = commit.parents.first else { break }
            next = parent
        }
        // An unknown workflow is an error in either format, never an empty list that looks like "no runs yet".
        if !entries.isEmpty, output == .json { try JSONOutput.print(entries) }
        if entries.isEmpty { throw Failure("no status commit on \(branch) names workflow '\(workflow)': check its name with `sluice status`") }
    }
}

/// One status commit in `history --output json`, newest first.
struct HistoryEntry: Encodable {
    var commit: String
    var time: Date
    var summary: String
    /// The source commit the status is of (its `Sluice-Source:` trailer).
    var source: Nullable<String>
}
