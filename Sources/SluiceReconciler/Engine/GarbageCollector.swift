import Foundation
import SluiceStore

/// `sluice gc`: removes the tree exports and outputs that nothing needs. Needed are the outputs of every task's version
/// in force, of what runs, and of each task's last `keep` successful runs (so reverting to one of them stays a cache
/// hit); and the exports of the commits in force and of what runs. Attempt folders (the logs) and the database stay.
public struct GarbageCollector {
    let store: Store
    let layout: StateLayout

    public init(store: Store, stateDirectory: String) {
        self.store = store
        layout = StateLayout(root: stateDirectory)
    }

    public struct Report: Sendable, Codable {
        public var checkouts: [String] = []
        public var outputs: [String] = []
        public var bytes: Int64 = 0
    }

    public func collect(keep: Int, now: Date = Date()) throws -> Report {
        var neededOutputs = Set<String>()
        var neededCommits = Set<String>()
        for workflow in try store.workflowStates() where workflow.removedAt == nil {
            if let commit = workflow.lastGoodCommit { neededCommits.insert(commit) }
            for attempt in try store.latestAttempts(workflow: workflow.name) { neededOutputs.insert(attempt.fingerprint) }
        }
        for attempt in try store.unfinishedAttempts() {
            neededOutputs.insert(attempt.fingerprint)
            neededCommits.insert(attempt.commit)
        }
        for fingerprints in try store.recentSuccessfulFingerprints(limit: keep).values { neededOutputs.formUnion(fingerprints) }

        var report = Report()
        let outputs = layout.root.appendingPathComponent("outputs")
        let unneededOutputs = Set(entries(of: outputs)).subtracting(neededOutputs)
        // Recorded before the folders go: a crash in between leaves unused outputs, never a cache hit without them.
        try store.markOutputsCollected(unneededOutputs, at: now)
        for fingerprint in unneededOutputs.sorted() {
            report.bytes += remove(outputs.appendingPathComponent(fingerprint))
            report.outputs.append(fingerprint)
        }
        let checkouts = layout.root.appendingPathComponent("checkouts")
        for commit in entries(of: checkouts).sorted() where !neededCommits.contains(commit) {
            report.bytes += remove(checkouts.appendingPathComponent(commit))
            report.checkouts.append(commit)
        }
        return report
    }

    private func entries(of folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }
    }

    /// Removes a folder, its read-only exports included; returns the bytes its files held.
    private func remove(_ folder: URL) -> Int64 {
        var bytes: Int64 = 0
        let files = FileManager.default
        if let walker = files.enumerator(at: folder, includingPropertiesForKeys: [.fileSizeKey, .isDirectoryKey]) {
            for case let url as URL in walker {
                let values = try? url.resourceValues(forKeys: [.fileSizeKey, .isDirectoryKey])
                if values?.isDirectory == true { chmod(url.path, 0o700) } else { bytes += Int64(values?.fileSize ?? 0) }
            }
        }
        chmod(folder.path, 0o700)
        try? files.removeItem(at: folder)
        return bytes
    }
}
