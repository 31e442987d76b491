import CPNGDecode
import Foundation

/// PNG files in and out through libpng, whose classic API lives in the small C target
/// `CPNGDecode` (its `setjmp`/`longjmp` error path must stay out of Swift frames). This file
/// and `PNGCodec+Encode.swift` are the only Swift files that call it.
///
/// Reading: every colour type and bit depth (grey 1/2/4/8/16, RGB 8/16, palette, tRNS,
/// grey+alpha, RGBA, interlaced) decodes to 16-bit RGBA, then to floats in `0...255` at
/// full precision (`v · 255 / 65535`; an 8-bit `v` comes out exactly `v`). Alpha is
/// composited over **white** in the stored values, `c·a + 255·(1 − a)`, and also returned
/// on its own (`DecodedImage.alpha`) when it is not fully opaque.
///
/// Colour management (LittleCMS 2, in `colour_profile.c`): an embedded ICC profile
/// (iCCP), or gAMA/cHRM without iCCP and without an sRGB chunk, is converted to sRGB with
/// the relative colorimetric intent; an sRGB chunk or no colour chunk means the values are
/// sRGB already. A profile that is invalid or cannot be converted refuses the file with one
/// line saying so (rather than showing a wide-gamut photo in the wrong colours). An invalid
/// gAMA or cHRM is ignored on its own, the valid one kept, with a warning (see `read`).
/// (libpng's simplified `png_image` reader was tried first: it applies gAMA on its own terms
/// and mis-decodes interlaced 16-bit files.)
public enum PNGCodec {
    /// 50 megapixels: a 7000×7000 photo passes; at that size the network's activations alone
    /// would need several GB, so anything larger is almost surely a mistake or a hostile
    /// header. Raise it with `--max-megapixels`.
    public static let defaultMaxPixels = 50_000_000

    private static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The largest file accepted with `maxPixels`: what the biggest valid PNG within the
    /// limit can take. 16-bit RGBA stored uncompressed is 8 bytes a pixel, plus a filter
    /// byte a row and 5 bytes per 64 KB deflate block, so 9 bytes a pixel; plus 16 MB of
    /// ancillary chunks. 466 MB at the default 50 megapixels. (Decoding such an image costs
    /// 8 bytes a pixel of 16-bit RGBA, then 12 of float colours and 4 of float alpha.) Anything larger is refused
    /// from its size, before a byte is read.
    public static func maxFileBytes(maxPixels: Int) -> Int {
        let (pixelBytes, overflow) = max(0, maxPixels).multipliedReportingOverflow(by: 9)
        return overflow || pixelBytes > Int.max - 16_000_000 ? Int.max : pixelBytes + 16_000_000
    }

    /// Decodes the PNG at `path`, a regular file (see `BoundedFile`) of at most
    /// `maxFileBytes(maxPixels:)`. Checks `width × height` against `maxPixels`, and the size
    /// against `workingSize` when given, from the header, before any pixel memory is
    /// allocated. Throws `ImageError` (one line) on any failure.
    ///
    /// `warn` gets one line, naming the file, when an invalid colour chunk was ignored (a
    /// gAMA of 0, zero or collinear cHRM chromaticities): the PNG specification says to
    /// ignore it and keep what is valid, and the colours may then not be what was meant.
    public static func read(path: String, maxPixels: Int = defaultMaxPixels, workingSize: WorkingSize? = nil,
                            warn: (String) -> Void = { _ in }) throws -> RGBImage {
        try readWithAlpha(path: path, maxPixels: maxPixels, workingSize: workingSize, warn: warn).image
    }

    /// As `read`, keeping the file's alpha (nil when the file is opaque).
    public static func readWithAlpha(path: String, maxPixels: Int = defaultMaxPixels, workingSize: WorkingSize? = nil,
                                     warn: (String) -> Void = { _ in }) throws -> DecodedImage {
        try decodeWithAlpha(bytes(of: path, maxPixels: maxPixels), path: path, maxPixels: maxPixels, workingSize: workingSize, warn: warn)
    }

