import CPNGDecode
import Foundation

/// Bits per sample of a written PNG (`--bit-depth`).
public enum PNGBitDepth: Int, Sendable, CaseIterable {
    /// 8 bits: the default; what every viewer and web page expects, a third of the size.
    case eight = 8
    /// 16 bits, straight from the float image: smooth gradients such as a sky do not band,
    /// and later editing has headroom.
    case sixteen = 16
}

extension PNGCodec {
    /// PNG bytes of `image` (values in `0...255`; rounded to nearest and clamped), RGBA
    /// when `alpha` is given and not fully opaque, otherwise RGB. 8 bits: `round(v)`;
    /// 16 bits: `round(v / 255 · 65535)`, so no value is a mere 8-bit level × 257. Alpha
    /// is scaled the same way. The file is tagged sRGB (sRGB chunk plus the recommended
    /// gAMA and cHRM), which is what the values are: inputs are converted to sRGB on read.
    ///
    /// Written with libpng's classic API (`png_encode.c`). Its simplified `png_image`
    /// writer takes 16-bit input as linear light and would re-encode the colours.
    public static func encode(_ image: RGBImage, alpha: AlphaPlane? = nil, bitDepth: PNGBitDepth = .eight) throws -> [UInt8] {
        let withAlpha = alpha.map { !$0.isOpaque } ?? false
        if let alpha { precondition(alpha.width == image.width && alpha.height == image.height, "alpha size must match the image") }
        let channels = withAlpha ? 4 : 3
        let scale: Float = bitDepth == .eight ? 1 : 65535 / 255
        let top: Float = bitDepth == .eight ? 255 : 65535
        func sample(_ v: Float) -> UInt16 { UInt16(min(max((v * scale).rounded(), 0), top)) }  // NaN → 0 (max)
        let n = image.width * image.height
        var samples = [UInt16](repeating: 0, count: n * channels)
        for p in 0..<n {
            for c in 0..<3 { samples[p * channels + c] = sample(image.pixels[3 * p + c]) }
            if withAlpha, let alpha { samples[p * channels + 3] = sample(alpha.values[p]) }
        }
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = samples.withUnsafeBufferPointer {
            stylize_png_encode($0.baseAddress, UInt32(image.width), UInt32(image.height), Int32(channels),
                               Int32(bitDepth.rawValue), &out, &size, &message, message.count)
        }
        guard status == 0, let out else {
            let text = String(cString: message)
            throw FileWriteError(path: "<memory>", reason: text.isEmpty ? "cannot encode PNG" : text)
        }
        defer { free(out) }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }

    /// Writes `image` (with `alpha`, at `bitDepth`; see `encode`) atomically (`AtomicFile`).
    public static func write(_ image: RGBImage, alpha: AlphaPlane? = nil, bitDepth: PNGBitDepth = .eight, to path: String) throws {
        let bytes: [UInt8]
        do { bytes = try encode(image, alpha: alpha, bitDepth: bitDepth) } catch let e as FileWriteError {
            throw FileWriteError(path: path, reason: e.reason)
        }
        try AtomicFile.write(bytes, to: path)
    }
}
