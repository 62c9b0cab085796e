import Foundation

/// Named places where a test can stop the engine dead, to check that what a crash there leaves behind is recovered.
/// `SLUICE_FAULT=<name>` makes the process SIGSTOP itself on reaching the place, so the test can SIGKILL it exactly
/// there. Unset (always, outside tests), reaching a place costs one dictionary look-up.
public enum FaultPoint: String, Sendable {
    /// After an attempt's row is recorded and before its supervisor is started.
    case launchWindow = "launch-window"
    /// After a cluster accepted an attempt's job and before its job id is written to the attempt's folder.
    case submitted = "submitted"

    private static let armed: String? = ProcessInfo.processInfo.environment["SLUICE_FAULT"]

    public static func reach(_ point: FaultPoint) {
        guard armed == point.rawValue else { return }
        FileHandle.standardError.write(Data("sluice: stopped at fault point \(point.rawValue)\n".utf8))
        raise(SIGSTOP)
    }
}
