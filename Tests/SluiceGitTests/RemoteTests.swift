import Foundation
import SluiceGit
import Testing

@Suite final class RemoteTests {
    let scratch: TemporaryDirectory

    init() throws {
        scratch = try TemporaryDirectory()
    }

    @Test(arguments: [false, true])
    func mirrorsThenFetchesNewCommits(asFileURL: Bool) throws {
        let fixture = try CLIRepository(in: scratch)
        let url = asFileURL ? URL(fileURLWithPath: fixture.path).absoluteString : fixture.path
        #expect(url.hasPrefix("file://") == asFileURL)

        let mirror = try Repository.mirror(from: url, into: scratch.sub("mirror.git"))
        #expect(mirror.isBare)
        #expect(try mirror.defaultBranch() == "main")
        #expect(try mirror.resolve("main").hex == fixture.second)
        #expect(try mirror.resolve("v1.0").hex == fixture.first)
        #expect(try mirror.files(at: mirror.resolve("main")).count == 4)

        try write("kind: Workflow # v2\n", to: "manifests/a.yaml", in: fixture.path)
        try git("commit", "-q", "-am", "Third", in: fixture.path)
        let third = try git("rev-parse", "HEAD", in: fixture.path)
        #expect(try mirror.resolve("main").hex == fixture.second)   // not fetched yet

        try mirror.fetch()
        #expect(try mirror.resolve("main").hex == third)
        #expect(try mirror.contents(of: "manifests/a.yaml", at: mirror.resolve("main")) == Data("kind: Workflow # v2\n".utf8))
    }

    @Test func mirrorIntoAnExistingMirrorFetchesAndFollowsTheDefaultBranch() throws {
        let fixture = try CLIRepository(in: scratch)
        let path = scratch.sub("mirror.git")
        _ = try Repository.mirror(from: fixture.path, into: path)

        try git("checkout", "-q", "-b", "trunk", in: fixture.path)
        try write("new\n", to: "new.txt", in: fixture.path)
        try git("add", "new.txt", in: fixture.path)
        try git("commit", "-q", "-m", "On trunk", in: fixture.path)
        let trunk = try git("rev-parse", "HEAD", in: fixture.path)

        let again = try Repository.mirror(from: fixture.path, into: path)
        #expect(try again.resolve("trunk").hex == trunk)
        #expect(try again.resolve("main").hex == fixture.second)
        #expect(try again.defaultBranch() == "trunk")
        // The git CLI reads the mirror the same way, and can fetch into it with the same layout.
        #expect(try git("rev-parse", "HEAD", in: path) == trunk)
        #expect(try git("config", "remote.origin.url", in: path) == fixture.path)
        try git("tag", "v2.0", trunk, in: fixture.path)
        try git("fetch", "-q", in: path)
        #expect(try git("rev-parse", "v2.0", in: path) == trunk)
    }

    @Test func mirrorFollowsANewURL() throws {
        let path = scratch.sub("mirror.git")
        let old = try Repository.create(at: scratch.sub("old.git"), bare: true)
        try old.commit(files: .text(["old.txt": "old"]), toBranch: "main", message: "old", author: tester)
        let new = try Repository.create(at: scratch.sub("new.git"), bare: true)
        let newTip = try new.commit(files: .text(["new.txt": "new"]), toBranch: "main", message: "new", author: tester)

        _ = try Repository.mirror(from: scratch.sub("old.git"), into: path)
        let mirror = try Repository.mirror(from: scratch.sub("new.git"), into: path)
        #expect(try git("config", "remote.origin.url", in: path) == scratch.sub("new.git"))
        #expect(try mirror.resolve("main") == newTip)
        #expect(try mirror.files(at: mirror.resolve("main")).map(\.path) == ["new.txt"])
    }

