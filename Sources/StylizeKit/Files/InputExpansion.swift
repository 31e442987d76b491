import Foundation

/// Turns image arguments into image paths, with one set of rules for `stylize batch` and
/// `stylize visualize`:
/// - an existing file is taken as it is (the decoder then says if it is not an image);
/// - a folder contributes its image files, `*.png`, `*.jpg`, `*.jpeg` and `*.webp` (any
///   case, not hidden, not recursive), sorted;
/// - an argument with `*`, `?` or `[` that names no file is a glob (for patterns the shell
///   did not expand, e.g. quoted), and contributes the image files it matches, sorted;
/// - a path seen twice is kept once, at its first place.
/// An argument that contributes nothing is an `InputError` naming it.
public enum InputExpansion {
    public static func expand(_ specs: [String], option: String) throws -> [String] {
        var result: [String] = []
        var seen = Set<String>()
        for spec in specs {
            let matched: [String]
            switch OutputLocation.kind(of: spec) {
            case .folder:
                let names = (try? FileManager.default.contentsOfDirectory(atPath: spec)) ?? []
                matched = names.filter { isImageName($0) && !$0.hasPrefix(".") }.sorted()
                    .map { spec.hasSuffix("/") ? spec + $0 : spec + "/" + $0 }
            case .other:
                matched = [spec]
            case .missing:
                guard spec.contains(where: { "*?[".contains($0) }) else {
                    throw InputError(description: "\(option) '\(spec)': no such file or folder")
                }
                matched = glob(spec).filter { isImageName($0) && OutputLocation.kind(of: $0) == .other }
            }
            guard !matched.isEmpty else { throw InputError(description: "\(option) '\(spec)': no images found (\(ImageFormat.supportedNames))") }
            for m in matched where seen.insert(m).inserted { result.append(m) }
        }
        return result
    }

    /// A name whose extension is one of `ImageFormat.allExtensions` (any case). Only folders
    /// and globs are filtered by name; the file's format is still read from its signature.
    static func isImageName(_ name: String) -> Bool { ImageFormat(extensionOf: name) != nil }

    /// Paths matching `pattern` (POSIX `glob(3)`), sorted.
    static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }
}

/// An image argument that names nothing usable. One line; a usage error in batch.
public struct InputError: Error, CustomStringConvertible {
    public let description: String
}
