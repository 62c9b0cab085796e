import Foundation
import Testing

/// The `sluice` binary, run as a real process: exit codes, messages, output formats.
@Suite struct CLITests {
    @Test func validateAcceptsTheExample() throws {
        let result = try sluice("validate", "Examples/customer-service", in: sourceRoot)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("valid: 1 file, 1 workflow (5 tasks), 1 pool"))
    }

    @Test func validateReportsEveryErrorAsFileLineColumn() throws {
        let folder = try TemporaryFolder()
        try folder.write("flows/bad.yaml", """
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: bad}
        spec:
          pool: local
          tasks:
            - {name: a, run: echo a, inputs: [missing.txt]}
            - {name: b, run: echo b, needs: [a], timeot: 1h}
        """)
        let result = try sluice("validate", folder.url.path)
        #expect(result.status == 3)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        let file = folder.url.appendingPathComponent("flows/bad.yaml").path
        #expect(lines.contains("\(file):5:9: workflow 'bad' names pool 'local', which does not exist; no ResourcePool is defined"))
        #expect(lines.contains("\(file):8:42: unknown field 'timeot' in a task (did you mean 'timeout'?)"))
        #expect(lines.last == "2 errors in \(folder.url.path)")
    }

    @Test func validateFindsMissingInputsOnDisk() throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", try String(contentsOf: sourceRoot.appendingPathComponent("Examples/customer-service/sluice.yaml"), encoding: .utf8))
        let result = try sluice("validate", folder.url.path)
        #expect(result.status == 3)
        #expect(result.stderr.contains("input 'tasks/clean.py' of task 'clean-data' does not exist under"))
    }

    @Test func validateOfANonexistentPathIsAClearError() throws {
        let result = try sluice("validate", "/nonexistent/manifests")
        #expect(result.status == 3)
        #expect(result.stderr == "error: /nonexistent/manifests: no such file or folder\n")
    }

    @Test func initScaffoldsARepositoryThatValidatesAndPlans() throws {
        let parent = try TemporaryFolder()
        let target = parent.url.appendingPathComponent("pipelines")
        let created = try sluice("init", target.path)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(FileManager.default.fileExists(atPath: target.appendingPathComponent(".git").path))
        #expect(try sluice("validate", target.path).status == 0)
        let plan = try sluice("plan", "--repo", target.path)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("run         words"))
        #expect(plan.stdout.contains("Plan: 2 to run."))
        #expect(try sluice("init", target.path).status == 3)
    }

    @Test func planPrintsJSONForPrograms() throws {
        let folder = try TemporaryFolder()
        try copyExample(into: folder)
        try commitAll(in: folder.url, initialize: true)
        let result = try sluice("plan", "--repo", folder.url.path, "--output", "json")
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let workflows = try #require(json["workflows"] as? [[String: Any]])
        #expect(workflows.count == 1)
        #expect(workflows[0]["name"] as? String == "customer-service")
        #expect((workflows[0]["commit"] as? String)?.count == 40)
        let tasks = try #require(workflows[0]["tasks"] as? [[String: Any]])
        #expect(tasks.map { $0["name"] as? String } == ["clean-data", "profile-data", "train", "evaluate", "serve"])
        #expect(tasks.allSatisfy { Set($0.keys) == ["name", "action", "reason", "fingerprint", "needs"] })
        #expect(tasks.map { $0["action"] as? String } == ["run", "run", "run", "run", "start"])
        #expect((tasks[2]["needs"] as? [String]) == ["clean-data"])
    }

    @Test func planOfAURLMirrorsIntoTheStateDirectory() throws {
        let folder = try TemporaryFolder()
        try copyExample(into: folder)
        try commitAll(in: folder.url, initialize: true)
        let state = try TemporaryFolder()
        let result = try sluice("plan", "--repo", "file://" + folder.url.path, "--state", state.url.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Plan: 4 to run, 1 to start."))
        let mirrors = try FileManager.default.contentsOfDirectory(atPath: state.url.appendingPathComponent("mirrors").path)
        #expect(mirrors.count == 1)
    }

    @Test func usageErrorsExitWithTwoAndBadRefsWithThree() throws {
        let badFlag = try sluice("plan", "--output", "xml")
        #expect(badFlag.status == 2)
        #expect(badFlag.stderr.contains("--output"))
        let folder = try TemporaryFolder()
        try copyExample(into: folder)
        try commitAll(in: folder.url, initialize: true)
        let badRef = try sluice("plan", "--repo", folder.url.path, "--ref", "no-such-branch")
        #expect(badRef.status == 3)
        #expect(badRef.stderr.hasPrefix("error: cannot resolve --ref 'no-such-branch'"))
        let notARepo = try sluice("plan", "--repo", "/nonexistent/repo")
        #expect(notARepo.status == 3)
        #expect(notARepo.stderr.hasPrefix("error: cannot open repository '/nonexistent/repo'"))
    }

    @Test func planExitsThreeAndNamesThePlaceOfAManifestError() throws {
        let folder = try TemporaryFolder()
        try copyExample(into: folder)
        let manifest = folder.url.appendingPathComponent("sluice.yaml")
        let text = try String(contentsOf: manifest, encoding: .utf8).replacingOccurrences(of: "gpu: 3, memory: 8Gi", with: "gpu: 4, memory: 8Gi")
        try Data(text.utf8).write(to: manifest)
        try commitAll(in: folder.url, initialize: true)
        let result = try sluice("plan", "--repo", folder.url.path)
        #expect(result.status == 3)
        #expect(result.stdout.contains("error: sluice.yaml:"))
        #expect(result.stdout.contains("task 'train' fits on no node of pool 'local': it needs gpu 4 (largest node offers 3)"))
    }

    private func copyExample(into folder: TemporaryFolder) throws {
        let example = sourceRoot.appendingPathComponent("Examples/customer-service")
        for item in try FileManager.default.contentsOfDirectory(atPath: example.path) {
            try FileManager.default.copyItem(at: example.appendingPathComponent(item), to: folder.url.appendingPathComponent(item))
        }
    }
}

