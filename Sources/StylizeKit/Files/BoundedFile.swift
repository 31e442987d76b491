import Foundation

/// Reads whole input files (images, weights, masks, `--init`) with two guarantees that
/// `FileManager.contents(atPath:)` and `Data(contentsOf:)` do not give:
///
/// - **Regular files only.** The path is `stat`ed before it is opened, and opened with
///   `O_NONBLOCK`, so a FIFO, a socket or a device such as `/dev/zero` is refused at once
///   instead of blocking forever or being read until memory runs out. The opened
///   descriptor is checked again with `fstat` (the path may have been swapped in between).
/// - **A size cap, checked before reading.** The file's size must be at most `maxBytes`;
///   reading then stops at `maxBytes + 1` bytes, so a file that grows while being read is
///   refused as well, and one that shrinks ends with a short, checked read instead of a
///   signal (nothing is memory-mapped, so truncation cannot raise SIGBUS).
///
/// Errors are one line; callers wrap them in their own error type (`ImageError`,
/// `WeightsError`) which names the file.
public enum BoundedFile {
    /// Why a file was refused; `reason` is one line without the path.
    public struct Failure: Error, Equatable {
        public let reason: String
        /// True when nothing exists at the path (callers word that case their own way).
        public var isMissing = false
    }

    /// Throws `Failure` unless `path` names an existing regular file (symlinks followed).
    public static func requireRegularFile(_ path: String) throws {
        _ = try regularFileSize(path)
    }

    /// Why `path` cannot be read as an input file (`is a folder, not a file`, `no such
    /// file`, `is a FIFO (named pipe), not a regular file`, …), or nil for a regular file:
    /// what an option naming an input (`--init`, a mask) says before any work.
    public static func problem(_ path: String) -> Failure? {
        do { try requireRegularFile(path); return nil } catch let f as Failure { return f } catch { return Failure(reason: "\(error)") }
    }

    /// The size in bytes of the regular file at `path`.
    static func regularFileSize(_ path: String) throws -> Int {
        guard let info = FileSystem.stat(path) else {
            let code = errno
            throw Failure(reason: reason(code), isMissing: code == ENOENT || code == ENOTDIR)
        }
        try checkRegular(info)
        return Int(info.st_size)
    }

    /// The whole file at `path`, which must be a regular file of at most `maxBytes` bytes.
    /// `what` names the kind of file in the size message ("a PNG file", "a weights file").
    public static func read(_ path: String, maxBytes: Int, what: String) throws -> [UInt8] {
        let size = try regularFileSize(path)
        try checkSize(size, maxBytes: maxBytes, what: what)
        let fd = FileSystem.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(reason: reason(errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(reason: reason(errno)) }
        try checkRegular(info)
        try checkSize(Int(info.st_size), maxBytes: maxBytes, what: what)
        // One byte more than the cap lets a file that grew since `fstat` be detected.
        let capacity = min(Int(info.st_size), maxBytes) + 1
        var failure: Failure?
        let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            var offset = 0
            while offset < capacity {
                let n = Glibc.read(fd, buffer.baseAddress! + offset, capacity - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = Failure(reason: reason(errno)); break
                }
                if n == 0 { break }
                offset += n
            }
            initialized = offset
        }
        if let failure { throw failure }
        try checkSize(bytes.count, maxBytes: maxBytes, what: what)
        return bytes
    }

    private static func checkRegular(_ info: stat) throws {
        switch info.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR: throw Failure(reason: "is a folder, not a file")
        case S_IFIFO: throw Failure(reason: "is a FIFO (named pipe), not a regular file")
        case S_IFCHR, S_IFBLK: throw Failure(reason: "is a device, not a regular file")
        case S_IFSOCK: throw Failure(reason: "is a socket, not a regular file")
        default: throw Failure(reason: "is not a regular file")
        }
    }

    private static func checkSize(_ size: Int, maxBytes: Int, what: String) throws {
        guard size <= maxBytes else {
            throw Failure(reason: "is \(megabytes(size)), larger than \(what) can be (at most \(megabytes(maxBytes)))")
        }
    }

    /// `1234567` → `"1.2 MB"`; sizes under 10 kB in bytes.
    static func megabytes(_ bytes: Int) -> String {
        bytes < 10_000 ? "\(bytes) bytes" : String(format: "%.1f MB", Double(bytes) / 1e6)
    }

    private static func reason(_ code: Int32) -> String {
        switch code {
        case ENOENT, ENOTDIR: return "no such file"
        case EACCES: return "permission denied"
        default: return String(cString: strerror(code))
        }
    }
}