    @Test func failedFirstMirrorLeavesNothingBehind() throws {
        let path = scratch.sub("mirror.git")
        let error = try #require(throws: GitError.self) {
            try Repository.mirror(from: scratch.sub("no-such-source"), into: path)
        }
        #expect(error.message.contains("no-such-source"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func resolveFindsRemoteBranchesOfAnOrdinaryClone() throws {
        let fixture = try CLIRepository(in: scratch)
        try git("branch", "feature", fixture.first, in: fixture.path)
        let clone = scratch.sub("clone")
        try git("clone", "-q", fixture.path, clone, in: scratch.path)
        let repository = try Repository.open(at: clone)
        #expect(try repository.resolve("feature").hex == fixture.first)          // only refs/remotes/origin/feature
        #expect(try repository.resolve("origin/feature").hex == fixture.first)
        #expect(try repository.branchTip("feature") == nil)
    }

    @Test func pushUpdatesABareRemote() throws {
        let remotePath = scratch.sub("remote.git")
        try git("init", "-q", "--bare", remotePath, in: scratch.path)
        let seed = try Repository.open(at: remotePath)
        try seed.commit(files: .text(["manifests/a.yaml": "a\n"]), toBranch: "main", message: "seed", author: tester)

        let mirror = try Repository.mirror(from: remotePath, into: scratch.sub("mirror.git"))
        let status = try mirror.commit(files: .text(["README.md": "ok\n"]), toBranch: "sluice/status", message: "status", author: tester)
        try mirror.push(branch: "sluice/status")
        #expect(try git("rev-parse", "refs/heads/sluice/status", in: remotePath) == status.hex)

        let next = try mirror.commit(changing: ["README.md": Data("still ok\n".utf8)], onBranch: "sluice/status", message: "status 2", author: tester)
        try mirror.push(branch: "sluice/status")
        #expect(try git("rev-parse", "refs/heads/sluice/status", in: remotePath) == next.hex)
    }

    @Test func pushBehindTheRemoteIsNonFastForwardAndRetriesAfterFetch() throws {
        let remotePath = scratch.sub("remote.git")
        try git("init", "-q", "--bare", remotePath, in: scratch.path)
        let seed = try Repository.open(at: remotePath)
        try seed.commit(files: .text(["status.md": "0\n"]), toBranch: "sluice/status", message: "seed", author: tester)

        let writerA = try Repository.mirror(from: remotePath, into: scratch.sub("a.git"))
        let writerB = try Repository.mirror(from: remotePath, into: scratch.sub("b.git"))
        let fromA = try writerA.commit(files: .text(["status.md": "A\n"]), toBranch: "sluice/status", message: "A", author: tester)
        try writerA.push(branch: "sluice/status")

        try writerB.commit(files: .text(["status.md": "B\n"]), toBranch: "sluice/status", message: "B", author: tester)
        let error = try #require(throws: GitError.self) { try writerB.push(branch: "sluice/status") }
        #expect(error.isNonFastForward)
        #expect(!error.isNotFound)
        #expect(try git("rev-parse", "refs/heads/sluice/status", in: remotePath) == fromA.hex)

        // The retry the status writer does: fetch (resets the branch to the remote tip), rebuild, push.
        try writerB.fetch()
        #expect(try writerB.branchTip("sluice/status") == fromA)
        let retried = try writerB.commit(files: .text(["status.md": "B\n"]), toBranch: "sluice/status", message: "B again", author: tester)
        try writerB.push(branch: "sluice/status")
        #expect(try git("rev-parse", "refs/heads/sluice/status", in: remotePath) == retried.hex)
        #expect(try writerB.commitInfo(retried).parents == [fromA])
    }

    @Test func pushOfADivergedBranchIsNonFastForward() throws {
        let remotePath = scratch.sub("remote.git")
        try git("init", "-q", "--bare", remotePath, in: scratch.path)
        let mirror = try Repository.mirror(from: remotePath, into: scratch.sub("mirror.git"))
        let base = try mirror.commit(files: .text(["f": "0"]), toBranch: "main", message: "base", author: tester)
        let pushed = try mirror.commit(files: .text(["f": "1"]), toBranch: "main", message: "pushed", author: tester)
        try mirror.push(branch: "main")

        // Rewind locally and commit something else: the remote tip is known here but not an ancestor.
        try git("update-ref", "refs/heads/main", base.hex, in: scratch.sub("mirror.git"))
        try mirror.commit(files: .text(["f": "2"]), toBranch: "main", message: "diverged", author: tester)
        let error = try #require(throws: GitError.self) { try mirror.push(branch: "main") }
        #expect(error.isNonFastForward)
        #expect(error.code == -11)
        #expect(try git("rev-parse", "main", in: remotePath) == pushed.hex)
    }

    @Test func serverSideRefusalSurfacesAsAnError() throws {
        let remotePath = scratch.sub("remote.git")
        try git("init", "-q", "--bare", remotePath, in: scratch.path)
        try Repository.open(at: remotePath).commit(files: .text(["f": "0"]), toBranch: "main", message: "seed", author: tester)
        try write("#!/bin/sh\necho 'policy: read only' >&2\nexit 1\n", to: "hooks/pre-receive", in: remotePath, executable: true)

        // A real smart-protocol server: only it runs hooks and reports per-reference refusals.
        let port = Int.random(in: 30_000..<60_000)
        let daemon = try BackgroundProcess("/usr/lib/git-core/git-daemon", [
            "--reuseaddr", "--export-all", "--enable=receive-pack", "--listen=127.0.0.1",
            "--port=\(port)", "--base-path=\(scratch.path)", scratch.path,
        ])

        let url = "git://127.0.0.1:\(port)/remote.git"
        var mirror: Repository?
        for _ in 0..<50 where mirror == nil && daemon.isRunning {
            mirror = try? Repository.mirror(from: url, into: scratch.sub("mirror.git"))
            if mirror == nil { Thread.sleep(forTimeInterval: 0.1) }
        }
        let repository = try #require(mirror, "git daemon did not come up on port \(port)")
        let seed = try repository.resolve("main")
        try repository.commit(changing: ["f": Data("1".utf8)], onBranch: "main", message: "refused", author: tester)

        let error = try #require(throws: GitError.self) { try repository.push(branch: "main") }
        #expect(!error.isNonFastForward)
        #expect(error.message.contains("refs/heads/main"))
        #expect(error.message.contains("declined"))
        #expect(try git("rev-parse", "main", in: remotePath) == seed.hex)
        withExtendedLifetime(daemon) {}   // served the push above; stopped only now
    }

    @Test func fetchFromAnUnknownRemoteFails() throws {
        let repository = try Repository.create(at: scratch.sub("repo.git"), bare: true)
        let error = try #require(throws: GitError.self) { try repository.fetch(remote: "upstream") }
        #expect(error.isNotFound)
        #expect(error.message.contains("upstream"))
    }
}
