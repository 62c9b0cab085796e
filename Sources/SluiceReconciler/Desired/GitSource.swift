import Foundation
import SluiceGit

/// Where the manifests come from: a local repository read in place, or a remote one mirrored into the state directory.
public enum GitSource {
    /// Whether `location` names a remote (a URL or scp-like `user@host:path`) rather than a local folder.
    public static func isRemote(_ location: String) -> Bool {
        if location.contains("://") { return true }
        guard let colon = location.firstIndex(of: ":"), let slash = location.firstIndex(of: "/") ?? Optional(location.endIndex) else { return false }
        return location.contains("@") && colon < slash
    }

    /// Opens the repository at `location`; a URL is cloned (or fetched) into `<stateDirectory>/mirrors/`.
    public static func open(_ location: String, stateDirectory: String) throws -> Repository {
        guard isRemote(location) else { return try Repository.open(at: location) }
        let folder = URL(fileURLWithPath: stateDirectory).appendingPathComponent("mirrors").appendingPathComponent(mirrorName(location))
        try FileManager.default.createDirectory(at: folder.deletingLastPathComponent(), withIntermediateDirectories: true)
        return try Repository.mirror(from: location, into: folder.path)
    }

    /// A folder name that is readable and distinct for each URL.
    static func mirrorName(_ location: String) -> String {
        let readable = location.replacingOccurrences(of: "://", with: "_")
            .map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a: stable across runs, unlike Hasher
        for byte in location.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(String(readable).suffix(60)) + "-" + String(hash, radix: 16)
    }
}
