import Foundation

/// Whether two paths name the same file, so that no output ever replaces an input.
///
/// Paths are compared after resolving symbolic links, `.` and `..` (an output that does not
/// exist yet is resolved through its folder), and, when both exist, by device and inode,
/// which also catches hard links.
public enum PathIdentity {
    /// The canonical absolute form of `path`: `realpath` of the file if it exists, else
    /// `realpath` of its folder plus its name, else the standardized absolute path.
    public static func canonical(_ path: String) -> String {
        realPath(path) ?? canonicalMissing(path)
    }

    /// `canonical` of a path known not to exist: `realpath` of its folder (asked of `folders`
    /// first, which remembers every answer: a batch's thousands of outputs share two
    /// folders) plus its name, else the standardized absolute path.
    static func canonicalMissing(_ path: String, folders: FolderCache? = nil) -> String {
        let name = OutputLocation.lastComponent(of: path)
        if !name.isEmpty && name != "." && name != ".." && name != "/" {
            let parent = OutputLocation.parent(of: path)
            if let r = folders?.resolved(parent) ?? realPath(parent) { return (r == "/" ? "" : r) + "/" + name }
        }
        return FileSystem.absolute(path)
    }

    /// The `realpath` of folders, each asked once.
    final class FolderCache {
        private var known: [String: String?] = [:]
        func resolved(_ folder: String) -> String? {
            if let r = known[folder] { return r }
            let r = realPath(folder)
            known[folder] = r
            return r
        }
    }

    public static func same(_ a: String, _ b: String) -> Bool {
        if let sa = FileSystem.stat(a), let sb = FileSystem.stat(b) { return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino }
        return canonical(a) == canonical(b)
    }

    /// Throws a usage error naming both options when an output in `outputs` is an input.
    /// Each entry is (option, path), e.g. ("-o", "out.png") and ("content", "photo.png").
    public static func refuseOverwrite(outputs: [(String, String)], inputs: [(String, String)]) throws {
        for (outOption, out) in outputs {
            for (inOption, input) in inputs where same(out, input) {
                throw OverwriteError(description: "\(outOption) '\(out)' is the \(inOption) '\(input)'; "
                                     + "refusing to overwrite an input (choose another output name)")
            }
        }
    }

    static func realPath(_ path: String) -> String? { FileSystem.realpath(path) }
}

/// An output that would replace an input. A usage error: exit 64.
public struct OverwriteError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}
