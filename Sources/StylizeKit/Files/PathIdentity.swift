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
        if let r = realPath(path) { return r }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let folder = url.deletingLastPathComponent().path
        if let r = realPath(folder) { return (r == "/" ? "" : r) + "/" + url.lastPathComponent }
        return url.path
    }

    public static func same(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        if stat(a, &sa) == 0 && stat(b, &sb) == 0 { return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino }
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

    static func realPath(_ path: String) -> String? {
        guard let r = realpath(path, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }
}

/// An output that would replace an input. A usage error: exit 64.
public struct OverwriteError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}
