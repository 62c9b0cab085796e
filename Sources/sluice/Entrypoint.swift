import ArgumentParser
import Foundation

@main
struct Entrypoint {
    /// Runs the command, with DESIGN.md's exit codes: 0 success, 1 failed work or invalid input, 2 usage error.
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
            exit(1)
        } catch {
            if SluiceCommand.exitCode(for: error) == .validationFailure {
                Output.standardError(SluiceCommand.fullMessage(for: error))
                exit(2)
            }
            SluiceCommand.exit(withError: error)
        }
    }
}

/// An error the user can act on: printed as `error: <message>`, exit code 1, no stack trace.
struct Failure: Error {
    var message: String
    init(_ message: String) { self.message = message }
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
