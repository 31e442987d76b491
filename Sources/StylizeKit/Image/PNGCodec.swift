import CPNG
import CPNGDecode
import Foundation

/// PNG files in and out through libpng. This is the only Swift file that imports it.
///
/// Reading goes through libpng's classic API in the small C target `CPNGDecode` (its
/// `setjmp`/`longjmp` error path must stay out of Swift frames): every colour type and bit
/// depth (grey 1/2/4/8/16, RGB 8/16, palette, tRNS, grey+alpha, RGBA, interlaced) decodes
/// to 8-bit RGBA, and alpha is composited over **white** in the stored values:
/// `c·a + 255·(1 − a)`. Colour management: stored sample values are taken as sRGB as they
/// are; gAMA, cHRM and iCCP chunks are not applied, as Pillow, pypng and most image tools
/// do. 16-bit samples are scaled to 8 bits by rounding (`png_set_scale_16`).
/// (libpng's simplified `png_image` reader was tried first: it applies gAMA and mis-decodes
/// interlaced 16-bit files, so it is used only for writing.)
///
/// Writing uses the simplified `png_image` API, which reports failures in
/// `png_image.message` instead of `longjmp`ing.
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
        var rgbaPointer: UnsafeMutablePointer<UInt8>?
        var width: UInt32 = 0, height: UInt32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBufferPointer { data in
            stylize_png_decode(data.baseAddress, data.count, UInt64(max(0, maxPixels)),
                               &rgbaPointer, &width, &height, &message, message.count)
        }
        if status == 2 {
            let mp = Double(width) * Double(height) / 1e6
            throw ImageError(path: path, reason: String(format: "image is %dx%d (%.0f megapixels), above the limit of %.0f megapixels; raise it with --max-megapixels",
                                                        Int(width), Int(height), mp, Double(maxPixels) / 1e6))
        }
        guard status == 0, let rgba = rgbaPointer else {
            let text = String(cString: message)
            throw ImageError(path: path, reason: text.isEmpty ? "invalid PNG data" : text)
        }
        defer { free(rgba) }
        let n = Int(width) * Int(height)
        var pixels = [Float](repeating: 0, count: n * 3)
        for p in 0..<n {
            let a = Float(rgba[4 * p + 3]) / 255
            for c in 0..<3 {
                pixels[3 * p + c] = Float(rgba[4 * p + c]) * a + 255 * (1 - a)
            }
        }
        return RGBImage(width: Int(width), height: Int(height), pixels: pixels)
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
}
