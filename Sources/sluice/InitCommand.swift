import ArgumentParser
import Foundation
import SluiceGit

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Scaffold a manifests repository with a small working workflow."
    )

    @Argument(help: "The folder to create (it may exist if it is empty, or hold only a new `git init`).")
    var directory: String = "."

    func run() throws {
        let files = FileManager.default
        let existing = (try? files.contentsOfDirectory(atPath: directory)) ?? []
        // A folder just made by `git init` is as good as an empty one, as long as nothing was committed to it.
        let fresh = existing == [".git"] ? (try? Repository.open(at: directory)) : nil
        if !existing.isEmpty && (fresh == nil || (try? fresh?.resolve("HEAD")) != nil) {
            throw Failure("\(directory) is not empty: give a new or empty folder, or one that only `git init` has touched")
        }
        do {
            for (path, text) in Scaffold.files {
                let url = URL(fileURLWithPath: directory).appendingPathComponent(path)
                try files.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url)
            }
        } catch {
            throw Failure("cannot write the scaffold into \(directory): \(error.localizedDescription)", status: .failed)
        }
        let repository = try fresh ?? Repository.create(at: directory)
        // Committed as the person running it, as `git commit` would; Sluice's own name only when git knows none.
        let author = repository.configuredSignature() ?? Signature(name: "Sluice", email: "sluice@localhost")
        let commit = try repository.commitWorkingTree(message: "First Sluice workflow", author: author)
        print("""
        Created a Sluice repository in \(directory) (commit \(commit.short)):
          sluice.yaml        a ResourcePool and a Workflow with two tasks
          tasks/, data/      the scripts they run and their input
        Next:
          cd \(directory)
          sluice plan        what would run, and why
          sluice apply       run it; status lands on the sluice/status branch
        """)
    }
}

/// The files `sluice init` writes: small, commented, and runnable with Python 3's standard library.
enum Scaffold {
    static let files: [(String, String)] = [
        ("sluice.yaml", manifest),
        ("tasks/words.py", words),
        ("tasks/count.py", count),
        ("data/notes.txt", "Sluice keeps what git asks for and what has run in step.\nChange a file, commit, and only what depends on it runs again.\n"),
        (".gitignore", ".sluice/\n__pycache__/\n"),
    ]

    static let manifest = """
    # Sluice manifests: every *.yaml / *.yml file of this repository, several documents per file.
    # Check them with `sluice validate`, see what would run with `sluice plan`.
    apiVersion: sluice/v1
    kind: ResourcePool
    metadata: {name: local}
    spec:
      nodes:
        - name: node-1
          capacity: {cpu: 2, memory: 4Gi}
    ---
    apiVersion: sluice/v1
    kind: Workflow
    metadata: {name: hello}
    spec:
      pool: local
      tasks:
        # Split the notes into words. Its fingerprint covers its command and the git blobs of its inputs,
        # so editing data/notes.txt or tasks/words.py makes it (and what needs it) run again.
        - name: words
          run: python3 tasks/words.py data/notes.txt "$SLUICE_OUTPUT/words.txt"
          inputs: [tasks/words.py, data/]
          resources: {cpu: 1, memory: 256Mi}
        # Count them; SLUICE_INPUT_WORDS is the output folder of `words`.
        - name: count
          needs: [words]
          run: python3 tasks/count.py "$SLUICE_INPUT_WORDS/words.txt" "$SLUICE_OUTPUT/counts.json"
          inputs: [tasks/count.py]
          resources: {cpu: 1, memory: 256Mi}

    """

    static let words = """
    import re, sys
    source, target = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as f:
        words = re.findall(r"[a-z']+", f.read().lower())
    with open(target, "w", encoding="utf-8") as f:
        f.write("\\n".join(words) + "\\n")
    print(f"{len(words)} words")

    """

    static let count = """
    import collections, json, sys
    source, target = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as f:
        counts = collections.Counter(line.strip() for line in f if line.strip())
    with open(target, "w", encoding="utf-8") as f:
        json.dump(dict(counts.most_common()), f, indent=2)
    print("most common:", ", ".join(f"{w} ({n})" for w, n in counts.most_common(3)))

    """
}
