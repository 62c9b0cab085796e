import Foundation

#if SLUICE_LIBFUZZER
/// libFuzzer's driver (from `-sanitize=fuzzer`). SwiftPM names an executable's entry point after its module and
/// links `main` to it, so libFuzzer's own `main` is never pulled in; this entry point hands control to the driver.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<Int32>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

@main
enum Fuzz {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = runFuzzerDriver(&argc, &argv) { data, size in
            ManifestFuzzing.exercise(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        }
        exit(status)
    }
}
#else

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
