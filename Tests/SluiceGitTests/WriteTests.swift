import Foundation
import SluiceGit
import Testing

@Suite final class WriteTests {
    let scratch: TemporaryDirectory

    init() throws {
        scratch = try TemporaryDirectory()
    }

    @Test func aStaleBranchLockIsRemovedAndAFreshOneKept() throws {
        let path = scratch.sub("repo.git")
        let repository = try Repository.create(at: path, bare: true)
        let lock = path + "/refs/heads/sluice/status.lock"
        try FileManager.default.createDirectory(atPath: path + "/refs/heads/sluice", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: lock, contents: nil))
        // A writer that holds it right now: kept, and the branch cannot be written.
        #expect(!repository.removeStaleLock(ofBranch: "sluice/status", olderThan: 5))
        let refused = #expect(throws: GitError.self) {
            try repository.commit(files: .text(["a": "1"]), toBranch: "sluice/status", message: "m", author: tester)
        }
        #expect(refused?.isLocked == true)
        // Left by a writer that died a minute ago: removed, and the branch can be written again.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-60)], ofItemAtPath: lock)
        #expect(repository.removeStaleLock(ofBranch: "sluice/status", olderThan: 5))
        #expect(!FileManager.default.fileExists(atPath: lock))
        _ = try repository.commit(files: .text(["a": "1"]), toBranch: "sluice/status", message: "m", author: tester)
    }

    @Test func commitFilesCreatesTheBranchThenStacksOnIt() throws {
        let path = scratch.sub("repo.git")
        let repository = try Repository.create(at: path, bare: true)
        #expect(try repository.branchTip("sluice/status") == nil)

        let first = try repository.commit(
            files: .text(["README.md": "# Status\n", "workflows/etl/status.yaml": "phase: Running\n"]),
            toBranch: "sluice/status", message: "etl: 0 succeeded, 0 failed @ abc1234", author: tester)
        #expect(try repository.branchTip("sluice/status") == first)
        #expect(try repository.commitInfo(first).parents.isEmpty)

        let second = try repository.commit(
            files: .text(["README.md": "# Status\n", "workflows/etl/status.yaml": "phase: Succeeded\n", "plans/feature.md": "plan\n"]),
            toBranch: "sluice/status", message: "etl: 3 succeeded, 0 failed @ abc1234\n\nSluice-Workflow: etl", author: tester)
        let info = try repository.commitInfo(second)
        #expect(info.parents == [first])
        #expect(info.summary == "etl: 3 succeeded, 0 failed @ abc1234")
        #expect(info.authorName == tester.name && info.authorEmail == tester.email)
        #expect(info.time == tester.time)
        #expect(try repository.files(at: second).map(\.path) == ["README.md", "plans/feature.md", "workflows/etl/status.yaml"])
        #expect(try repository.contents(of: "workflows/etl/status.yaml", at: second) == Data("phase: Succeeded\n".utf8))

        // The git CLI agrees: a well-formed history on the branch, trailers readable.
        try git("fsck", "--strict", "--no-dangling", in: path)
        #expect(try git("rev-list", "sluice/status", in: path) == "\(second.hex)\n\(first.hex)")
        #expect(try git("show", "-s", "--format=%(trailers:key=Sluice-Workflow,valueonly)", "sluice/status", in: path) == "etl")
        #expect(try git("show", "sluice/status:plans/feature.md", in: path) == "plan")
        // Exactly the given files: nothing carried over from the parent that was not listed.
        let third = try repository.commit(files: .text(["only.txt": "x"]), toBranch: "sluice/status", message: "m", author: tester)
        #expect(try git("ls-tree", "-r", "--name-only", third.hex, in: path) == "only.txt")
    }

    @Test func unchangedTreeIsNotCommittedWhenEmptyCommitsAreRefused() throws {
        let repository = try Repository.create(at: scratch.sub("repo.git"), bare: true)
        let files: [String: Data] = .text(["a.txt": "a"])
        let first = try repository.commit(files: files, toBranch: "main", message: "one", author: tester)
        #expect(try repository.commit(files: files, toBranch: "main", message: "again", author: tester, allowEmpty: false) == first)
        let empty = try repository.commit(files: files, toBranch: "main", message: "again", author: tester)
        #expect(empty != first)
        #expect(try repository.commitInfo(empty).tree == repository.commitInfo(first).tree)
    }

    @Test func commitChangingAppliesEditsToTheTip() throws {
        let fixture = try CLIRepository(in: scratch)
        let repository = try Repository.open(at: fixture.path)
        let tip = try repository.resolve("main")

        let changed = try repository.commit(
            changing: [
                "tasks/run.sh": Data("#!/bin/sh\necho changed\n".utf8),
                "README.md": nil,
                "manifests/pools": nil,
                "data/raw/input.csv": Data("a,b\n".utf8),
            ],
            onBranch: "main", message: "edit", author: tester)

        #expect(try repository.commitInfo(changed).parents == [tip])
        let files = try repository.files(at: changed)
        #expect(files.map(\.path) == ["data/raw/input.csv", "manifests/a.yaml", "tasks/run.sh"])
        #expect(files.first { $0.path == "tasks/run.sh" }?.isExecutable == true)   // mode kept
        #expect(try repository.contents(of: "manifests/a.yaml", at: changed) == Data("kind: Workflow\n".utf8))
        #expect(try repository.changes(from: tip, to: changed) == [
            FileChange(path: "README.md", kind: .deleted),
            FileChange(path: "data/raw/input.csv", kind: .added),
            FileChange(path: "manifests/pools/local.yaml", kind: .deleted),
            FileChange(path: "tasks/run.sh", kind: .modified),
        ])
        // The working tree and index were left alone: git sees HEAD moved under unchanged files.
        #expect(try git("show", "HEAD:tasks/run.sh", in: fixture.path) == "#!/bin/sh\necho changed")
        #expect(try String(contentsOfFile: fixture.path + "/tasks/run.sh", encoding: .utf8) == "#!/bin/sh\necho hi\n")
        try git("fsck", "--strict", "--no-dangling", in: fixture.path)
    }

    @Test func commitChangingStartsANewBranchFromNothing() throws {
        let repository = try Repository.create(at: scratch.sub("repo.git"), bare: true)
        let commit = try repository.commit(changing: ["x/y.txt": Data("y".utf8), "gone": nil], onBranch: "fresh", message: "m", author: tester)
        #expect(try repository.commitInfo(commit).parents.isEmpty)
        #expect(try repository.files(at: commit).map(\.path) == ["x/y.txt"])
    }

    @Test func aPathCannotBeBothFileAndFolder() throws {
        let repository = try Repository.create(at: scratch.sub("repo.git"), bare: true)
        let error = try #require(throws: GitError.self) {
            try repository.commit(files: .text(["a": "file", "a/b": "inside"]), toBranch: "main", message: "m", author: tester)
        }
        #expect(error.message.contains("a/b") || error.message.contains("'a'"))
        #expect(try repository.branchTip("main") == nil)
    }
}
