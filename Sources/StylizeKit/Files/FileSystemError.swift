import Foundation

/// A file-system problem as one readable line naming the path and the reason, in place of
/// Foundation's `NSCocoaErrorDomain Code=…` text. Every path the tool writes to goes
/// through `OutputLocation`, which throws these.
public struct FileSystemError: Error, CustomStringConvertible, Equatable {
    /// What was being done, e.g. `cannot write -o 'out/a.png'`.
    public let action: String
    public let reason: String

    public init(_ action: String, reason: String) {
        self.action = action
        self.reason = reason
    }

    public var description: String { "\(action): \(reason)" }

    /// The reason for `errno` in plain words (the cases a user can act on), else `strerror`.
    public static func reason(errno code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file or folder"
        case ENOTDIR: return "a part of the path is not a folder"
        case EACCES, EPERM: return "permission denied"
        case EROFS: return "read-only file system"
        case ENOSPC: return "no space left on the device"
        case EDQUOT: return "disk quota exceeded"
        case EISDIR: return "is a folder"
        case EEXIST: return "already exists"
        case ENAMETOOLONG: return "file name too long"
        default: return String(cString: strerror(code))
        }
    }

    /// The same words for an error thrown by Foundation, from its POSIX code when it has one.
    public static func reason(of error: Error) -> String {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return reason(errno: Int32(ns.code)) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return reason(errno: Int32(underlying.code))
        }
        switch ns.code {
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return reason(errno: ENOENT)
        case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return reason(errno: EACCES)
        case NSFileWriteVolumeReadOnlyError: return reason(errno: EROFS)
        case NSFileWriteOutOfSpaceError: return reason(errno: ENOSPC)
        case NSFileWriteFileExistsError: return "a file of that name is in the way"
        default: return ns.localizedFailureReason ?? "file-system error \(ns.code)"
        }
    }
}
