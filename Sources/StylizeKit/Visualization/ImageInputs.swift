import Foundation

/// Turns command-line image arguments into PNG paths: a file is taken as it is, a folder
/// contributes its `*.png` files (not recursively, sorted by name), and an argument with
/// `*`, `?` or `[` is expanded as a glob (for patterns the shell did not expand, e.g. quoted).
public enum ImageInputs {
    public static func expand(_ arguments: [String]) throws -> [String] {
        var paths: [String] = []
        for a in arguments {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: a, isDirectory: &isDir) {
                if isDir.boolValue {
                    let names = (try? FileManager.default.contentsOfDirectory(atPath: a)) ?? []
                    paths += names.filter { $0.lowercased().hasSuffix(".png") && !$0.hasPrefix(".") }.sorted()
                        .map { a.hasSuffix("/") ? a + $0 : a + "/" + $0 }
                } else {
                    paths.append(a)
                }
            } else if a.contains(where: { "*?[".contains($0) }) {
                paths += glob(a).filter { $0.lowercased().hasSuffix(".png") }
            } else {
                throw ImageError(path: a, reason: "no such file or folder")
            }
        }
        guard !paths.isEmpty else {
            throw VisualizationError("no PNG images found in \(arguments.map { "'\($0)'" }.joined(separator: ", "))")
        }
        return paths
    }

    /// Paths matching `pattern` (POSIX glob), sorted.
    static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }

    /// A distinct folder name per image: its file stem, with `-2`, `-3`, … for repeats.
    public static func uniqueStems(_ paths: [String]) -> [String] {
        var seen: [String: Int] = ["top": 1, "maximize": 1]  // folders of their own in OUT
        return paths.map { p in
            let stem = URL(fileURLWithPath: p).deletingPathExtension().lastPathComponent
            let n = (seen[stem] ?? 0) + 1
            seen[stem] = n
            return n == 1 ? stem : "\(stem)-\(n)"
        }
    }
}

/// A visualization problem (no images, bad channel index, …); one readable line.
public struct VisualizationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
