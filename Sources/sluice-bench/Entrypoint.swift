import ArgumentParser
import Foundation

/// Usage errors exit 2, bad input exits 1.
@main
enum Entrypoint {
    static func main() {
        let command: ParsableCommand
        do { command = try SluiceBench.parseAsRoot() } catch {
            let code = SluiceBench.exitCode(for: error)
            guard code == .validationFailure else { SluiceBench.exit(withError: error) }
            FileHandle.standardError.write(Data((SluiceBench.fullMessage(for: error) + "\n").utf8))
            exit(2)
        }
        do {
            var command = command
            try command.run()
        } catch let error as BenchError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            exit(1)
        } catch {
            SluiceBench.exit(withError: error)
        }
    }
}
