import Foundation
import SluiceGit
import Testing

@Suite final class DiffTests {
    let scratch: TemporaryDirectory

    init() throws {
        scratch = try TemporaryDirectory()
    }

    /// Long enough that a rename is recognised by content rather than by chance.
    static let script = (1...40).map { "echo line \($0)" }.joined(separator: "\n") + "\n"

    @Test func reportsAddedModifiedDeletedAndRenamed() throws {
        let repository = try Repository.create(at: scratch.sub("repo"), bare: true)
        let before = try repository.commit(
            files: .text(["keep.txt": "same\n", "change.yaml": "a: 1\n", "gone.txt": "bye\n", "tasks/old.sh": Self.script]),
            toBranch: "main", message: "before", author: tester)
        let after = try repository.commit(
            files: .text(["keep.txt": "same\n", "change.yaml": "a: 2\n", "tasks/new.sh": Self.script, "added/x.txt": "new\n"]),
            toBranch: "main", message: "after", author: tester)

        let changes = try repository.changes(from: before, to: after)
        #expect(changes == [
            FileChange(path: "added/x.txt", kind: .added),
            FileChange(path: "change.yaml", kind: .modified),
            FileChange(path: "gone.txt", kind: .deleted),
            FileChange(path: "tasks/new.sh", oldPath: "tasks/old.sh", kind: .renamed),
        ])
        #expect(try repository.changes(from: after, to: after).isEmpty)
    }

    @Test func fromNothingEverythingIsAdded() throws {
        let repository = try Repository.create(at: scratch.sub("repo"), bare: true)
        let commit = try repository.commit(files: .text(["b.txt": "b", "a/c.txt": "c"]), toBranch: "main", message: "m", author: tester)
        #expect(try repository.changes(from: nil, to: commit) == [
            FileChange(path: "a/c.txt", kind: .added),
            FileChange(path: "b.txt", kind: .added),
        ])
    }

    @Test func agreesWithGitOnACLIRepository() throws {
        let fixture = try CLIRepository(in: scratch)
        try git("mv", "manifests/a.yaml", "manifests/renamed.yaml", in: fixture.path)
        try git("rm", "-q", "README.md", in: fixture.path)
        try write("echo changed\n", to: "tasks/run.sh", in: fixture.path, executable: true)
        try git("commit", "-q", "-am", "Third", in: fixture.path)
        let repository = try Repository.open(at: fixture.path)

        let changes = try repository.changes(from: repository.resolve("main~1"), to: repository.resolve("main"))
        #expect(changes == [
            FileChange(path: "README.md", kind: .deleted),
            FileChange(path: "manifests/renamed.yaml", oldPath: "manifests/a.yaml", kind: .renamed),
            FileChange(path: "tasks/run.sh", kind: .modified),
        ])
        #expect(try git("diff", "--name-status", "-M", "main~1", "main", in: fixture.path)
            .split(separator: "\n").count == changes.count)
    }
}
