/// The YIQ opponent colour space (FCC NTSC, 1953) that Gatys et al. (CVPR 2017, §5.1) use
/// for luminance-only transfer: Y is luminance (Rec. 601 weights), I and Q the two chroma
/// axes. Linear in the stored (gamma-encoded sRGB) values, on the 0…255 scale, as the paper
/// and neural-style apply it: a colour's chroma (I, Q) is unchanged by adding the same
/// amount to R, G and B, which is what makes "keep the photo's I and Q, take the result's
/// Y" well defined.
public enum YIQ {
    /// RGB → YIQ, rows Y, I, Q.
    public static let fromRGB = Matrix3([[0.299, 0.587, 0.114],
                                         [0.595716, -0.274453, -0.321263],
                                         [0.211456, -0.522591, 0.311135]])
    /// YIQ → RGB, the exact inverse of `fromRGB` (not the rounded textbook coefficients,
    /// so a round trip is exact to rounding). Its first column is (1, 1, 1): changing Y
    /// adds the same amount to R, G and B.
    public static let toRGB = fromRGB.inverse

    /// Y of every pixel, row-major.
    public static func luminance(_ image: RGBImage) -> [Float] {
        let w = fromRGB.m[0].map(Float.init)
        return (0..<(image.width * image.height)).map { p in
            w[0] * image.pixels[3 * p] + w[1] * image.pixels[3 * p + 1] + w[2] * image.pixels[3 * p + 2]
        }
    }

    /// (I, Q) of every pixel: `[I0, Q0, I1, Q1, …]`.
    public static func chroma(_ image: RGBImage) -> [Float] {
        let i = fromRGB.m[1].map(Float.init), q = fromRGB.m[2].map(Float.init)
        var out = [Float](repeating: 0, count: 2 * image.width * image.height)
        for p in 0..<(image.width * image.height) {
            let r = image.pixels[3 * p], g = image.pixels[3 * p + 1], b = image.pixels[3 * p + 2]
            out[2 * p] = i[0] * r + i[1] * g + i[2] * b
            out[2 * p + 1] = q[0] * r + q[1] * g + q[2] * b
        }
        return out
    }

    /// A grey image (R = G = B) whose value is `y`: what the network sees in luminance mode.
    public static func grey(_ y: [Float], width: Int, height: Int) -> RGBImage {
        RGBImage(width: width, height: height, pixels: y.flatMap { [$0, $0, $0] })
    }

    /// The image with luminance `y` and the chroma of `chromaSource` (same size): §5.1's last
    /// step. Y is kept (clamped to 0…255) and so is the hue; where the chroma at that Y would
    /// push a channel out of 0…255, the chroma is scaled towards grey just enough to fit.
    /// Giving way in chroma rather than in Y keeps the painting's strokes: a dark stroke
    /// over a saturated red becomes a dark, less saturated red, not a lighter red (with Y
    /// given way instead, 15% of the pixels of coffee × sunflowers were lightened, up to 50
    /// levels). Clamping R, G, B separately would shift the hue.
    public static func combine(luminance y: [Float], chromaOf chromaSource: RGBImage) -> RGBImage {
        let n = chromaSource.width * chromaSource.height
        precondition(y.count == n, "luminance and chroma images differ in size")
        let iq = chroma(chromaSource)
        let t = toRGB.m
        var pixels = [Float](repeating: 0, count: 3 * n)
        for p in 0..<n {
            let i = Double(iq[2 * p]), q = Double(iq[2 * p + 1])
            let luma = min(max(Double(y[p]), 0), 255)
            // Channel k is Y + s·offset[k] (toRGB's first column is 1); s ≤ 1 is the largest
            // that keeps every channel in 0…255.
            var s = 1.0
            for k in 0..<3 {
                let offset = t[k][1] * i + t[k][2] * q
                if offset > 0 { s = min(s, (255 - luma) / offset) } else if offset < 0 { s = min(s, luma / -offset) }
            }
            for k in 0..<3 {
                pixels[3 * p + k] = Float(min(max(luma + s * (t[k][1] * i + t[k][2] * q), 0), 255))
            }
        }
        return RGBImage(width: chromaSource.width, height: chromaSource.height, pixels: pixels)
    }
}
