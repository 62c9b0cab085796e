import Foundation
import SluiceGit
import SluiceReconciler

/// Where the repository and the state directory are when the flags do not say. The repository is found upward from
/// where you stand, as git and DVC find theirs, and its state lives in it (`<repo>/.sluice`, which `init` git-ignores),
/// so `plan` says the same thing from the repository's root, a subfolder of it, or its parent with `--repo`.
enum Workspace {
    /// `--repo` as given, or the repository around the current folder. A local path becomes the top of the repository
    /// it is in; a URL, or a path in no repository, stays as it is (opening it then says what is wrong).
    static func repository(_ given: String?) -> String {
        let location = given ?? "."
        if GitSource.isRemote(location) { return location }
        return Repository.root(containing: location) ?? location
    }

    /// `--state`, else `$SLUICE_STATE`, else `.sluice` in the local repository `repo` (found as `repository` finds it),
    /// else `.sluice` in the repository around the current folder, else in the current folder.
    static func stateDirectory(override: String?, repo: String?) -> String {
        if let override { return override }
        if let variable = ProcessInfo.processInfo.environment["SLUICE_STATE"], !variable.isEmpty { return variable }
        let local = repo.flatMap { GitSource.isRemote($0) ? nil : Repository.root(containing: $0) }
        guard let root = local ?? Repository.root(containing: ".") else { return ".sluice" }
        return (root as NSString).appendingPathComponent(".sluice")
    }
}
