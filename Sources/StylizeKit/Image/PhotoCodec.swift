import CPNGDecode
import CPhotoCodec
import Foundation

/// JPEG and WebP files in, through the C decoders of `CPhotoCodec` (libjpeg-turbo, libwebp):
/// this file is the only Swift file that calls them for reading. Each decode is finished
/// here the same way for both formats, in this order:
///
/// 1. the stored samples (16-bit, `v · 257`), the embedded ICC profile and the EXIF block
///    come from C; `width × height` was checked against `maxPixels` from the header first;
/// 2. the ICC profile, if any, converts the samples to sRGB with the PNG path's LittleCMS
///    code (`stylize_icc_to_srgb`, relative colorimetric, floating point). A CMYK JPEG
///    must have one: it is refused otherwise (see `decode`);
/// 3. RGBA becomes float colours composited over white and an `AlphaPlane` (WebP), as for
///    PNG (`DecodedImage(rgba16:)`);
/// 4. the EXIF orientation turns colours and alpha upright.
enum PhotoCodec {
    typealias Decoder = (UnsafePointer<UInt8>?, Int, UInt64, Int32, UnsafeMutablePointer<stylize_photo>?,
                         UnsafeMutablePointer<CChar>?, Int) -> Int32

    static func decoder(_ format: ImageFormat) -> Decoder {
        precondition(format != .png, "PNG has its own decoder (PNGCodec)")
        return format == .jpeg ? stylize_jpeg_decode : stylize_webp_decode
    }

    /// Runs the C decoder on `bytes`; `body` gets the result, which is freed afterwards.
    private static func withPhoto<T>(_ bytes: [UInt8], format: ImageFormat, path: String, maxPixels: Int, headerOnly: Bool,
                                     _ body: (inout stylize_photo) throws -> T) throws -> T {
        var photo = stylize_photo()
        var message = [CChar](repeating: 0, count: 320)
        let status = bytes.withUnsafeBufferPointer {
            decoder(format)($0.baseAddress, $0.count, UInt64(max(0, maxPixels)), headerOnly ? 1 : 0, &photo, &message, message.count)
        }
        if status == 2 {
            throw ImageError.tooLarge(path: path, width: Int(photo.width), height: Int(photo.height), maxPixels: maxPixels)
        }
        guard status == 0 else {
            let text = String(cString: message)
            throw ImageError(path: path, reason: text.isEmpty ? "invalid \(format.name) data" : text)
        }
        defer { stylize_photo_free(&photo) }
        return try body(&photo)
    }

    private static func orientation(of photo: stylize_photo) -> ExifOrientation {
        guard let exif = photo.exif, photo.exif_size > 0 else { return .up }
        return ExifOrientation(exif: Array(UnsafeBufferPointer(start: exif, count: photo.exif_size)))
    }

    /// The upright size (EXIF orientation applied) from the header, and the orientation.
    static func header(_ bytes: [UInt8], format: ImageFormat, path: String, maxPixels: Int) throws
        -> (width: Int, height: Int, orientation: ExifOrientation) {
        try withPhoto(bytes, format: format, path: path, maxPixels: maxPixels, headerOnly: true) { photo in
            let turn = orientation(of: photo)
            let size = turn.uprightSize(width: Int(photo.width), height: Int(photo.height))
            return (size.width, size.height, turn)
        }
    }

    /// The whole decode (see the type). A CMYK JPEG without an ICC profile is refused: CMYK
    /// values mean nothing without the press they were separated for, and the naive
    /// `R = 255·(1 − C)(1 − K)` makes a press file's colours far too bright and saturated,
    /// which is the silent wrong-colour result the PNG path refuses too. Such files are
    /// rare: the applications that write CMYK JPEGs embed their profile.
    static func decode(_ bytes: [UInt8], format: ImageFormat, path: String, maxPixels: Int) throws -> DecodedImage {
        try withPhoto(bytes, format: format, path: path, maxPixels: maxPixels, headerOnly: false) { photo in
            guard let pixels = photo.pixels else { throw ImageError(path: path, reason: "invalid \(format.name) data") }
            let cmyk = photo.space == Int32(STYLIZE_SPACE_CMYK)
            if let icc = photo.icc, photo.icc_size > 0 {
                var message = [CChar](repeating: 0, count: 256)
                let status = stylize_icc_to_srgb(icc, photo.icc_size, photo.space, pixels, photo.width, photo.height,
                                                 &message, message.count)
                guard status == 0 else { throw ImageError(path: path, reason: String(cString: message)) }
            } else if cmyk {
                throw ImageError(path: path, reason: "is a CMYK JPEG without an embedded colour profile, so its colours are unknown; convert it to RGB first (e.g. with the profile of the press it was made for)")
            }
            return DecodedImage(rgba16: pixels, width: Int(photo.width), height: Int(photo.height))
                .oriented(orientation(of: photo))
        }
    }
}
