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
    /// writable, and `path` itself is not a folder. Nothing is left behind.
    ///
    /// `inPlace`: the file is written where it is (a log), not through a temporary file and
    /// a rename (an image), so an existing file that opens for writing is enough.
    public static func checkFile(_ path: String, option: String, inPlace: Bool = false) throws {
        let action = "cannot write \(option) '\(path)'"
        guard !path.isEmpty else { throw FileSystemError(action, reason: "the path is empty") }
        if path.hasSuffix("/") { throw FileSystemError(action, reason: "it names a folder; give a file name") }
        switch kind(of: path) {
        case .folder: throw FileSystemError(action, reason: "it is a folder; give a file name inside it")
        case .other where inPlace:
            let fd = open(path, O_WRONLY | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else { throw FileSystemError(action, reason: FileSystemError.reason(errno: errno)) }
            close(fd)
            return
        default: break
        }
        let folder = parent(of: path)
        switch kind(of: folder) {
        case .folder: break
        case .missing: throw FileSystemError(action, reason: "folder '\(folder)' does not exist")
        case .other: throw FileSystemError(action, reason: "'\(folder)' is not a folder")
        }
        try probe(folder, action: action)
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
        for m in missing.reversed() where mkdir(m, 0o755) != 0 && errno != EEXIST {
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
        var st = stat()
        guard stat(path, &st) == 0 else { return .missing }
        return (st.st_mode & S_IFMT) == S_IFDIR ? .folder : .other
    }

    /// The folder holding `path` (`.` for a bare name, `/` for a top-level one).
    static func parent(of path: String) -> String {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        guard let slash = p.lastIndex(of: "/") else { return "." }
        return slash == p.startIndex ? "/" : String(p[..<slash])
    }

    /// Creates and removes `.stylize-probe.<pid>.<random>` in `folder`.
    static func probe(_ folder: String, action: String) throws {
        let name = folder + "/.stylize-probe.\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileSystemError(action, reason: FileSystemError.reason(errno: errno)) }
        close(fd)
        unlink(name)
    }
}
