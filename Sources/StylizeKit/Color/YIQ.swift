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
    /// step. Where the new luminance would push a channel out of 0…255, Y is clamped into
    /// the range in which this chroma is representable (it always contains the source
    /// pixel's own Y), so the chroma is kept exactly and only the luminance gives way;
    /// clamping R, G, B separately instead would shift the hue of bright and dark pixels.
    public static func combine(luminance y: [Float], chromaOf chromaSource: RGBImage) -> RGBImage {
        let n = chromaSource.width * chromaSource.height
        precondition(y.count == n, "luminance and chroma images differ in size")
        let iq = chroma(chromaSource)
        let t = toRGB.m
        var pixels = [Float](repeating: 0, count: 3 * n)
        for p in 0..<n {
            let i = Double(iq[2 * p]), q = Double(iq[2 * p + 1])
            // Channel k is Y + offset[k] (toRGB's first column is 1).
            let offset = (0..<3).map { t[$0][1] * i + t[$0][2] * q }
            let low = -offset.min()!, high = 255 - offset.max()!
            let luma = low <= high ? min(max(Double(y[p]), low), high) : (low + high) / 2
            for k in 0..<3 { pixels[3 * p + k] = Float(min(max(luma + offset[k], 0), 255)) }
        }
        return RGBImage(width: chromaSource.width, height: chromaSource.height, pixels: pixels)
    }
}
