import CGit2
import Foundation

/// A failed libgit2 call: its return code, libgit2's own message, and what Sluice was doing.
public struct GitError: Error, Sendable, CustomStringConvertible {
    /// The libgit2 return code (`GIT_ENOTFOUND` is -3, `GIT_ENONFASTFORWARD` is -11, …).
    public var code: Int32
    /// What we were doing, then libgit2's message from `git_error_last()`.
    public var message: String

    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    /// A lock file is in the way (`GIT_ELOCKED`): another writer holds it, or one died holding it.
    public var isLocked: Bool { code == GIT_ELOCKED.rawValue }

    /// The object, reference or path does not exist (an unborn branch counts as missing too).
    public var isNotFound: Bool {
        code == GIT_ENOTFOUND.rawValue || code == GIT_EUNBORNBRANCH.rawValue
    }

    /// The remote refused an update because it would not fast-forward: fetch, rebuild, retry.
    public var isNonFastForward: Bool {
        code == GIT_ENONFASTFORWARD.rawValue
    }

    public var description: String {
        "\(message) (libgit2 error \(code))"
    }

    /// The error libgit2 recorded for this thread, with `what` in front of it.
    static func last(code: Int32, _ what: String) -> GitError {
        // git_error_last() is thread-local, so it belongs to the call that just failed.
        guard let error = git_error_last(), let text = error.pointee.message else {
            return GitError(code: code, message: what)
        }
        let detail = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        return GitError(code: code, message: detail.isEmpty ? what : "\(what): \(detail)")
    }
}

/// The one chokepoint for libgit2 return codes: negative means failure.
@inline(__always)
func check(_ result: Int32, _ what: @autoclosure () -> String) throws(GitError) {
    guard result < 0 else { return }
    throw GitError.last(code: result, what())
}
