/// The image file formats stylize reads and writes. Input is recognised by its signature
/// (the first bytes), never by its name; output is chosen by the name's extension
/// (`OutputFormat`).
public enum ImageFormat: String, Sendable, CaseIterable, Equatable {
    case png, jpeg, webp

    /// The format's usual name, for messages: "PNG", "JPEG", "WebP".
    public var name: String {
        switch self {
        case .png: return "PNG"
        case .jpeg: return "JPEG"
        case .webp: return "WebP"
        }
    }

    /// The supported formats, for messages: "PNG, JPEG or WebP".
    public static let supportedNames = "PNG, JPEG or WebP"

    /// File-name extensions of the format, lower case, without the dot; the first is the
    /// one stylize gives new files.
    public var extensions: [String] {
        switch self {
        case .png: return ["png"]
        case .jpeg: return ["jpg", "jpeg"]
        case .webp: return ["webp"]
        }
    }

    /// Every extension of every format: what a folder or glob of inputs picks up.
    public static let allExtensions: [String] = allCases.flatMap(\.extensions)

    /// The format that `bytes` start with, or nil:
    /// - PNG: its 8-byte signature `89 50 4E 47 0D 0A 1A 0A`;
    /// - JPEG: the start-of-image marker followed by another marker, `FF D8 FF`;
    /// - WebP: a RIFF container of form type `WEBP` (`RIFF`, 4 size bytes, `WEBP`).
    public static func detect<Bytes: Collection>(_ bytes: Bytes) -> ImageFormat? where Bytes.Element == UInt8 {
        let head = Array(bytes.prefix(12))
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.count == 12 && head.starts(with: Array("RIFF".utf8)) && Array(head[8..<12]) == Array("WEBP".utf8) { return .webp }
        return nil
    }

    /// The format named by the extension of `path` (any case: `.png`; `.jpg`, `.jpeg`;
    /// `.webp`), or nil for any other extension or none.
    public init?(extensionOf path: String) {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let ext = name[name.index(after: dot)...].lowercased()
        guard let format = ImageFormat.allCases.first(where: { $0.extensions.contains(ext) }) else { return nil }
        self = format
    }
}
