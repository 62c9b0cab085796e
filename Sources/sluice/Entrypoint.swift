import ArgumentParser
import Foundation
import SluiceReconciler

@main
struct Entrypoint {
    /// Runs the command and exits with one of `ExitStatus`'s codes; an error never ends in a stack trace.
    static func main() async {
        do {
            var command = try SluiceCommand.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as Failure {
            Output.error(failure.message)
            exit(failure.status.rawValue)
        } catch let refused as VerificationError {
            Output.error(refused.description)
            exit(ExitStatus.invalidInput.rawValue)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            switch SluiceCommand.exitCode(for: error) {
            case .success:
                SluiceCommand.exit(withError: error)  // --help, --version
            case .validationFailure:
                Output.standardError(SluiceCommand.fullMessage(for: error))
                exit(ExitStatus.usage.rawValue)
            default:
                // An error no command turned into a Failure: still one line, and "the work failed".
                Output.error("\(error)")
                exit(ExitStatus.failed.rawValue)
            }
        }
    }
}

/// The exit codes a CI job can act on (README, `sluice --help`).
enum ExitStatus: Int32 {
    case success = 0
    /// The work failed: a task did not succeed, or the machine did not let Sluice do its job.
    case failed = 1
    /// A flag or argument is wrong (the argument parser's own errors).
    case usage = 2
    /// Manifest errors, an unknown `--ref`, a missing secret, a held lock: fix the input, then run again.
    case invalidInput = 3
    /// `plan --exit-code`: the plan has work to do.
    case pending = 4

    static let help = "Exit codes: 0 success; 1 the work failed; 2 usage error; 3 invalid input (manifest errors, an unknown --ref, a missing secret, a held lock); 4 work pending (plan --exit-code only)."
}

/// An error the user can act on: printed as `error: <message>`, no stack trace. Most are about the input (exit 3);
/// those about the machine or the work say `.failed` (exit 1).
struct Failure: Error {
    var message: String
    var status: ExitStatus
    init(_ message: String, status: ExitStatus = .invalidInput) {
        self.message = message
        self.status = status
    }
}

extension ExitCode {
    init(_ status: ExitStatus) { self.init(status.rawValue) }
}

enum Output {
    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// A line on standard output, written at once: progress lines and `print` output then keep their order.
    static func line(_ text: String, terminator: String = "\n") {
        FileHandle.standardOutput.write(Data((text + terminator).utf8))
    }

    static func error(_ message: String) {
        standardError("error: " + message)
    }
}
