import Foundation

/// Turns image arguments into image paths, with one set of rules for `stylize batch` and
/// `stylize visualize`:
/// - an existing file is taken as it is (the decoder then says if it is not an image);
/// - a folder contributes its image files, `*.png`, `*.jpg`, `*.jpeg` and `*.webp` (any
///   case, not hidden, not recursive), sorted;
/// - an argument with `*`, `?` or `[` that names no file is a glob (for patterns the shell
///   did not expand, e.g. quoted), and contributes the image files (PNG, JPEG, WebP) it
///   matches, sorted;
/// - folders and globs skip the files in `skipping` (canonical paths, see `PathIdentity`):
///   a batch's own outputs (`BatchFolder.ownOutputs`) are not inputs of its next run, even
///   when `--out` is the content folder or a glob reaches into it;
/// - a file seen twice is kept once, at its first place: the same path silently, the same
///   file under another path (`./a.png`, a symbolic or hard link) with a warning.
/// An argument that contributes nothing is an `InputError` naming it.
public enum InputExpansion {
    public static func expand(_ specs: [String], option: String, skipping: Set<String> = [],
                              warn: (String) -> Void = { _ in }) throws -> [String] {
        var result: [String] = []
        var seen = Set<String>()
        var files: [FileIdentity: String] = [:]
        func outside(_ path: String) -> Bool { skipping.isEmpty || !skipping.contains(PathIdentity.canonical(path)) }
        for spec in specs {
            let matched: [String]
            switch OutputLocation.kind(of: spec) {
            case .folder:
                let names = FileSystem.names(in: spec) ?? []
                matched = names.filter { isImageName($0) && !$0.hasPrefix(".") }.sorted()
                    .map { spec.hasSuffix("/") ? spec + $0 : spec + "/" + $0 }.filter(outside)
            case .other:
                matched = [spec]
            case .missing:
                guard spec.contains(where: { "*?[".contains($0) }) else {
                    throw InputError(description: "\(option) '\(spec)': no such file or folder")
                }
                matched = FileSystem.glob(spec).filter { isImageName($0) && OutputLocation.kind(of: $0) == .other && outside($0) }
            }
            guard !matched.isEmpty else { throw InputError(description: "\(option) '\(spec)': no images found (\(ImageFormat.supportedNames))") }
            for m in matched where seen.insert(m).inserted {
                if let id = FileIdentity(m) {
                    if let first = files[id] {
                        warn("\(option): '\(m)' is the same file as '\(first)'; it is used once")
                        continue
                    }
                    files[id] = m
                }
                result.append(m)
            }
        }
        return result
    }

    /// A name whose extension is one of `ImageFormat.allExtensions` (any case). Only folders
    /// and globs are filtered by name; the file's format is still read from its signature.
    static func isImageName(_ name: String) -> Bool { ImageFormat(extensionOf: name) != nil }
}

/// A file's device and inode: two paths with the same identity are one file.
struct FileIdentity: Hashable {
    let device: UInt64, inode: UInt64
    init?(_ path: String) {
        guard let st = FileSystem.stat(path) else { return nil }
        device = UInt64(st.st_dev); inode = UInt64(st.st_ino)
    }
}

/// An image argument that names nothing usable. One line; a usage error in batch.
public struct InputError: Error, CustomStringConvertible {
    public let description: String
}
