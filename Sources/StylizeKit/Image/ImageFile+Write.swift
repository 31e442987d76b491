import Foundation

/// An encoded output image, and what the format could not keep.
public struct EncodedImage: Sendable {
    public let bytes: [UInt8]
    public let format: OutputFormat
    /// True when the image had transparency that the format cannot store (JPEG): it was
    /// composited over white, as a viewer on a white page shows it. The caller tells the
    /// user (`transparencyWarning`).
    public let flattenedAlpha: Bool

    /// One line for the user when transparency was dropped, nil otherwise.
    public func transparencyWarning(path: String) -> String? {
        flattenedAlpha ? "'\(path)' is a \(format.format.name) file, which has no transparency: the transparent parts were composited over white (write a .png or .webp to keep them)" : nil
    }
}

extension ImageFile {
    /// `image` (values `0...255`, rounded to nearest and clamped) with its `alpha` (nil or
    /// fully opaque: none), encoded as `format` says:
    /// - PNG: `PNGCodec.encode` (8 or 16 bits, RGBA when there is transparency, tagged sRGB);
    /// - JPEG: baseline, 4:4:4 at quality 90 and above, with LittleCMS's sRGB ICC profile;
    ///   transparency is composited over white, `c·a/255 + 255·(1 − a/255)`, and
    ///   `flattenedAlpha` says so;
    /// - WebP: lossy at `format.quality`, alpha kept (stored losslessly), with the same sRGB
    ///   ICC profile (an ICCP chunk).
    /// Throws `FileWriteError` (path "<memory>") when the library refuses the image (a
    /// JPEG side above 65,500 or a WebP side above 16,383 pixels).
    public static func encode(_ image: RGBImage, alpha: AlphaPlane? = nil, as format: OutputFormat) throws -> EncodedImage {
        if let alpha { precondition(alpha.width == image.width && alpha.height == image.height, "alpha size must match the image") }
        let transparent = alpha.flatMap { $0.isOpaque ? nil : $0 }
        switch format.format {
        case .png:
            return EncodedImage(bytes: try PNGCodec.encode(image, alpha: transparent, bitDepth: format.bitDepth),
                                format: format, flattenedAlpha: false)
        case .jpeg:
            var flat = image
            if let transparent {
                for p in 0..<(image.width * image.height) {
                    let a = min(max(transparent.values[p], 0), 255) / 255
                    for c in 0..<3 { flat.pixels[3 * p + c] = image.pixels[3 * p + c] * a + 255 * (1 - a) }
                }
            }
            return EncodedImage(bytes: try PhotoEncoder.jpeg(flat, quality: format.quality),
                                format: format, flattenedAlpha: transparent != nil)
        case .webp:
            return EncodedImage(bytes: try PhotoEncoder.webp(image, alpha: transparent, quality: format.quality),
                                format: format, flattenedAlpha: false)
        }
    }

    /// Encodes (see `encode`) and writes atomically (`AtomicFile`): a reader never sees a
    /// partial file. Returns the encoded image, whose `transparencyWarning` the caller shows.
    @discardableResult
    public static func write(_ image: RGBImage, alpha: AlphaPlane? = nil, to path: String, as format: OutputFormat) throws -> EncodedImage {
        let encoded: EncodedImage
        do { encoded = try encode(image, alpha: alpha, as: format) } catch let e as FileWriteError {
            throw FileWriteError(path: path, reason: e.reason)
        }
        try AtomicFile.write(encoded.bytes, to: path)
        return encoded
    }

    /// Encodes (see `encode`) and writes under the first free name of `name(1)`, `name(2)`…
    /// (`AtomicFile.writeNew`): nothing is replaced. Returns the path and the encoded image.
    public static func writeNew(_ image: RGBImage, alpha: AlphaPlane? = nil, as format: OutputFormat,
                                name: (Int) -> String) throws -> (path: String, encoded: EncodedImage) {
        let encoded: EncodedImage
        do { encoded = try encode(image, alpha: alpha, as: format) } catch let e as FileWriteError {
            throw FileWriteError(path: name(1), reason: e.reason)
        }
        return (try AtomicFile.writeNew(encoded.bytes, name: name), encoded)
    }

    /// As `write(_:alpha:to:as:)`, the format chosen from `path`'s extension. Throws
    /// `OutputFormatError` (a usage error) before encoding anything when it names none.
    @discardableResult
    public static func write(_ image: RGBImage, alpha: AlphaPlane? = nil, to path: String,
                             quality: Int = OutputFormat.defaultQuality, bitDepth: PNGBitDepth = .eight) throws -> EncodedImage {
        try write(image, alpha: alpha, to: path, as: OutputFormat(path: path, quality: quality, bitDepth: bitDepth))
    }
}
