#if canImport(Glibc)
import Glibc
#endif

/// A failed system call, with what was being done and the text of its errno.
public struct SystemError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public init(_ what: String, code: Int32) {
        self.message = "\(what): \(String(cString: strerror(code)))"
    }

    public var description: String { message }
}
