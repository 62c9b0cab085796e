import Foundation
import Testing
@testable import SluiceGit

/// `commitWorkingTree`, checked with the git CLI: the commit holds the files with their modes and the tree reads clean.
@Suite struct WorkingTreeTests {
    @Test func commitsTheWorkingTreeAndLeavesItClean() throws {
        let directory = try TemporaryDirectory()
        let repository = try Repository.create(at: directory.path)
        try write("print('hi')\n", to: "tasks/run.py", in: directory.path, executable: true)
        try write("a,b\n", to: "data/x.csv", in: directory.path)
        try write("ignored.txt\n", to: ".gitignore", in: directory.path)
        try write("scratch\n", to: "ignored.txt", in: directory.path)
        let first = try repository.commitWorkingTree(message: "First", author: Signature(name: "T", email: "t@example.com"))
        #expect(try git("rev-parse", "HEAD", in: directory.path).trimmingCharacters(in: .whitespacesAndNewlines) == first.hex)
        #expect(try git("status", "--porcelain", in: directory.path).isEmpty)
        let tree = try git("ls-tree", "-r", "HEAD", in: directory.path)
        #expect(tree.contains("100755 blob") && tree.contains("tasks/run.py"))
        #expect(try repository.contents(of: "ignored.txt", at: first) == nil)

        try write("a,b\nc,d\n", to: "data/x.csv", in: directory.path)
        let second = try repository.commitWorkingTree(message: "Second", author: Signature(name: "T", email: "t@example.com"))
        #expect(try repository.commitInfo(second).parents == [first])
        #expect(try git("status", "--porcelain", in: directory.path).isEmpty)
    }
}

@Suite struct BranchListTests {
    @Test func listsLocalBranches() throws {
        let directory = try TemporaryDirectory()
        let repository = try Repository.create(at: directory.path)
        #expect(try repository.branches().isEmpty)
        let author = Signature(name: "T", email: "t@example.com")
        try repository.commit(files: ["a": Data("1".utf8)], toBranch: "main", message: "one", author: author)
        try repository.commit(files: ["a": Data("2".utf8)], toBranch: "feature/x", message: "two", author: author)
        #expect(try repository.branches() == ["feature/x", "main"])
    }
}
