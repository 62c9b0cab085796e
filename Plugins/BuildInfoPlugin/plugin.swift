import Foundation
import PackagePlugin

/// Writes `BuildInfo.swift` with the git commit the sources were built from, before each build of the target that uses
/// it: `sluice --version` then names the exact commit. The file is rewritten only when the commit changes, so an
/// unchanged tree does not recompile.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("generated")
        let script = """
        set -e
        mkdir -p "$OUT"
        commit=$(git -C "$PACKAGE" describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
        printf 'enum BuildInfo {\\n    /// `git describe --always --dirty` of the sources at build time.\\n    static let commit = "%s"\\n}\\n' "$commit" > "$OUT/BuildInfo.swift.new"
        if cmp -s "$OUT/BuildInfo.swift.new" "$OUT/BuildInfo.swift"; then rm "$OUT/BuildInfo.swift.new"; else mv "$OUT/BuildInfo.swift.new" "$OUT/BuildInfo.swift"; fi
        """
        return [.prebuildCommand(displayName: "Recording the git commit of the build",
                                 executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", script],
                                 environment: ["PACKAGE": context.package.directoryURL.path, "OUT": output.path],
                                 outputFilesDirectory: output)]
    }
}
