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

    /// The largest file accepted with `maxPixels`: what the biggest valid PNG within the
    /// limit can take. 16-bit RGBA stored uncompressed is 8 bytes a pixel, plus a filter
    /// byte a row and 5 bytes per 64 KB deflate block, so 9 bytes a pixel; plus 16 MB of
    /// ancillary chunks. 466 MB at the default 50 megapixels. Anything larger is refused
    /// from its size, before a byte is read.
    public static func maxFileBytes(maxPixels: Int) -> Int {
        let (pixelBytes, overflow) = max(0, maxPixels).multipliedReportingOverflow(by: 9)
        return overflow || pixelBytes > Int.max - 16_000_000 ? Int.max : pixelBytes + 16_000_000
    }

    /// Decodes the PNG at `path`, a regular file (see `BoundedFile`) of at most
    /// `maxFileBytes(maxPixels:)`. Checks `width × height` against `maxPixels`, and the size
    /// against `workingSize` when given, from the header, before any pixel memory is
    /// allocated. Throws `ImageError` (one line) on any failure.
    public static func read(path: String, maxPixels: Int = defaultMaxPixels, workingSize: WorkingSize? = nil) throws -> RGBImage {
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path, maxBytes: maxFileBytes(maxPixels: maxPixels), what: "a PNG within the pixel limit")
        } catch let failure as BoundedFile.Failure {
            throw ImageError(path: path, reason: failure.reason)
        }
        return try decode(bytes, path: path, maxPixels: maxPixels, workingSize: workingSize)
    }

    /// Decodes PNG bytes; `path` is only used in error messages. Limits as for `read`.
    public static func decode(_ bytes: [UInt8], path: String, maxPixels: Int = defaultMaxPixels,
                              workingSize: WorkingSize? = nil) throws -> RGBImage {
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
            throw ImageError(path: path, reason: "not a PNG file (bad signature)")
        }
        let limit = UInt64(max(0, maxPixels))
        var width: UInt32 = 0, height: UInt32 = 0
        var message = [CChar](repeating: 0, count: 256)
        func failure(_ status: Int32) -> ImageError {
            if status == 2 {
                let mp = Double(width) * Double(height) / 1e6
                return ImageError(path: path, reason: String(format: "image is %dx%d (%.0f megapixels), above the limit of %.0f megapixels; raise it with --max-megapixels",
                                                             Int(width), Int(height), mp, Double(maxPixels) / 1e6))
            }
            let text = String(cString: message)
            return ImageError(path: path, reason: text.isEmpty ? "invalid PNG data" : text)
        }
        if let workingSize {
            let status = bytes.withUnsafeBufferPointer {
                stylize_png_header($0.baseAddress, $0.count, limit, &width, &height, &message, message.count)
            }
            guard status == 0 else { throw failure(status) }
            if let problem = workingSize.problem(width: Int(width), height: Int(height)) {
                throw ImageError(path: path, reason: problem)
            }
        }
        var rgbaPointer: UnsafeMutablePointer<UInt8>?
        let status = bytes.withUnsafeBufferPointer { data in
            stylize_png_decode(data.baseAddress, data.count, limit, &rgbaPointer, &width, &height, &message, message.count)
        }
        guard status == 0, let rgba = rgbaPointer else { throw failure(status) }
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
