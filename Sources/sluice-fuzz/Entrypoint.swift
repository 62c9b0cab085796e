#if SLUICE_LIBFUZZER
/// libFuzzer's entry point; `scripts/fuzz.sh` builds this target with `-sanitize=fuzzer`, and libFuzzer supplies `main`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    ManifestFuzzing.exercise(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
#else
import Foundation

/// Without libFuzzer: runs each file or folder of files given (the seed corpus, a crash to reproduce) through the
/// same stages, so the corpus is replayed by the tests on every build.
@main
enum ReplayCorpus {
    static func main() {
        var count = 0
        for argument in CommandLine.arguments.dropFirst() {
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: argument, isDirectory: &isFolder)
            let files = isFolder.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []).sorted().map { "\(argument)/\($0)" }
                : [argument]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    FileHandle.standardError.write(Data("sluice-fuzz: cannot read \(file)\n".utf8))
                    exit(1)
                }
                data.withUnsafeBytes { ManifestFuzzing.exercise($0) }
                count += 1
            }
        }
        print("replayed \(count) input\(count == 1 ? "" : "s")")
    }
}
#endif
