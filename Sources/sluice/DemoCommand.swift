import ArgumentParser
import Foundation
import SluiceGit
import SluiceExecution
import SluiceReconciler

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Copy Examples/customer-service into a new git repository in a temporary folder and apply it end to end.",
        discussion: "With --pool slurm or --pool ray the example runs on a local cluster; the state folder is in the temporary folder, which the cluster's single node shares with this host."
    )

    @Option(help: ArgumentHelp("The example to copy (default: Examples/customer-service, looked up from here and from this program's folder).", valueName: "DIR"))
    var example: String?

    @Option(help: ArgumentHelp("Run it on a local cluster instead of this machine's pool: slurm or ray (started with scripts/clusters/ when none answers).", valueName: "ENGINE"))
    var pool: DemoCluster?

    func run() async throws {
        let source = try exampleFolder()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-demo-\(UUID().uuidString.prefix(8).lowercased())")
        let repo = root.appendingPathComponent("repo")
        let stateDirectory = root.appendingPathComponent("state").path
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source, to: repo)
        if let pool {
            let nodes = try pool.ensureUp(scripts: source.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/clusters"))
            let manifest = repo.appendingPathComponent("sluice.yaml")
            let adapted = pool.adapt(try String(contentsOf: manifest, encoding: .utf8), nodes: nodes)
            try adapted.manifest.write(to: manifest, atomically: true, encoding: .utf8)
            Output.line("On \(pool.engine.name), nodes \(nodes.map(\.name).joined(separator: ", ")); " + adapted.notes.joined(separator: "; "))
        }
        let commit = try Repository.create(at: repo.path)
            .commitWorkingTree(message: "Customer-service example", author: Signature(name: "Sluice demo", email: "demo@localhost"))
        Output.line("Repository \(repo.path) (commit \(commit.short)), state in \(stateDirectory)\n")

        let outcome = try await Session(repo: repo.path, stateDirectory: stateDirectory).apply()
        print(Summary.text(outcome))
        let metrics = try storedMetrics(repository: repo.path, stateDirectory: stateDirectory)
        if !metrics.isEmpty { print("\nThe model's metrics, from the metrics store (`sluice metrics`):\n" + metrics, terminator: "") }
        print("""

        Look at what Sluice wrote back to git:
          git -C \(repo.path) log --stat sluice/status
          git -C \(repo.path) show sluice/status:workflows/customer-service/README.md
        and at the state:
          \(Session.executablePath) status --state \(stateDirectory)
          \(Session.executablePath) logs customer-service/train --state \(stateDirectory)
          \(Session.executablePath) metrics --repo \(repo.path) --state \(stateDirectory)
        """)
        if !outcome.succeeded { throw ExitCode(.failed) }
    }

    private func exampleFolder() throws -> URL {
        let candidates = example.map { [$0] } ?? {
            var found = ["Examples/customer-service"]
            var folder = URL(fileURLWithPath: Session.executablePath).deletingLastPathComponent()
            while folder.path != "/" {
                found.append(folder.appendingPathComponent("Examples/customer-service").path)
                folder.deleteLastPathComponent()
            }
            return found
        }()
        guard let hit = candidates.first(where: { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("sluice.yaml")) }) else {
            throw Failure("cannot find the example (looked for \(candidates[0])/sluice.yaml): run from the Sluice source folder or pass --example DIR")
        }
        return URL(fileURLWithPath: hit).standardizedFileURL
    }

    /// What `sluice metrics` prints for the example: the numbers the evaluate task's `metrics.json` held, as stored.
    private func storedMetrics(repository: String, stateDirectory: String) throws -> String {
        let session = Session(repo: repository, stateDirectory: stateDirectory)
        let git = try session.openRepository()
        let desired = try DesiredStateLoader.forResults().load(from: git, commit: try session.resolve(in: git))
        let side = MetricsComparison.Side(desired: desired, label: "HEAD")
        let rows = try MetricsComparison.rows(store: try session.openStore(create: false), side: side, base: nil)
        return MetricsComparison.text(rows.filter { $0.value != nil }, side: side, base: nil)
    }
}
