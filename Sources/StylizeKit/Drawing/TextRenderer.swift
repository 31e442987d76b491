import CFreeType
import Foundation

/// Draws text onto `RGBImage`s with FreeType and a TrueType font from Debian's
/// fonts-dejavu-core (`/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf`), for labels on
/// contact sheets and activation montages. This is the only file that imports FreeType.
public final class TextRenderer {
    /// Where the default font is looked up, in order.
    public static let defaultFontPaths = [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/local/share/fonts/DejaVuSans.ttf",
    ]

    public let pixelSize: Int
    private var library: FT_Library?
    private var face: FT_Face?

    /// Line height in pixels (ascender + descender), for laying out text.
    public private(set) var lineHeight: Int = 0
    private var ascender: Int = 0

    /// - Parameters:
    ///   - fontPath: a TrueType/OpenType file; nil looks through `defaultFontPaths`.
    ///   - pixelSize: nominal glyph height in pixels.
    public init(fontPath: String? = nil, pixelSize: Int = 12) throws {
        self.pixelSize = pixelSize
        guard let path = fontPath ?? TextRenderer.defaultFontPaths.first(where: FileSystem.exists) else {
            throw DrawingError("no font found (looked in \(TextRenderer.defaultFontPaths.joined(separator: ", "))); install fonts-dejavu-core")
        }
        guard FT_Init_FreeType(&library) == 0, let library else { throw DrawingError("cannot initialize FreeType") }
        guard FileName.withCString(path, { FT_New_Face(library, $0, 0, &face) }) == 0, let face else {
            FT_Done_FreeType(library)
            throw DrawingError("cannot load the font '\(path)'")
        }
        FT_Set_Pixel_Sizes(face, 0, FT_UInt(pixelSize))
        let metrics = face.pointee.size.pointee.metrics
        ascender = Int(metrics.ascender >> 6)
        lineHeight = Int((metrics.ascender - metrics.descender) >> 6)
    }

    deinit {
        if let face { FT_Done_Face(face) }
        if let library { FT_Done_FreeType(library) }
    }

    /// Width of `text` in pixels (sum of advances).
    public func width(of text: String) -> Int {
        guard let face else { return 0 }
        var w = 0
        for scalar in text.unicodeScalars where FT_Load_Char(face, FT_ULong(scalar.value), FT_Int32(FT_LOAD_DEFAULT)) == 0 {
            w += Int(face.pointee.glyph.pointee.advance.x >> 6)
        }
        return w
    }

    /// Draws `text` with its top-left corner at (`x`, `y`) (the line's top, not the baseline),
    /// blending anti-aliased glyph coverage with `color` (0…255 per channel). Clips at the edges.
    public func draw(_ text: String, on image: inout RGBImage, x: Int, y: Int, color: (Float, Float, Float) = (0, 0, 0)) {
        guard let face else { return }
        var penX = x
        let baseline = y + ascender
        for scalar in text.unicodeScalars {
            guard FT_Load_Char(face, FT_ULong(scalar.value), FT_Int32(FT_LOAD_RENDER)) == 0 else { continue }
            let glyph = face.pointee.glyph.pointee
            let bitmap = glyph.bitmap
            let left = penX + Int(glyph.bitmap_left), top = baseline - Int(glyph.bitmap_top)
            if let buffer = bitmap.buffer {
                for row in 0..<Int(bitmap.rows) {
                    let py = top + row
                    if py < 0 || py >= image.height { continue }
                    for col in 0..<Int(bitmap.width) {
                        let px = left + col
                        if px < 0 || px >= image.width { continue }
                        let a = Float(buffer[row * Int(bitmap.pitch) + col]) / 255
                        if a == 0 { continue }
                        let i = (py * image.width + px) * 3
                        image.pixels[i] += a * (color.0 - image.pixels[i])
                        image.pixels[i + 1] += a * (color.1 - image.pixels[i + 1])
                        image.pixels[i + 2] += a * (color.2 - image.pixels[i + 2])
                    }
                }
            }
            penX += Int(glyph.advance.x >> 6)
        }
    }
}

/// A drawing problem (missing font); one readable line.
public struct DrawingError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