    /// Width and height from the PNG at `path`'s header (libpng reads the chunks up to the
    /// image data; no pixel is decoded). The file is read with the same bound as `read`.
    public static func dimensions(path: String, maxPixels: Int = defaultMaxPixels) throws -> (width: Int, height: Int) {
        try header(bytes(of: path, maxPixels: maxPixels), path: path, maxPixels: maxPixels)
    }

    /// Width and height from the header of PNG `bytes` (see `dimensions(path:)`).
    static func dimensions(_ bytes: [UInt8], path: String, maxPixels: Int = defaultMaxPixels) throws -> (width: Int, height: Int) {
        try header(bytes, path: path, maxPixels: maxPixels)
    }

    /// The file at `path` (a regular file of at most `maxFileBytes(maxPixels:)`), or `ImageError`.
    private static func bytes(of path: String, maxPixels: Int) throws -> [UInt8] {
        do {
            return try BoundedFile.read(path, maxBytes: maxFileBytes(maxPixels: maxPixels), what: "a PNG within the pixel limit")
        } catch let failure as BoundedFile.Failure {
            throw ImageError(path: path, reason: failure.reason)
        }
    }

    /// The signature and header chunks of `bytes`: width and height, or `ImageError` (not a
    /// PNG, invalid, or above `maxPixels`).
    private static func header(_ bytes: [UInt8], path: String, maxPixels: Int) throws -> (width: Int, height: Int) {
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
            throw ImageError(path: path, reason: "not a PNG file (bad signature)")
        }
        var width: UInt32 = 0, height: UInt32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBufferPointer {
            stylize_png_header($0.baseAddress, $0.count, UInt64(max(0, maxPixels)), &width, &height, &message, message.count)
        }
        guard status == 0 else { throw failure(status, width, height, message, path: path, maxPixels: maxPixels) }
        return (Int(width), Int(height))
    }

    /// The one-line error for a status of `stylize_png_header` or `stylize_png_decode`.
    private static func failure(_ status: Int32, _ width: UInt32, _ height: UInt32, _ message: [CChar],
                                path: String, maxPixels: Int) -> ImageError {
        if status == 2 { return ImageError.tooLarge(path: path, width: Int(width), height: Int(height), maxPixels: maxPixels) }
        let text = String(cString: message)
        return ImageError(path: path, reason: text.isEmpty ? "invalid PNG data" : text)
    }

    /// Decodes PNG bytes; `path` is only used in messages. Limits and warnings as for `read`.
    public static func decode(_ bytes: [UInt8], path: String, maxPixels: Int = defaultMaxPixels,
                              workingSize: WorkingSize? = nil, warn: (String) -> Void = { _ in }) throws -> RGBImage {
        try decodeWithAlpha(bytes, path: path, maxPixels: maxPixels, workingSize: workingSize, warn: warn).image
    }

    /// As `decode`, keeping the file's alpha (nil when the file is opaque).
    public static func decodeWithAlpha(_ bytes: [UInt8], path: String, maxPixels: Int = defaultMaxPixels,
                                       workingSize: WorkingSize? = nil, warn: (String) -> Void = { _ in }) throws -> DecodedImage {
        let (headerWidth, headerHeight) = try header(bytes, path: path, maxPixels: maxPixels)
        if let problem = workingSize?.problem(width: headerWidth, height: headerHeight) {
            throw ImageError(path: path, reason: problem)
        }
        let limit = UInt64(max(0, maxPixels))
        var width: UInt32 = 0, height: UInt32 = 0
        var message = [CChar](repeating: 0, count: 256), warning = [CChar](repeating: 0, count: 256)
        var rgbaPointer: UnsafeMutablePointer<UInt16>?
        let status = bytes.withUnsafeBufferPointer { data in
            stylize_png_decode(data.baseAddress, data.count, limit, &rgbaPointer, &width, &height, &message, message.count,
                               &warning, warning.count)
        }
        guard status == 0, let rgba = rgbaPointer else { throw failure(status, width, height, message, path: path, maxPixels: maxPixels) }
        defer { free(rgba) }
        let warningText = String(cString: warning)
        if !warningText.isEmpty { warn("'\(path)': \(warningText)") }
        return DecodedImage(rgba16: rgba, width: Int(width), height: Int(height))
    }
}
