import Foundation

/// Every system call stylize makes with a path, each given the path's exact bytes
/// (`FileName.withCString`) and each name it reads back decoded exactly (`FileName.string`),
/// so that a name that is not UTF-8 is read, written, listed and compared as itself. Passing
/// a `String` to `open` or `stat` directly, or to `FileManager`, would send its UTF-8
/// instead: other bytes than the name's, for such a name. Nothing else in StylizeKit or
/// the command line touches a path.
public enum FileSystem {
    /// `stat(2)` (symbolic links followed), or nil with `errno` set.
    public static func stat(_ path: String) -> Glibc.stat? {
        var st = Glibc.stat()
        return FileName.withCString(path) { systemStat($0, &st) } == 0 ? st : nil
    }

    /// `lstat(2)` (a symbolic link itself), or nil with `errno` set.
    public static func lstat(_ path: String) -> Glibc.stat? {
        var st = Glibc.stat()
        return FileName.withCString(path) { Glibc.lstat($0, &st) } == 0 ? st : nil
    }

    /// `open(2)`: a descriptor, or -1 with `errno` set.
    public static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
        FileName.withCString(path) { Glibc.open($0, flags, mode) }
    }

    public static func rename(_ from: String, _ to: String) -> Int32 {
        FileName.withCString(from) { a in FileName.withCString(to) { b in Glibc.rename(a, b) } }
    }

    public static func link(_ from: String, _ to: String) -> Int32 {
        FileName.withCString(from) { a in FileName.withCString(to) { b in Glibc.link(a, b) } }
    }

    public static func unlink(_ path: String) -> Int32 { FileName.withCString(path) { Glibc.unlink($0) } }

    public static func mkdir(_ path: String, _ mode: mode_t) -> Int32 { FileName.withCString(path) { Glibc.mkdir($0, mode) } }

    public static func pathconf(_ path: String, _ name: Int32) -> Int { FileName.withCString(path) { Glibc.pathconf($0, name) } }

    /// `realpath(3)`: the canonical absolute path of an existing file, or nil.
    public static func realpath(_ path: String) -> String? {
        guard let r = FileName.withCString(path, { Glibc.realpath($0, nil) }) else { return nil }
        defer { free(r) }
        return FileName.string(cString: r)
    }

    /// Whether something exists at `path` (links followed).
    public static func exists(_ path: String) -> Bool { stat(path) != nil }

    /// Whether `path` is a folder (links followed).
    public static func isFolder(_ path: String) -> Bool { stat(path).map { $0.st_mode & S_IFMT == S_IFDIR } ?? false }

    /// The names in `folder` (without `.` and `..`), unsorted, or nil when it cannot be read.
    public static func names(in folder: String) -> [String]? {
        guard let dir = FileName.withCString(folder, { opendir($0) }) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { FileName.string(cString: $0) } }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Paths matching `pattern` (`glob(3)`), sorted.
    public static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard FileName.withCString(pattern, { Glibc.glob($0, 0, nil, &g) }) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { FileName.string(cString: $0) } }.sorted()
    }

    /// The whole of a file that may be large but is ours (records, logs), read to its end:
    /// nil when it cannot be opened; a regular file only (a FIFO must not block).
    public static func contents(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = Glibc.stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(st.st_size))
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += buffer[..<n]
        }
        return bytes
    }

    /// When `path` was last modified, or nil.
    public static func modified(_ path: String) -> Date? {
        stat(path).map { Date(timeIntervalSince1970: Double($0.st_mtim.tv_sec) + Double($0.st_mtim.tv_nsec) / 1e9) }
    }

    /// The working folder, read exactly.
    public static func currentDirectory() -> String {
        guard let cwd = getcwd(nil, 0) else { return FileManager.default.currentDirectoryPath }
        defer { free(cwd) }
        return FileName.string(cString: cwd)
    }

    /// `path` made absolute against the working folder, with `.`, `..` and repeated `/`
    /// removed (textually, as `URL.standardizedFileURL` does, but keeping every byte of the name).
    public static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : currentDirectory() + "/" + path
        var parts: [Substring] = []
        for part in full.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }
}

/// `stat(2)` itself: inside `FileSystem`, `stat` names the wrapper, and `Glibc.stat` the struct.
private func systemStat(_ path: UnsafePointer<CChar>, _ st: inout stat) -> Int32 { stat(path, &st) }
