import CPNGDecode
import CPhotoCodec
import Foundation

/// JPEG and WebP out, through `CPhotoCodec`'s C encoders (the only Swift file that calls
/// them), each file carrying LittleCMS's sRGB ICC profile: the values are sRGB (every input
/// is converted on reading), and saying so keeps colour-managed viewers from guessing.
enum PhotoEncoder {
    /// LittleCMS's sRGB profile (`cmsCreate_sRGBProfile`, `cmsSaveProfileToMem`, creation
    /// date zeroed so that outputs are reproducible), made once.
    static let sRGBProfile: [UInt8] = {
        var bytes: UnsafeMutablePointer<UInt8>?
        var size = 0
        guard stylize_srgb_profile(&bytes, &size) == 0, let bytes else { return [] }
        defer { free(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: size))
    }()

    /// `v` in `0...255` as a byte: rounded to nearest, clamped; NaN gives 0.
    @inline(__always) static func byte(_ v: Float) -> UInt8 { UInt8(min(max(v.rounded(), 0), 255)) }

    static func jpeg(_ image: RGBImage, quality: Int) throws -> [UInt8] {
        let samples = image.pixels.map(byte)
        return try run("JPEG") { out, size, message, count in
            samples.withUnsafeBufferPointer { rgb in
                sRGBProfile.withUnsafeBufferPointer { icc in
                    stylize_jpeg_encode(rgb.baseAddress, UInt32(image.width), UInt32(image.height), Int32(quality),
                                        icc.baseAddress, icc.count, out, size, message, count)
                }
            }
        }
    }

    static func webp(_ image: RGBImage, alpha: AlphaPlane?, quality: Int) throws -> [UInt8] {
        let n = image.width * image.height
        var samples = [UInt8](repeating: 255, count: n * 4)
        for p in 0..<n {
            for c in 0..<3 { samples[4 * p + c] = byte(image.pixels[3 * p + c]) }
            if let alpha { samples[4 * p + 3] = byte(alpha.values[p]) }
        }
        return try run("WebP") { out, size, message, count in
            samples.withUnsafeBufferPointer { rgba in
                sRGBProfile.withUnsafeBufferPointer { icc in
                    stylize_webp_encode(rgba.baseAddress, UInt32(image.width), UInt32(image.height), alpha == nil ? 0 : 1,
                                        Int32(quality), icc.baseAddress, icc.count, out, size, message, count)
                }
            }
        }
    }

    /// Calls an encoder and takes over its malloc'ed output; `FileWriteError` on failure.
    private static func run(_ name: String, _ encode: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, UnsafeMutablePointer<Int>,
                                                      UnsafeMutablePointer<CChar>, Int) -> Int32) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = message.withUnsafeMutableBufferPointer { encode(&out, &size, $0.baseAddress!, $0.count) }
        guard status == 0, let out else {
            let text = String(cString: message)
            throw FileWriteError(path: "<memory>", reason: text.isEmpty ? "cannot encode \(name)" : text)
        }
        defer { free(out) }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }
}
