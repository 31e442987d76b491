/// The opacity of an image, kept beside its colours (which are composited over white, so
/// that the network sees what a viewer on a white page sees) and written back on output.
///
/// Layout: row-major `(H, W)`, `values[y * width + x]`. Units: the colour scale, `0...255`,
/// 255 opaque and 0 fully transparent, so that the same resampler and the same rounding
/// serve both (a 16-bit alpha `a` is `a · 255 / 65535`).
public struct AlphaPlane: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// `width * height` values in `0...255`.
    public let values: [Float]

    public init(width: Int, height: Int, values: [Float]) {
        precondition(width > 0 && height > 0, "alpha dimensions must be positive")
        precondition(values.count == width * height, "alpha count does not match \(width)x\(height)")
        self.width = width
        self.height = height
        self.values = values
    }

    /// True when every value is 255: such an image is written as RGB.
    public var isOpaque: Bool { values.allSatisfy { $0 >= 255 } }

    /// Resampled to `width × height` with the very resampler the colours use
    /// (`RGBImage.resized`, Lanczos-3, clamped to `0...255`), so that edges of opacity stay
    /// on the edges of what they cover. The plane rides in the red channel of a scratch
    /// image (three times the memory of the plane, once per run).
    public func resized(width w: Int, height h: Int) -> AlphaPlane {
        if w == width && h == height { return self }
        var carrier = [Float](repeating: 0, count: values.count * 3)
        for (i, v) in values.enumerated() { carrier[3 * i] = v }
        let scaled = RGBImage(width: width, height: height, pixels: carrier).resized(width: w, height: h)
        return AlphaPlane(width: w, height: h, values: (0..<(w * h)).map { scaled.pixels[3 * $0] })
    }
}

/// A decoded image file (PNG, JPEG or WebP): its colours (alpha composited over white, as
/// the network sees them) and, when the file has an alpha channel or tRNS that is not fully
/// opaque, its alpha.
public struct DecodedImage: Sendable {
    public var image: RGBImage
    /// nil for an opaque file: no alpha channel, or every alpha value at its maximum.
    public var alpha: AlphaPlane?

    public init(image: RGBImage, alpha: AlphaPlane?) {
        self.image = image
        self.alpha = alpha
    }

    /// From `width × height` pixels of 16-bit sRGB RGBA (what every decoder produces): each
    /// value `v` becomes `v · 255 / 65535` (an 8-bit `v`, stored as `v · 257`, comes out
    /// exactly `v`), and colours are composited over white, `c·a + 255·(1 − a)`.
    init(rgba16 rgba: UnsafePointer<UInt16>, width: Int, height: Int) {
        let n = width * height
        var pixels = [Float](repeating: 0, count: n * 3)
        var alpha = [Float](repeating: 255, count: n)
        var opaque = true
        for p in 0..<n {
            let stored = rgba[4 * p + 3]
            let a = Float(stored) / 65535
            if stored != 65535 { opaque = false; alpha[p] = Float(stored) / 257 }
            for c in 0..<3 {
                pixels[3 * p + c] = Float(rgba[4 * p + c]) / 257 * a + 255 * (1 - a)
            }
        }
        self.image = RGBImage(width: width, height: height, pixels: pixels)
        self.alpha = opaque ? nil : AlphaPlane(width: width, height: height, values: alpha)
    }
}
