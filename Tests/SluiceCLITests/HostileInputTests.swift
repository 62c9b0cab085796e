import Foundation
import Testing

/// Input a hostile or careless user can commit, run through the real binary: whatever `validate` accepts, `plan` and
/// `apply` must handle, and whatever they cannot handle `validate` must refuse at its line and column.
@Suite struct HostileInputTests {
    @Test(arguments: ["9223372036854775807s", "99999999999999999999h", "2562047788015216h", "366d"])
    func anEstimateBeyondAYearIsRefusedAtItsColumn(estimate: String) throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", controllerManifest("    - {name: a, run: 'true', estimate: \(estimate)}"))
        try commitAll(in: folder.url, initialize: true)
        let validated = try sluice("validate", folder.url.path)
        #expect(validated.status == 3)
        let file = folder.url.appendingPathComponent("sluice.yaml").path
        #expect(validated.stderr.contains("\(file):13:40: duration '\(estimate)' for estimate of task 'a' is longer than 365d, the longest Sluice accepts"),
                "\(validated.stderr)")
        let planned = try sluice("plan", "--repo", folder.url.path)
        #expect(planned.status == 3, "\(planned.stderr)")
        #expect(planned.stdout.contains("sluice.yaml:13:40: duration"), "\(planned.stdout)")
    }

    @Test func aTimeoutBeyondAYearOrOfZeroIsRefused() throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", controllerManifest("""
            - {name: a, run: 'true', timeout: 99999999999999999999h}
            - {name: b, run: 'true', timeout: 0s}
        """))
        let validated = try sluice("validate", folder.url.path)
        #expect(validated.status == 3)
        #expect(validated.stderr.contains("sluice.yaml:13:39: duration '99999999999999999999h' for timeout of task 'a' is longer than 365d"), "\(validated.stderr)")
        #expect(validated.stderr.contains("sluice.yaml:14:39: timeout of task 'b' must be longer than 0s"), "\(validated.stderr)")
    }

    @Test func quantitiesBeyondAnyMachineAreRefused() throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", controllerManifest("""
            - {name: a, run: 'true', resources: {memory: 2Ei, gpu: 100000, cpu: 1e300}}
        """))
        let validated = try sluice("validate", folder.url.path)
        #expect(validated.status == 3)
        #expect(validated.stderr.contains("memory quantity '2Ei' is more than 1Ei, the most Sluice accepts"), "\(validated.stderr)")
        #expect(validated.stderr.contains("gpu quantity '100000' is more than 4096"), "\(validated.stderr)")
        #expect(validated.stderr.contains("cpu quantity '1e300' is more than 1000000"), "\(validated.stderr)")
    }

    /// git stores a symlink as a link, so a path through a linked folder has nothing behind it in the commit; validate,
    /// which reads the disk, must say so as plan does. An input that is itself a link is a file to git, and fine.
    @Test func validateAndPlanAgreeOnInputsThroughSymlinks() throws {
        let folder = try TemporaryFolder()
        try folder.write("real/train.csv", "x\n")
        try FileManager.default.createSymbolicLink(atPath: folder.url.appendingPathComponent("data").path, withDestinationPath: "real")
        try FileManager.default.createSymbolicLink(atPath: folder.url.appendingPathComponent("latest.csv").path, withDestinationPath: "real/train.csv")
        try folder.write("sluice.yaml", controllerManifest("""
            - {name: a, run: 'true', inputs: [data/train.csv, latest.csv]}
        """))
        try commitAll(in: folder.url, initialize: true)
        let expected = "sluice.yaml:13:39: input 'data/train.csv' of task 'a' runs through the symlink 'data', which Sluice does not follow"
        let validated = try sluice("validate", folder.url.path)
        #expect(validated.status == 3)
        #expect(validated.stderr.contains(expected), "\(validated.stderr)")
        #expect(!validated.stderr.contains("latest.csv"))
        let planned = try sluice("plan", "--repo", folder.url.path, in: folder.url)
        #expect(planned.status == 3)
        #expect(planned.stdout.contains(expected), "\(planned.stdout)")
        #expect(!planned.stdout.contains("latest.csv"))
    }

    /// A DVC `params.yaml`, a conda `environment.yml`, a Kubernetes object and a Helm template live beside the
    /// manifests in real repositories; they are not Sluice's and not errors. A document that says `sluice/…` and is
    /// wrong still is.
    @Test func otherToolsYAMLIsIgnoredButSluicesIsChecked() throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", controllerManifest("    - {name: a, run: 'true'}"))
        try folder.write("params.yaml", "train:\n  lr: 0.01\n  epochs: 3\n")
        try folder.write("environment.yml", "name: ml\ndependencies:\n  - python=3.11\n")
        try folder.write("deploy/app.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {}\n")
        try folder.write("chart/templates/svc.yaml", "metadata:\n  name: {{ .Values.name }}\n  labels: {{- include \"x\" . | nindent 4 }}\n")
        try commitAll(in: folder.url, initialize: true)
        let validated = try sluice("validate", "--verbose", folder.url.path)
        #expect(validated.status == 0, "\(validated.stderr)")
        #expect(validated.stdout.contains("params.yaml:1:1: ignored: no apiVersion, so not a Sluice manifest"), "\(validated.stdout)")
        #expect(validated.stdout.contains("deploy/app.yaml:1:1: ignored: apiVersion 'apps/v1' is not Sluice's"), "\(validated.stdout)")
        #expect(validated.stdout.contains("svc.yaml"), "\(validated.stdout)")
        let planned = try sluice("plan", "--repo", folder.url.path, in: folder.url)
        #expect(planned.status == 0, "\(planned.stdout)\(planned.stderr)")
        #expect(planned.stdout.contains("Plan: 1 to run."), "\(planned.stdout)")

        try folder.write("wrong.yaml", "apiVersion: sluice/v2\nkind: Workflow\nmetadata: {name: x}\nspec: {}\n")
        try folder.write("forgot.yaml", "kind: ResourcePool\nmetadata: {name: p}\nspec: {nodes: []}\n")
        try folder.write("typo.yaml", "apiVersion: Sluice/v1\nkind: Workflow\nmetadata: {name: y}\nspec: {}\n")
        let refused = try sluice("validate", folder.url.path)
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("wrong.yaml:1:13: unknown apiVersion 'sluice/v2'"), "\(refused.stderr)")
        #expect(refused.stderr.contains("forgot.yaml:1:1: the document is missing the required field 'apiVersion'"), "\(refused.stderr)")
        #expect(refused.stderr.contains("typo.yaml:1:13: unknown apiVersion 'Sluice/v1'"), "a typo on a Workflow is an error, not another tool's YAML: \(refused.stderr)")
    }

    /// The largest values `validate` accepts, over a long chain, make a schedule whose horizon is far beyond what
    /// time-indexed arrays can hold; plan and apply must still work.
    @Test func theLargestAcceptedValuesPlanAndApply() throws {
        let folder = try TemporaryFolder()
        let chain = (0..<200).map { index in
            "    - {name: t\(index), run: 'true', estimate: 365d, timeout: 365d\(index > 0 ? ", needs: [t\(index - 1)]" : "")}"
        }.joined(separator: "\n")
        try folder.write("sluice.yaml", controllerManifest(chain, capacity: "{cpu: 1000000, memory: 1Ei, bandwidth: 1000Tbps, widgets: 1000000000000}"))
        try commitAll(in: folder.url, initialize: true)
        #expect(try sluice("validate", folder.url.path).status == 0)
        let planned = try sluice("plan", "--repo", folder.url.path, in: folder.url)
        #expect(planned.status == 0, "\(planned.stderr)")
        #expect(planned.stdout.contains("Plan: 200 to run."), "\(planned.stdout)")
        let applied = try sluice("apply", "--repo", folder.url.path, in: folder.url)
        #expect(applied.status == 0, "\(applied.stderr)")
    }
}

/// Tree entries git's CLI never writes, added to the tip of `main` with plumbing, as another tool or a self-hosted remote
/// could: a name with slashes that climbs out of any folder, `..`, `.GIT`, and a duplicate.
@Suite struct CraftedTreeTests {
    static let escape = "/tmp/sluice-escape-\(UUID().uuidString)"

    @Test(arguments: ["../../../../../../../..\(escape)", "..", ".GIT", "sluice.yaml"])
    func applyRefusesACommitWithAnUnsafeEntryAndWritesNothingOutside(name: String) throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", controllerManifest("    - {name: a, run: 'true'}"))
        try commitAll(in: folder.url, initialize: true)
        let commit = try addRawEntry(named: name, in: folder.url)
        let applied = try sluice("apply", "--repo", folder.url.path, in: folder.url)
        #expect(applied.status != 0)
        #expect(applied.stderr.contains("commit \(commit): unsafe tree entry '\(name)' in the root folder"), "\(applied.stderr)")
        #expect(!FileManager.default.fileExists(atPath: Self.escape))
        #expect(!applied.stderr.contains("NSCocoaErrorDomain"))
    }

    /// Commits the tip's tree plus a blob entry `name`, written as raw tree bytes so git checks nothing.
    private func addRawEntry(named name: String, in repo: URL) throws -> String {
        func git(_ arguments: String...) throws -> String {
            let result = try run("/usr/bin/git", arguments, in: repo)
            guard result.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: result.stderr]) }
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try folderWrite(repo.appendingPathComponent("payload"), "escaped\n")
        let blob = try git("hash-object", "-w", "payload")
        var tree = Data()
        let listing = try git("ls-tree", "HEAD").split(separator: "\n").map(String.init) + ["100644 blob \(blob)\t\(name)"]
        for line in listing {
            let (meta, entryName) = (line.split(separator: "\t", maxSplits: 1)[0], line.split(separator: "\t", maxSplits: 1)[1])
            let fields = meta.split(separator: " ")
            tree.append(Data("\(fields[0]) \(entryName)\0".utf8))
            tree.append(Data(hexBytes(String(fields[2]))))
        }
        try tree.write(to: repo.appendingPathComponent("tree.bin"))
        let treeID = try git("hash-object", "-t", "tree", "--literally", "-w", "tree.bin")
        try FileManager.default.removeItem(at: repo.appendingPathComponent("tree.bin"))
        try FileManager.default.removeItem(at: repo.appendingPathComponent("payload"))
        let commit = try git("-c", "user.name=Mallory", "-c", "user.email=m@example.com", "commit-tree", treeID, "-p", "HEAD", "-m", "crafted")
        _ = try git("update-ref", "refs/heads/main", commit)
        return commit
    }

    private func folderWrite(_ file: URL, _ text: String) throws { try Data(text.utf8).write(to: file) }

    private func hexBytes(_ hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }
}

/// The fuzz target's seed corpus, and every input the fuzzer once crashed on, replayed on each test run through the
/// same stages the fuzzer drives (`scripts/fuzz.sh` is the fuzzer itself).
@Suite struct FuzzCorpusTests {
    @Test func theSeedCorpusRunsThroughEveryStage() throws {
        let binary = (sluiceBinaryPath as NSString).deletingLastPathComponent + "/sluice-fuzz"
        let corpus = sourceRoot.appendingPathComponent("Fuzz/corpus").path
        let seeds = try FileManager.default.contentsOfDirectory(atPath: corpus).count
        let result = try run(binary, [corpus])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "replayed \(seeds) inputs\n")
    }
}
