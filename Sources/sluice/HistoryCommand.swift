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

    @OptionGroup var state: StateOptions

    func run() throws {
        let repository = try Session(repo: repo, stateDirectory: state.directory(for: repo)).openRepository()
        guard var next = try repository.branchTip(branch) else {
            throw Failure("'\(repo)' has no branch \(branch) yet: run `sluice apply --repo \(repo)` first")
        }
        var shown = 0
        let formatter = ISO8601DateFormatter()
        while shown < limit {
            let commit = try repository.commitInfo(next)
            if commit.message.contains("Sluice-Workflow: \(workflow)\n") {
                print("\(commit.oid.short)  \(formatter.string(from: commit.time))  \(commit.summary)")
                shown += 1
            }
            guard let parent = commit.parents.first else { break }
            next = parent
        }
        if shown == 0 { throw Failure("no status commit on \(branch) names workflow '\(workflow)': check its name with `sluice status`") }
    }
}
