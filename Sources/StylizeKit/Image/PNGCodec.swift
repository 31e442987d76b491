import CPNG
import Foundation

/// PNG files in and out through libpng 1.6's simplified `png_image` API, which reports
/// failures in `png_image.message` instead of `longjmp`ing through Swift frames.
/// This is the only file that imports `CPNG`.
///
/// Reading: every colour type and bit depth (grey 1/2/4/8/16, RGB 8/16, palette, tRNS,
/// grey+alpha, RGBA, interlaced) decodes to 8-bit RGBA, and alpha is composited over
/// **white** in the stored (sRGB) values: `c·a + 255·(1 − a)`.
/// Colour management: stored sample values are taken as sRGB as they are. `gAMA`, `cHRM`,
/// `sRGB` and `iCCP` chunks are dropped before decoding, so no gamma correction is applied,
/// as Pillow, pypng and most image tools do; 16-bit samples are scaled to 8 bits by
/// rounding `v·255/65535`.
public enum PNGCodec {
    /// 50 megapixels: a 7000×7000 photo passes; at that size the network's activations alone
    /// would need several GB, so anything larger is almost surely a mistake or a hostile
    /// header. Raise it with `--max-megapixels`.
    public static let defaultMaxPixels = 50_000_000

    private static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Decodes the PNG at `path`. Checks `width × height` against `maxPixels` from the header,
    /// before any pixel memory is allocated. Throws `ImageError` (one line) on any failure.
    public static func read(path: String, maxPixels: Int = defaultMaxPixels) throws -> RGBImage {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ImageError(path: path, reason: "no such file")
        }
        guard !isDir.boolValue else { throw ImageError(path: path, reason: "is a folder, not a PNG file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageError(path: path, reason: "permission denied or unreadable")
        }
        return try decode([UInt8](data), path: path, maxPixels: maxPixels)
    }

    /// Decodes PNG bytes; `path` is only used in error messages.
    public static func decode(_ bytes: [UInt8], path: String, maxPixels: Int = defaultMaxPixels) throws -> RGBImage {
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
            throw ImageError(path: path, reason: "not a PNG file (bad signature)")
        }
        let stripped = try withoutColorChunks(bytes, path: path)
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        let begun = stripped.withUnsafeBytes { raw in
            png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count)
        }
        guard begun != 0 else { throw ImageError(path: path, reason: message(of: &image)) }
        let width = Int(image.width), height = Int(image.height)
        if width * height > maxPixels {
            let mp = Double(width) * Double(height) / 1e6
            throw ImageError(path: path, reason: String(format: "image is %dx%d (%.0f megapixels), above the limit of %.0f megapixels; raise it with --max-megapixels",
                                                        width, height, mp, Double(maxPixels) / 1e6))
        }
        image.format = png_uint_32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)  // 8-bit RGBA
        image.flags |= png_uint_32(PNG_IMAGE_FLAG_16BIT_sRGB)  // 16-bit samples are sRGB-encoded too
        var rgba = [UInt8](repeating: 0, count: width * height * 4)
        let finished = stripped.withUnsafeBytes { _ in
            rgba.withUnsafeMutableBytes { out in
                png_image_finish_read(&image, nil, out.baseAddress, png_int_32(width * 4), nil)
            }
        }
        guard finished != 0 else { throw ImageError(path: path, reason: message(of: &image)) }
        var pixels = [Float](repeating: 0, count: width * height * 3)
        for p in 0..<(width * height) {
            let a = Float(rgba[4 * p + 3]) / 255
            for c in 0..<3 {
                pixels[3 * p + c] = Float(rgba[4 * p + c]) * a + 255 * (1 - a)
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// 8-bit RGB PNG bytes of `image` (values rounded to nearest and clamped to 0...255).
    public static func encode(_ image: RGBImage) throws -> [UInt8] {
        let rgb = image.pixels.map { UInt8(min(max($0.rounded(), 0), 255)) }
        var png = png_image()
        png.version = png_uint_32(PNG_IMAGE_VERSION)
        png.width = png_uint_32(image.width)
        png.height = png_uint_32(image.height)
        png.format = png_uint_32(PNG_FORMAT_FLAG_COLOR)
        defer { png_image_free(&png) }
        var size: Int = 0
        let stride = png_int_32(image.width * 3)
        var ok = rgb.withUnsafeBytes { png_image_write_to_memory(&png, nil, &size, 0, $0.baseAddress, stride, nil) }
        guard ok != 0, size > 0 else { throw FileWriteError(path: "<memory>", reason: message(of: &png)) }
        var out = [UInt8](repeating: 0, count: size)
        ok = rgb.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { png_image_write_to_memory(&png, $0.baseAddress, &size, 0, src.baseAddress, stride, nil) }
        }
        guard ok != 0 else { throw FileWriteError(path: "<memory>", reason: message(of: &png)) }
        return Array(out.prefix(size))
    }

    /// Writes `image` as an 8-bit RGB PNG, atomically (see `AtomicFile`).
    public static func write(_ image: RGBImage, to path: String) throws {
        let bytes: [UInt8]
        do { bytes = try encode(image) } catch let e as FileWriteError {
            throw FileWriteError(path: path, reason: e.reason)
        }
        try AtomicFile.write(bytes, to: path)
    }

    // MARK: - Helpers

    private static func message(of image: inout png_image) -> String {
        let text = withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "invalid PNG data" : text
    }

    /// The file with its colour-management chunks (gAMA, cHRM, sRGB, iCCP) removed; every
    /// other chunk is kept byte for byte, so libpng still checks all CRCs it cares about.
    /// Structural damage (a chunk running past the end) is reported here.
    static func withoutColorChunks(_ bytes: [UInt8], path: String) throws -> [UInt8] {
        var out = Array(bytes[0..<8])
        out.reserveCapacity(bytes.count)
        var i = 8
        while i < bytes.count {
            guard i + 12 <= bytes.count else {
                // Trailing garbage after IEND is ignored; anything else is truncation.
                if out.count > 8 && out.suffix(8).starts(with: [0x49, 0x45, 0x4E, 0x44]) { break }
                throw ImageError(path: path, reason: "file is truncated")
            }
            let length = Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            guard length <= 0x7FFF_FFFF, i + 12 + length <= bytes.count else {
                throw ImageError(path: path, reason: "file is truncated or a chunk length is corrupt")
            }
            let type = String(decoding: bytes[(i + 4)..<(i + 8)], as: UTF8.self)
            if !["gAMA", "cHRM", "sRGB", "iCCP"].contains(type) {
                out.append(contentsOf: bytes[i..<(i + 12 + length)])
            }
            i += 12 + length
            if type == "IEND" { break }
        }
        return out
    }
}
