import Foundation

/// Image files in, whatever their format: the one reader runs, batches and visualizations
/// use. The format is taken from the file's signature (`ImageFormat.detect`), never from
/// its name; a file with no known signature is refused with one line naming the formats
/// that are read (PNG, JPEG and WebP).
///
/// Every format goes through the same limits: a regular file (`BoundedFile`) of at most
/// `maxFileBytes(maxPixels:)`, `width × height` at most `maxPixels` and, when a
/// `WorkingSize` is given, a size usable at it, both from the header, before any pixel is
/// decoded. The EXIF orientation (JPEG, WebP) is applied first of all: sizes, working-size
/// checks and the decoded image are the upright photo's. Colours come out in sRGB (embedded
/// ICC profiles converted with LittleCMS), alpha composited over white and returned beside
/// them (`DecodedImage`).
///
/// - PNG: `PNGCodec` (libpng).
/// - JPEG: baseline, progressive (at most 500 scans) and arithmetic-coded, 8-bit; grey,
///   YCbCr/RGB, and CMYK/YCCK with an embedded profile (Adobe's inverted CMYK when the
///   file has Adobe's APP14 marker). ICC profiles split over several APP2 markers are
///   reassembled. The data must be complete: a truncated or corrupt file is refused rather
///   than shown half grey. 12-bit and lossless JPEG are refused (libjpeg-turbo's 8-bit API).
/// - WebP: lossy, lossless and with alpha, extended files with ICCP and EXIF chunks;
///   animated files are refused.
public enum ImageFile {
    /// The largest file accepted with `maxPixels`, for every format: PNG's bound (9 bytes a
    /// pixel plus 16 MB, see `PNGCodec.maxFileBytes`), which is also above any JPEG or WebP
    /// within the pixel limit (a 4:4:4 JPEG of noise at quality 100 takes about 4 bytes a
    /// pixel, a lossless WebP of noise about 4 as well; metadata such as a 16 MB ICC
    /// profile fits in the 16 MB).
    public static func maxFileBytes(maxPixels: Int) -> Int { PNGCodec.maxFileBytes(maxPixels: maxPixels) }

    /// The image at `path`, decoded (see the type). Throws `ImageError` (one line). `warn`
    /// gets one line, naming the file, for a problem that does not stop the read (an
    /// invalid PNG colour chunk ignored, see `PNGCodec.read`).
    public static func read(path: String, maxPixels: Int = PNGCodec.defaultMaxPixels,
                            workingSize: WorkingSize? = nil, warn: (String) -> Void = { _ in }) throws -> DecodedImage {
        try decode(bytes(of: path, maxPixels: maxPixels), path: path, maxPixels: maxPixels, workingSize: workingSize, warn: warn)
    }

    /// The upright width and height of the image at `path`, from its header (and EXIF
    /// orientation); no pixel is decoded. Read with the same bound as `read`.
    public static func dimensions(path: String, maxPixels: Int = PNGCodec.defaultMaxPixels) throws -> (width: Int, height: Int) {
        try header(bytes(of: path, maxPixels: maxPixels), path: path, maxPixels: maxPixels)
    }

    /// Decodes the bytes of an image file; `path` is only used in error messages.
    public static func decode(_ bytes: [UInt8], path: String, maxPixels: Int = PNGCodec.defaultMaxPixels,
                              workingSize: WorkingSize? = nil, warn: (String) -> Void = { _ in }) throws -> DecodedImage {
        let format = try self.format(of: bytes, path: path)
        if format == .png {
            return try PNGCodec.decodeWithAlpha(bytes, path: path, maxPixels: maxPixels, workingSize: workingSize, warn: warn)
        }
        if let workingSize {
            let size = try header(bytes, path: path, maxPixels: maxPixels)
            if let problem = workingSize.problem(width: size.width, height: size.height) {
                throw ImageError(path: path, reason: problem)
            }
        }
        return try PhotoCodec.decode(bytes, format: format, path: path, maxPixels: maxPixels)
    }

    /// The format of `bytes`, from their signature, or an `ImageError` naming the formats read.
    public static func format(of bytes: [UInt8], path: String) throws -> ImageFormat {
        guard let format = ImageFormat.detect(bytes) else {
            throw ImageError(path: path, reason: "not a \(ImageFormat.supportedNames) file (unknown signature)")
        }
        return format
    }

    private static func header(_ bytes: [UInt8], path: String, maxPixels: Int) throws -> (width: Int, height: Int) {
        let format = try self.format(of: bytes, path: path)
        if format == .png { return try PNGCodec.dimensions(bytes, path: path, maxPixels: maxPixels) }
        let h = try PhotoCodec.header(bytes, format: format, path: path, maxPixels: maxPixels)
        return (h.width, h.height)
    }

    /// The file at `path` (a regular file of at most `maxFileBytes(maxPixels:)`), or `ImageError`.
    static func bytes(of path: String, maxPixels: Int) throws -> [UInt8] {
        do {
            return try BoundedFile.read(path, maxBytes: maxFileBytes(maxPixels: maxPixels), what: "an image within the pixel limit")
        } catch let failure as BoundedFile.Failure {
            throw ImageError(path: path, reason: failure.reason)
        }
    }
}