@Suite struct PlanBaseTests {
    @Test func planAgainstABaseSaysWhatABranchWouldRerun() throws {
        let parent = try TemporaryFolder()
        let target = parent.url.appendingPathComponent("pipelines")
        #expect(try sluice("init", target.path).status == 0)
        _ = try run("/usr/bin/git", ["-C", target.path, "checkout", "-q", "-b", "tweak"])
        let script = target.appendingPathComponent("tasks/count.py")
        try Data((try String(contentsOf: script, encoding: .utf8) + "# tweak\n").utf8).write(to: script)
        try commitAll(in: target, message: "tweak count")
        let plan = try sluice("plan", "--repo", target.path, "--base", "main", "--output", "json")
        #expect(plan.status == 0, "\(plan.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let tasks = try #require((json["workflows"] as? [[String: Any]])?.first?["tasks"] as? [[String: Any]])
        #expect(tasks.map { $0["action"] as? String } == ["upToDate", "rerun"])
        #expect((tasks[1]["reason"] as? String)?.hasPrefix("input tasks/count.py changed: blob ") == true)
        let bad = try sluice("plan", "--repo", target.path, "--base", "nope")
        #expect(bad.status == 3)
        #expect(bad.stderr.hasPrefix("error: cannot resolve --base 'nope'"))
    }

    @Test func aReviewPlanShowsEnvValuesAndMarksBaseTasksThatNeverRan() throws {
        let folder = try TemporaryFolder()
        try folder.write("sluice.yaml", controllerManifest("""
            - {name: prepare, run: "true"}
            - {name: publish, needs: [prepare], run: "true", secrets: {TOKEN: hf-token}}
            - {name: train, needs: [prepare], run: "true", env: {EPOCHS: "3"}}
        """))
        try commitAll(in: folder.url, initialize: true)
        _ = try run("/usr/bin/git", ["-C", folder.url.path, "checkout", "-q", "-b", "longer"])
        try folder.write("sluice.yaml", try String(contentsOf: folder.url.appendingPathComponent("sluice.yaml"), encoding: .utf8)
            .replacingOccurrences(of: #"EPOCHS: "3""#, with: #"EPOCHS: "10""#))
        try commitAll(in: folder.url, message: "train longer")
        let stateFolder = try TemporaryFolder()
        let secrets = try TemporaryFolder()
        try secrets.write("hf-token", "s3cr3t-value")

        func reasons() throws -> [String: String] {
            let plan = try sluice("plan", "--repo", folder.url.path, "--base", "main", "--state", stateFolder.url.path, "--output", "json")
            #expect(plan.status == 0, "\(plan.stderr)")
            #expect(!plan.stdout.contains("s3cr3t-value"))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
            let tasks = try #require((json["workflows"] as? [[String: Any]])?.first?["tasks"] as? [[String: Any]])
            return Dictionary(uniqueKeysWithValues: tasks.map { ($0["name"] as! String, $0["reason"] as! String) })
        }
        #expect(try reasons()["train"] == "env EPOCHS changed: `3` → `10`")
        // Without a state directory nobody knows; with one where nothing ran, it never ran.
        #expect(try reasons()["prepare"] == "unchanged from the base (no state directory here says whether it ran)")
        // Without its secret, publish is skipped at main: it never ran.
        _ = try sluice("apply", "--repo", folder.url.path, "--ref", "main", "--state", stateFolder.url.path)
        #expect(try reasons()["prepare"] == "unchanged from the base, where it succeeded at this fingerprint")
        #expect(try reasons()["publish"]?.hasPrefix("unchanged from the base, where it has never run") == true)

        let applied = try run(sluiceBinaryPath, ["apply", "--repo", folder.url.path, "--ref", "main", "--state", stateFolder.url.path],
                              environment: ["SLUICE_SECRETS_DIR": secrets.url.path])
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        #expect(try reasons()["publish"] == "unchanged from the base, where it succeeded at this fingerprint")
    }
}
