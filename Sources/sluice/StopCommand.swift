import ArgumentParser
import Foundation
import SluiceReconciler

struct StopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop every service and attempt that a state directory owns, and record them as cancelled.",
        discussion: "For when no controller runs: a controller stopped with SIGTERM leaves running work and services with their supervisors, for the next controller to adopt. This stops them instead. It refuses while a controller or an apply holds the state directory, since that one would start them again."
    )

    @OptionGroup var state: StateOptions

    func run() throws {
        let directory = state.directory
        let session = Session(repo: ".", stateDirectory: directory)
        let lock = try session.lockState(advice: "stop that controller first (SIGTERM), then run `sluice stop` for what it leaves running")
        defer { withExtendedLifetime(lock) {} }
        let store = try session.openStore(create: false)
        let stopper = AttemptStopper(store: store, stateDirectory: directory, supervisorCommand: [try Session.supervisorPath()])
        let stopped = try stopper.stopAll(reason: "stopped by `sluice stop`")
        guard !stopped.isEmpty else {
            print("Nothing runs under \(directory).")
            return
        }
        for entry in stopped {
            let attempt = entry.attempt
            let what = attempt.isService ? "service" : "attempt \(attempt.number)"
            print("■ \(attempt.workflow)/\(attempt.task)  \(what) stopped" + (entry.ended ? "" : " (still ending: its supervisor kills what is left)"))
        }
        print("Stopped \(stopped.count) attempt\(stopped.count == 1 ? "" : "s"); `sluice apply` or the controller starts what git asks for again.")
    }
}
