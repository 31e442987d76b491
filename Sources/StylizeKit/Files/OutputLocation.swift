import Foundation

/// Checks, before any work starts, that outputs can be written where the user asked: a
/// run that would fail only when saving, after minutes of optimization, fails at once.
///
/// Each check names the option and the path, and the problem in one line: a missing
/// folder, a path that is a folder (or a file where a folder is needed), permission, a
/// read-only file system. Writability is tested for real, by creating and removing a
/// temporary file in the folder, since permission bits do not tell the whole story
/// (read-only mounts, ACLs, root squashing on NFS).
public enum OutputLocation {
    /// `path` must name a file that can be created or replaced: its folder exists and is
    /// writable, and `path` itself is not a folder, nor a device, a FIFO or a socket (only a
    /// regular file is ever replaced). The names really created must be legal there: the
    /// file's own name and the temporary name `AtomicFile` writes first (the probe creates
    /// exactly that name), each at most the file system's `NAME_MAX` bytes. Nothing is left
    /// behind.
    ///
    /// `inPlace`: the file is written where it is (a log), not through a temporary file and
    /// a rename (an image), so an existing file that opens for writing is enough.
    public static func checkFile(_ path: String, option: String, inPlace: Bool = false) throws {
        let action = "cannot write \(option) '\(path)'"
        guard !path.isEmpty else { throw FileSystemError(action, reason: "the path is empty") }
        if path.hasSuffix("/") { throw FileSystemError(action, reason: "it names a folder; give a file name") }
        if kind(of: path) == .folder { throw FileSystemError(action, reason: "it is a folder; give a file name inside it") }
        if let what = nonRegularKind(path) { throw FileSystemError(action, reason: AtomicFile.refusal(what)) }
        let folder = parent(of: path)
        switch kind(of: folder) {
        case .folder: break
        case .missing: throw FileSystemError(action, reason: "folder '\(folder)' does not exist")
        case .other: throw FileSystemError(action, reason: "'\(folder)' is not a folder")
        }
        let name = lastComponent(of: path), nameMax = self.nameMax(in: folder)
        try checkName(name, path: path, nameMax: nameMax, action: action)
        if inPlace && kind(of: path) == .other {
            let fd = FileSystem.open(path, O_WRONLY | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else { throw FileSystemError(action, reason: FileSystemError.reason(errno: errno)) }
            close(fd)
            return
        }
        try probe(folder, action: action, name: inPlace ? nil : AtomicFile.temporaryName(for: name, nameMax: nameMax))
    }

    /// Refuses, before any work, every path in `paths` (option, path) at which something
    /// other than a regular file exists (a folder, a device, a FIFO, a socket), and every
    /// name longer than its folder allows: for files written inside a folder that was checked
    /// as a whole (a batch's images and logs), without probing each one.
    public static func checkExisting(_ paths: [(option: String, path: String)]) throws {
        var limits: [String: Int] = [:]
        for (option, path) in paths {
            let action = "cannot write \(option) '\(path)'"
            if let what = nonRegularKind(path) { throw FileSystemError(action, reason: AtomicFile.refusal(what)) }
            let folder = parent(of: path)
            let nameMax = limits[folder] ?? self.nameMax(in: folder)
            limits[folder] = nameMax
            try checkName(lastComponent(of: path), path: path, nameMax: nameMax, action: action)
        }
    }

    /// `path` must be a writable folder, created (with its parents) when missing.
    public static func prepareFolder(_ path: String, option: String) throws {
        let action = "cannot write \(option) '\(path)'"
        guard !path.isEmpty else { throw FileSystemError(action, reason: "the path is empty") }
        var missing: [String] = []
        var p = path
        while kind(of: p) == .missing {
            missing.append(p)
            let up = parent(of: p)
            if up == p { break }
            p = up
        }
        if kind(of: p) == .other {
            throw FileSystemError(action, reason: p == path ? "it is a file, not a folder" : "'\(p)' is a file, not a folder")
        }
        for m in missing.reversed() where FileSystem.mkdir(m, 0o755) != 0 && errno != EEXIST {
            throw FileSystemError(action, reason: "cannot create folder '\(m)': \(FileSystemError.reason(errno: errno))")
        }
        try probe(path, action: action)
    }

    /// Like `prepareFolder` but creates nothing: `path` is a writable folder, or missing
    /// with its nearest existing ancestor a writable folder (it is created when first used).
    public static func checkFolder(_ path: String, option: String) throws {
        let action = "cannot write \(option) '\(path)'"
        guard !path.isEmpty else { throw FileSystemError(action, reason: "the path is empty") }
        var p = path
        while kind(of: p) == .missing, parent(of: p) != p { p = parent(of: p) }
        switch kind(of: p) {
        case .folder: try probe(p, action: action)
        case .other: throw FileSystemError(action, reason: p == path ? "it is a file, not a folder" : "'\(p)' is a file, not a folder")
        case .missing: throw FileSystemError(action, reason: "no existing folder above it")
        }
    }

    /// What is at a path, following symbolic links: nothing, a folder, or anything else.
    public enum Kind: Sendable { case missing, folder, other }

    public static func kind(of path: String) -> Kind {
        guard let st = FileSystem.stat(path) else { return .missing }
        return (st.st_mode & S_IFMT) == S_IFDIR ? .folder : .other
    }

    /// The folder holding `path` (`.` for a bare name, `/` for a top-level one).
    public static func parent(of path: String) -> String {
        let p = withoutTrailingSlashes(path)
        guard let slash = p.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        return slash == p.startIndex ? "/" : String(p[..<slash])
    }

    /// `path` without the slashes that end it (`/` stays), in bytes: a batch splits
    /// thousands of names, and `Character` comparisons cost a grapheme break each.
    static func withoutTrailingSlashes(_ path: String) -> Substring {
        let u = path.utf8
        guard !u.isEmpty else { return path[...] }
        let second = u.index(after: u.startIndex)
        var end = u.endIndex
        while end > second && u[u.index(before: end)] == UInt8(ascii: "/") { end = u.index(before: end) }
        return path[..<end]
    }

    /// What is at `path` (symbolic links followed) when it exists and is not a regular
    /// file: `a folder`, `a device`, `a FIFO (named pipe)`, `a socket`; nil when nothing is
    /// there or a regular file is.
    public static func nonRegularKind(_ path: String) -> String? {
        guard let st = FileSystem.stat(path) else { return nil }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a folder"
        case S_IFCHR, S_IFBLK: return "a device"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    /// The longest file name, in bytes, that `folder`'s file system allows (`NAME_MAX`:
    /// 255 on ext4, XFS, Btrfs and tmpfs, 143 on eCryptfs); 255 when it cannot be asked.
    public static func nameMax(in folder: String) -> Int {
        let n = FileSystem.pathconf(folder, Int32(_PC_NAME_MAX))
        return n > 0 ? n : 255
    }

    /// The name itself within `nameMax` bytes, the whole path within `PATH_MAX`.
    static func checkName(_ name: String, path: String, nameMax: Int, action: String) throws {
        let bytes = name.utf8.count
        if bytes > nameMax {
            throw FileSystemError(action, reason: "file name too long (\(bytes) bytes; this file system allows \(nameMax))")
        }
        if path.utf8.count >= Int(PATH_MAX) {
            throw FileSystemError(action, reason: "the path is too long (\(path.utf8.count) bytes; at most \(Int(PATH_MAX) - 1))")
        }
    }

    /// `dir/name.png` → `name.png`.
    public static func lastComponent(of path: String) -> String {
        let p = withoutTrailingSlashes(path)
        return String(p.utf8.lastIndex(of: UInt8(ascii: "/")).map { p[p.utf8.index(after: $0)...] } ?? p)
    }

    /// Creates and removes `name` in `folder` (default `.stylize-probe.<pid>.<random>`).
    static func probe(_ folder: String, action: String, name: String? = nil) throws {
        let name = folder + "/" + (name ?? ".stylize-probe.\(getpid()).\(UInt32.random(in: 0...UInt32.max))")
        let fd = FileSystem.open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileSystemError(action, reason: FileSystemError.reason(errno: errno)) }
        close(fd)
        _ = FileSystem.unlink(name)
    }
}
