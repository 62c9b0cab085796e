import ArgumentParser

/// What `sluice --version` and `sluice version` print.
enum SluiceVersion {
    /// The release: the number of the last issue the code resolves, as a minor version until 1.0.
    static let number = "0.12.0"
    static var text: String { "sluice \(number) (commit \(BuildInfo.commit))" }
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version and the git commit Sluice was built from."
    )

    func run() {
        print(SluiceVersion.text)
    }
}
