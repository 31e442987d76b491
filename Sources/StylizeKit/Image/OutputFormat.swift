/// How an output image is written: the format, chosen from the output path's extension,
/// and its settings. The command line builds one from `-o` (and the quality and bit-depth
/// options) before any work, so that a wrong extension is a usage error at once.
public struct OutputFormat: Equatable, Sendable {
    public let format: ImageFormat
    /// JPEG and WebP quality, 1…100 (each library's own scale; PNG ignores it). 95, the
    /// default: the strokes and fine texture of a stylized image show no visible blocking
    /// or ringing, at a third to a half of the size quality 100 takes.
    public let quality: Int
    /// Bits per sample: 16 only for PNG (JPEG and WebP are 8-bit formats).
    public let bitDepth: PNGBitDepth

    public static let defaultQuality = 95
    public static let qualityRange = 1...100

    /// The format named by `path`'s extension (`.png`; `.jpg`, `.jpeg`; `.webp`; any case).
    /// Throws `OutputFormatError` for any other extension, a quality outside 1…100, or 16
    /// bits for JPEG or WebP.
    public init(path: String, quality: Int = OutputFormat.defaultQuality, bitDepth: PNGBitDepth = .eight) throws {
        guard let format = ImageFormat(extensionOf: path) else { throw OutputFormatError.unsupportedExtension(path: path) }
        try self.init(format: format, quality: quality, bitDepth: bitDepth, path: path)
    }

    /// `format` with these settings (`path` only names the file in errors).
    public init(format: ImageFormat, quality: Int = OutputFormat.defaultQuality, bitDepth: PNGBitDepth = .eight,
                path: String = "") throws {
        guard OutputFormat.qualityRange.contains(quality) else { throw OutputFormatError.qualityOutOfRange(quality) }
        guard bitDepth == .eight || format == .png else {
            throw OutputFormatError.sixteenBitsNeedPNG(path: path, format: format)
        }
        self.init(checked: format, quality: quality, bitDepth: bitDepth)
    }

    private init(checked format: ImageFormat, quality: Int, bitDepth: PNGBitDepth) {
        self.format = format
        self.quality = quality
        self.bitDepth = bitDepth
    }

    /// 8-bit PNG: what outputs were before formats could be chosen (contact sheets, montages).
    public static let png = OutputFormat(checked: .png, quality: defaultQuality, bitDepth: .eight)
}

/// A choice of output format that cannot be honoured. Usage errors, found before any work:
/// the command line exits 64 with `description` (one line).
public enum OutputFormatError: Error, CustomStringConvertible, Equatable {
    /// The output path's extension names no format that is written.
    case unsupportedExtension(path: String)
    /// A quality outside 1…100.
    case qualityOutOfRange(Int)
    /// 16 bits asked for a format that has 8 (JPEG, WebP).
    case sixteenBitsNeedPNG(path: String, format: ImageFormat)

    public var description: String {
        switch self {
        case .unsupportedExtension(let path):
            return "cannot write '\(path)': the extension must be .png, .jpg, .jpeg or .webp (the output format is chosen from it)"
        case .qualityOutOfRange(let quality):
            return "quality must be an integer between 1 and 100, got \(quality)"
        case .sixteenBitsNeedPNG(let path, let format):
            let file = path.isEmpty ? "a \(format.name) file" : "'\(path)'"
            return "cannot write \(file) with 16 bits per sample: \(format.name) has 8; use a .png output for 16 bits"
        }
    }
}
