import Foundation
import Testing
@testable import SluiceGit

/// Two writers push to one branch of a bare `file://` remote at once, as a controller's status commits and another
/// tool would. Every push that succeeded must stay in the branch's history: none may overwrite another.
@Suite final class ConcurrentPushTests {
    let scratch: TemporaryDirectory

    init() throws {
        scratch = try TemporaryDirectory()
    }

    @Test func noSuccessfulPushIsEverOverwritten() throws {
        let remotePath = scratch.sub("remote.git")
        try git("init", "-q", "--bare", remotePath, in: scratch.path)
        let seed = try Repository.open(at: remotePath)
        try seed.commit(files: .text(["status.md": "0\n"]), toBranch: "sluice/status", message: "seed", author: tester)

        // The other writer, as a git server applies a push: a commit on the current tip, and the branch moved only if
        // it still is at that tip (`update-ref` with the old value). As fast as git's CLI goes, to widen any race.
        let other = Process()
        other.executableURL = URL(fileURLWithPath: "/bin/bash")
        other.currentDirectoryURL = URL(fileURLWithPath: remotePath)
        other.arguments = ["-c", """
            set -u
            export GIT_AUTHOR_NAME=Other GIT_AUTHOR_EMAIL=o@example.com GIT_COMMITTER_NAME=Other GIT_COMMITTER_EMAIL=o@example.com
            for i in $(seq 1 40); do
              while true; do
                parent=$(git rev-parse refs/heads/sluice/status)
                commit=$(echo "other $i" | git commit-tree "$parent^{tree}" -p "$parent")
                git update-ref refs/heads/sluice/status "$commit" "$parent" 2>/dev/null && break
                sleep 0.01
              done
              echo "$commit" >> ../pushed.txt
            done
            """]
        try other.run()
        defer { if other.isRunning { other.terminate() } }

        // Sluice's way, as the status writer does it: commit, push, and on a rejection fetch and build again.
        let mirror = try Repository.mirror(from: "file://" + remotePath, into: scratch.sub("mirror.git"))
        var ours: [OID] = []
        for index in 0..<40 {
            if let pushed = try commitAndPush(index, to: mirror) { ours.append(pushed) }
        }
        other.waitUntilExit()
        #expect(other.terminationStatus == 0)
        #expect(ours.count == 40)

        let theirs = try String(contentsOfFile: scratch.sub("pushed.txt"), encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(theirs.count == 40)
        let history = Set(try git("rev-list", "refs/heads/sluice/status", in: remotePath).split(separator: "\n").map(String.init))
        let lost = theirs.filter { !history.contains($0) } + ours.map(\.hex).filter { !history.contains($0) }
        #expect(lost.isEmpty, "pushed, then overwritten: \(lost)")
    }

    /// One status commit, pushed; rebuilt on the remote's new tip after each rejection. Nil if it never got through.
    private func commitAndPush(_ index: Int, to mirror: Repository) throws -> OID? {
        for _ in 0..<100 {
            let commit = try mirror.commit(changing: ["sluice.md": Data("\(index)\n".utf8)], onBranch: "sluice/status",
                                           message: "sluice \(index)", author: tester)
            do {
                try mirror.push(branch: "sluice/status")
                return commit
            } catch let error as GitError {
                guard error.isNonFastForward else { throw error }
                try mirror.fetch()
            }
        }
        return nil
    }
}
