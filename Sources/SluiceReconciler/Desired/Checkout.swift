import Foundation
import SluiceGit

/// Exports a commit's tree into a folder, once per commit, so tasks run against exactly the committed files
/// whatever happens to the working tree meanwhile.
public enum Checkout {
    /// The folder holding the tree of `commit`; made on first use. Built in a temporary sibling and renamed
    /// into place, so a crash never leaves a half-written checkout that looks complete.
    public static func ensure(_ commit: OID, of repository: Repository, at folder: URL) throws -> URL {
        let files = FileManager.default
        if files.fileExists(atPath: folder.path) { return folder }
        let staging = folder.deletingLastPathComponent().appendingPathComponent(".\(commit.hex)-\(UUID().uuidString)")
        try files.createDirectory(at: staging, withIntermediateDirectories: true)
        do {
            for file in try repository.files(at: commit) {
                let target = staging.appendingPathComponent(file.path)
                try files.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try repository.blob(file.blob).write(to: target)
                if file.isExecutable {
                    try files.setAttributes([.posixPermissions: 0o755], ofItemAtPath: target.path)
                }
            }
            try files.moveItem(at: staging, to: folder)
        } catch {
            try? files.removeItem(at: staging)
            // Another process may have won the race to make the same checkout; theirs is as good as ours.
            if files.fileExists(atPath: folder.path) { return folder }
            throw error
        }
        return folder
    }
}
