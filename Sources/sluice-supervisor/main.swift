#if canImport(Glibc)
import Glibc
#endif
import SluiceProcess

// `sluice-supervisor ATTEMPT_DIRECTORY`: started detached by `LocalExecutor`, one per attempt.
let arguments = CommandLine.arguments
guard arguments.count == 2, arguments[1].hasPrefix("/") else {
    let usage = Array("usage: sluice-supervisor /ABSOLUTE/ATTEMPT/DIRECTORY (started by sluice for each task attempt)\n".utf8)
    _ = usage.withUnsafeBytes { write(2, $0.baseAddress!, usage.count) }
    exit(2)
}
exit(Supervisor.run(attemptDirectory: arguments[1]))
