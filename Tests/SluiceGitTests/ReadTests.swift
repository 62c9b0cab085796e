import Foundation
import SluiceGit
import Testing

@Suite final class ReadTests {
    let scratch: TemporaryDirectory

    init() throws {
        scratch = try TemporaryDirectory()
    }

    @Test func opensAGitCLIRepositoryAndResolvesNames() throws {
        let fixture = try CLIRepository(in: scratch)
        let repository = try Repository.open(at: fixture.path)
        let first = try #require(OID(hex: fixture.first))
        let second = try #require(OID(hex: fixture.second))

        #expect(!repository.isBare)
        #expect(repository.workingDirectory.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
            == URL(fileURLWithPath: fixture.path).resolvingSymlinksInPath().path)
        #expect(repository.path.hasSuffix("/.git"))
        #expect(try repository.defaultBranch() == "main")
        #expect(try repository.resolve("main") == second)
        #expect(try repository.resolve("HEAD") == second)
        #expect(try repository.resolve("v1.0") == first)            // annotated tag, peeled
        #expect(try repository.resolve("light") == first)           // lightweight tag
        #expect(try repository.resolve(String(fixture.first.prefix(7))) == first)
        #expect(try repository.resolve(fixture.second) == second)
        #expect(try repository.resolve("main~1") == first)
        #expect(try repository.branchTip("main") == second)
    }

    @Test func commitInfoMatchesWhatGitRecorded() throws {
        let fixture = try CLIRepository(in: scratch)
        let repository = try Repository.open(at: fixture.path)
        let info = try repository.commitInfo(try #require(OID(hex: fixture.second)))

        #expect(info.oid.hex == fixture.second)
        #expect(info.parents.map(\.hex) == [fixture.first])
        #expect(info.tree.hex == (try git("rev-parse", "HEAD^{tree}", in: fixture.path)))
        #expect(info.summary == "Second commit")
        #expect(info.authorName == "Fixture Author")
        #expect(info.authorEmail == "fixture@example.com")
        let seconds = try #require(TimeInterval(try git("log", "-1", "--format=%ct", in: fixture.path)))
        #expect(info.time == Date(timeIntervalSince1970: seconds))

        let root = try repository.commitInfo(try #require(OID(hex: fixture.first)))
        #expect(root.parents.isEmpty)
        #expect(root.message == "First commit\n\nBody line.\n")
    }

    @Test func missingReferenceIsNotFoundWithLibgit2sMessage() throws {
        let fixture = try CLIRepository(in: scratch)
        let repository = try Repository.open(at: fixture.path)

        let error = try #require(throws: GitError.self) { try repository.resolve("no-such-branch") }
        #expect(error.isNotFound)
        #expect(error.code == -3)
        #expect(error.message.contains("no-such-branch"))
        #expect(error.message.contains("not found"))   // libgit2's own words: "revspec '…' not found"
        #expect(!error.isNonFastForward)
        #expect(try repository.branchTip("no-such-branch") == nil)
    }

    @Test func openingAMissingRepositoryFails() throws {
        let error = try #require(throws: GitError.self) { try Repository.open(at: scratch.sub("nothing-here")) }
        #expect(error.isNotFound)
        #expect(error.message.contains("nothing-here"))
    }

    @Test func unbornRepositoryKnowsItsBranchButNoCommit() throws {
        let repository = try Repository.create(at: scratch.sub("bare.git"), bare: true, initialBranch: "trunk")
        #expect(repository.isBare)
        #expect(repository.workingDirectory == nil)
        #expect(try repository.defaultBranch() == "trunk")
        #expect(try git("symbolic-ref", "HEAD", in: scratch.sub("bare.git")) == "refs/heads/trunk")
        let error = try #require(throws: GitError.self) { try repository.resolve("HEAD") }
        #expect(error.isNotFound)
        #expect(try repository.branchTip("trunk") == nil)
    }

    @Test func filesListsEveryBlobSortedAndFiltersByFolder() throws {
        let fixture = try CLIRepository(in: scratch)
        let repository = try Repository.open(at: fixture.path)
        let commit = try repository.resolve("main")

        let all = try repository.files(at: commit)
        #expect(all.map(\.path) == ["README.md", "manifests/a.yaml", "manifests/pools/local.yaml", "tasks/run.sh"])
        for file in all {
            #expect(file.blob.hex == (try git("rev-parse", "main:\(file.path)", in: fixture.path)))
        }
        #expect(all.filter(\.isExecutable).map(\.path) == ["tasks/run.sh"])

        let manifests = ["manifests/a.yaml", "manifests/pools/local.yaml"]
        #expect(try repository.files(at: commit, under: "manifests").map(\.path) == manifests)
        #expect(try repository.files(at: commit, under: "manifests/").map(\.path) == manifests)
        #expect(try repository.files(at: commit, under: "manifests/pools").map(\.path) == ["manifests/pools/local.yaml"])
        #expect(try repository.files(at: commit, under: "missing").isEmpty)
        #expect(try repository.files(at: commit, under: "README.md").isEmpty)
        #expect(try repository.files(at: repository.resolve("v1.0")).map(\.path) == ["README.md", "manifests/a.yaml"])
    }

    @Test func contentsGivesBytesOrNil() throws {
        let fixture = try CLIRepository(in: scratch)
        let repository = try Repository.open(at: fixture.path)
        let second = try repository.resolve("main")
        let first = try repository.resolve("v1.0")

        #expect(try repository.contents(of: "manifests/pools/local.yaml", at: second) == Data("kind: ResourcePool\n".utf8))
        #expect(try repository.contents(of: "manifests/pools/local.yaml", at: first) == nil)   // not yet added
        #expect(try repository.contents(of: "nope.txt", at: second) == nil)
        #expect(try repository.contents(of: "README.md/inside", at: second) == nil)
        #expect(try repository.contents(of: "manifests", at: second) == nil)                   // a folder is no file

        let readme = try #require(try repository.blobs(at: "README.md", in: second)?.first)
        #expect(try repository.blob(readme.blob) == Data("hello\n".utf8))
    }

    @Test func blobsForAFileAFolderAndNothing() throws {
        let fixture = try CLIRepository(in: scratch)
        let repository = try Repository.open(at: fixture.path)
        let commit = try repository.resolve("main")

        let file = try #require(try repository.blobs(at: "tasks/run.sh", in: commit))
        #expect(file.map(\.path) == ["tasks/run.sh"])
        #expect(file.first?.blob.hex == (try git("rev-parse", "main:tasks/run.sh", in: fixture.path)))
        #expect(file.first?.isExecutable == true)

        let folder = try #require(try repository.blobs(at: "manifests", in: commit))
        #expect(folder.map(\.path) == ["manifests/a.yaml", "manifests/pools/local.yaml"])
        #expect(folder.map(\.blob.hex) == [
            try git("rev-parse", "main:manifests/a.yaml", in: fixture.path),
            try git("rev-parse", "main:manifests/pools/local.yaml", in: fixture.path),
        ])
        #expect(try repository.blobs(at: "manifests/", in: commit) == folder)

        #expect(try repository.blobs(at: "data/raw.csv", in: commit) == nil)
        #expect(try repository.blobs(at: "manifests/missing", in: commit) == nil)
    }
}
