import Foundation

/// Writes files so that no reader ever sees a partial one: the bytes go to a temporary
/// file in the same folder (`temporaryName(for:)`: `.<name>.<pid>.<random>.tmp`), are
/// flushed to disk with `fsync`, and the temporary file is then renamed over the target,
/// which is atomic on POSIX file systems. On failure the temporary file is removed and
/// nothing else changes.
///
/// Only a regular file (or nothing) is ever replaced: a device, a FIFO, a socket or a folder
/// at the target (or at the end of a symbolic link there) is refused, checked once before
/// the temporary file is created and again just before the rename. (As root, renaming over
/// `/dev/sda` would replace the device node with a PNG.)
///
/// `writeNew` replaces nothing at all: it gives the file the first free name of a list
/// (`link(2)` fails rather than replace), for an interrupted run's image so far.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws {
        if let what = OutputLocation.nonRegularKind(path) { throw FileWriteError(path: path, reason: refusal(what)) }
        let temp = try writeTemporary(bytes, for: path)
        var reason: String?
        if let what = OutputLocation.nonRegularKind(path) { reason = refusal(what) }
        if reason == nil && FileSystem.rename(temp, path) != 0 { reason = FileSystemError.reason(errno: errno) }
        if let reason {
            _ = FileSystem.unlink(temp)
            throw FileWriteError(path: path, reason: reason)
        }
    }

    /// Writes `bytes` under the first of `name(1)`, `name(2)`, … `name(limit)` that does not
    /// exist, and returns it; nothing that exists is ever replaced. Every name must be in
    /// the folder of `name(1)`.
    public static func writeNew(_ bytes: [UInt8], limit: Int = 1000, name: (Int) -> String) throws -> String {
        let first = name(1)
        let temp = try writeTemporary(bytes, for: first)
        defer { _ = FileSystem.unlink(temp) }
        for n in 1...max(1, limit) {
            let path = n == 1 ? first : name(n)
            if FileSystem.link(temp, path) == 0 { return path }
            guard errno != EEXIST else { continue }
            guard [EPERM, EOPNOTSUPP, EMLINK].contains(errno) else {
                throw FileWriteError(path: path, reason: FileSystemError.reason(errno: errno))
            }
            // No hard links here (FAT, some FUSE file systems): claim the name, then rename over the claim.
            let fd = FileSystem.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd < 0 && errno == EEXIST { continue }
            guard fd >= 0 else { throw FileWriteError(path: path, reason: FileSystemError.reason(errno: errno)) }
            close(fd)
            guard FileSystem.rename(temp, path) == 0 else {
                let reason = FileSystemError.reason(errno: errno)
                _ = FileSystem.unlink(path)
                throw FileWriteError(path: path, reason: reason)
            }
            return path
        }
        throw FileWriteError(path: first, reason: "it and the next \(limit - 1) names like it all exist")
    }

    /// `bytes` in a new temporary file beside `path`, flushed to disk; returns its path.
    static func writeTemporary(_ bytes: [UInt8], for path: String) throws -> String {
        let dir = OutputLocation.parent(of: path)
        guard FileSystem.isFolder(dir) else {
            throw FileWriteError(path: path, reason: "folder '\(dir)' does not exist")
        }
        let temp = dir + "/" + temporaryName(for: OutputLocation.lastComponent(of: path), nameMax: OutputLocation.nameMax(in: dir))
        let fd = FileSystem.open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileWriteError(path: path, reason: FileSystemError.reason(errno: errno)) }
        var ok = true
        var reason = ""
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    ok = false; reason = FileSystemError.reason(errno: errno); return
                }
                offset += n
            }
        }
        if ok && fsync(fd) != 0 { ok = false; reason = FileSystemError.reason(errno: errno) }
        if close(fd) != 0 && ok { ok = false; reason = FileSystemError.reason(errno: errno) }
        if !ok {
            _ = FileSystem.unlink(temp)
            throw FileWriteError(path: path, reason: reason)
        }
        return temp
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    static func refusal(_ what: String) -> String { "it is \(what), not a regular file; stylize replaces only regular files" }

    /// The most bytes `.<pid>.<random>.tmp` and the leading dot add to a name: a pid has
    /// at most 10 digits and the random part (a `UInt32`) 10.
    static let suffixBytes = 1 + 1 + 10 + 1 + 10 + 4

    /// The temporary file's name for a target named `name`: `.<name>.<pid>.<random>.tmp`
    /// (the pattern `StaleTemporaries` recognizes). When that would be longer than
    /// `nameMax` bytes, `<name>` is cut to fit and followed by `~` and eight hex digits of
    /// a hash of the whole name, so every name that is legal as an output has a legal
    /// temporary name, and two long names that share a prefix still get different ones.
    public static func temporaryName(for name: String, nameMax: Int = 255,
                                     pid: Int32 = getpid(), random: UInt32 = UInt32.random(in: 0...UInt32.max)) -> String {
        ".\(FileNaming.fitted(name, maxBytes: nameMax - suffixBytes)).\(pid).\(random).tmp"
    }
}
