import CPNGDecode

extension PNGCodec {
    /// Width and height from the PNG at `path`'s header (libpng reads the chunks up to the
    /// image data; no pixel is decoded). The file is read with the same bound as `read`.
    /// Throws `ImageError` (one line).
    public static func dimensions(path: String, maxPixels: Int = defaultMaxPixels) throws -> (width: Int, height: Int) {
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path, maxBytes: maxFileBytes(maxPixels: maxPixels), what: "a PNG within the pixel limit")
        } catch let failure as BoundedFile.Failure {
            throw ImageError(path: path, reason: failure.reason)
        }
        var width: UInt32 = 0, height: UInt32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBufferPointer {
            stylize_png_header($0.baseAddress, $0.count, UInt64(max(0, maxPixels)), &width, &height, &message, message.count)
        }
        switch status {
        case 0: return (Int(width), Int(height))
        case 2: throw ImageError(path: path, reason: "image is \(width)x\(height), above the limit of \(maxPixels / 1_000_000) megapixels; raise it with --max-megapixels")
        default:
            let text = String(cString: message)
            throw ImageError(path: path, reason: text.isEmpty ? "invalid PNG data" : text)
        }
    }
}
