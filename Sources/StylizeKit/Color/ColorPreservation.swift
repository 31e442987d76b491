/// `--preserve-colors`: keep the photo's colours and take only the painting's strokes
/// (Gatys, Ecker, Bethge, Hertzmann & Shechtman, *Controlling Perceptual Factors in Neural
/// Style Transfer*, CVPR 2017, §5).
public enum ColorPreservation: String, Sendable, CaseIterable {
    /// The painting's colours, as in the plain Gatys run.
    case none
    /// §5.1, luminance-only transfer: the network sees grey images, the photo's luminance
    /// Y and the painting's Y with its mean and standard deviation matched to the photo's;
    /// the output is the result's Y, given the photo's luminance histogram, with
    /// the photo's chroma (I, Q; see `YIQ` and `ColorTransform.output`). Unlike
    /// neural-style's `-original_colors 1`, which swaps the luminance in after an ordinary
    /// colour transfer, the optimization itself never sees the painting's colours, so no
    /// stroke is drawn because of a colour the output then discards.
    case luminance
    /// §5.2, colour histogram matching: before the transfer, the painting is recoloured by
    /// `x' = A(x − μ_s) + μ_c` so its RGB mean and covariance equal the photo's (see
    /// `AffineColorMap`); the run then proceeds as usual with the recoloured painting, and
    /// the result is mapped to the photo's mean and covariance the same way.
    case histogram
}

/// The linear recolouring `x' = A(x − μ_s) + μ_c` that gives a source image (the painting)
/// the mean μ_c and covariance Σ_c of a target (the photo).
///
/// `A = Σ_c^½ · Σ_s^−½`, with symmetric square roots (the "image analogies" variant the
/// paper cites), not the Cholesky variant `A = L_c · L_s⁻¹`. Both give exactly the target
/// covariance (`A Σ_s Aᵀ = Σ_c`); they differ in which of the many such maps they pick.
/// The Cholesky factor depends on the order of the channels (R, G, B and B, G, R give
/// different recolourings of the same painting), the symmetric root does not: permuting or
/// rotating the colour axes permutes or rotates A with them. The eigen-decomposition also
/// gives one clear place to handle a painting whose colours lie (nearly) on a line or a
/// plane (a monochrome print): its variance in a missing direction is floored at
/// `varianceFloor` instead of dividing by a near-zero Cholesky pivot.
public struct AffineColorMap: Sendable {
    public let matrix: Matrix3
    public let sourceMean: [Double]
    public let targetMean: [Double]

    /// 1 level² (σ = 1 of 255): below this a colour direction holds only 8-bit rounding
    /// noise, which must not be stretched to the photo's spread. Every sample painting has
    /// all three eigenvalues above it (the smallest measured: 4.2 level², jupiter.png).
    public static let varianceFloor = 1.0

    public init(from source: ColorStatistics, to target: ColorStatistics) {
        matrix = target.covariance.symmetricPower(0.5, floor: 0)
            * source.covariance.symmetricPower(-0.5, floor: AffineColorMap.varianceFloor)
        sourceMean = source.mean
        targetMean = target.mean
    }

    /// The map applied to every pixel. Values are not clamped to 0…255: the recoloured
    /// painting only feeds the network, which takes any value, and clamping would undo the
    /// exact match of mean and covariance.
    public func apply(_ image: RGBImage) -> RGBImage {
        var out = image.pixels
        for p in 0..<(image.width * image.height) {
            let v = matrix.apply((Double(out[3 * p]) - sourceMean[0], Double(out[3 * p + 1]) - sourceMean[1],
                                  Double(out[3 * p + 2]) - sourceMean[2]))
            out[3 * p] = Float(v.0 + targetMean[0]); out[3 * p + 1] = Float(v.1 + targetMean[1])
            out[3 * p + 2] = Float(v.2 + targetMean[2])
        }
        return RGBImage(width: image.width, height: image.height, pixels: out)
    }
}

/// What a colour mode does to a run's images, fixed once from the photo and the paintings at
/// their working sizes and then applied at every scale (after resizing, so no resampling
/// clamps the recoloured values).
struct ColorTransform: Sendable {
    enum Style: Sendable {
        case unchanged
        /// `Y' = scale·Y + offset`, then grey.
        case luminance(scale: Float, offset: Float)
        case recolour(AffineColorMap)
    }
    let mode: ColorPreservation
    let styles: [Style]

    init(mode: ColorPreservation, content: RGBImage, styles: [RGBImage]) {
        self.mode = mode
        switch mode {
        case .none:
            self.styles = styles.map { _ in .unchanged }
        case .luminance:
            let (mc, sc) = ColorTransform.meanAndDeviation(YIQ.luminance(content))
            self.styles = styles.map { style in
                let (ms, ss) = ColorTransform.meanAndDeviation(YIQ.luminance(style))
                // A flat painting (σ below one level) is shifted, not stretched.
                let scale = ss >= 1 ? sc / ss : 1
                return .luminance(scale: Float(scale), offset: Float(mc - scale * ms))
            }
        case .histogram:
            let target = ColorStatistics(content)
            self.styles = styles.map { .recolour(AffineColorMap(from: ColorStatistics($0), to: target)) }
        }
    }

    /// The photo as the network sees it.
    func content(_ image: RGBImage) -> RGBImage {
        mode == .luminance ? YIQ.grey(YIQ.luminance(image), width: image.width, height: image.height) : image
    }

    /// Painting `index` as the network sees it.
    func style(_ index: Int, _ image: RGBImage) -> RGBImage {
        switch styles[index] {
        case .unchanged: return image
        case .luminance(let scale, let offset):
            return YIQ.grey(YIQ.luminance(image).map { scale * $0 + offset }, width: image.width, height: image.height)
        case .recolour(let map): return map.apply(image)
        }
    }

    /// The image to save from a generated image, `photo` being the photo at the same size.
    ///
    /// The colour modes promise the photo's colour statistics, and the run alone does not
    /// deliver them: an optimization from noise builds contrast slowly. Coffee × sunflowers
    /// at 256 px, grey images as luminance mode feeds the network (the painting's Y already
    /// at the photo's σ of 57 levels): the generated Y has σ 38 after the default 140
    /// iterations and 47 after 600 at one scale, still rising; content alone gives 36 and
    /// style alone 39, so neither loss is at fault. So each mode ends as it began, with a
    /// match to the photo: luminance mode gives the generated Y the photo's histogram (the
    /// painting's Y was given the photo's mean and σ before the run; a mean and σ match here
    /// clipped the stretched tails, σ 53 of 57) and puts the photo's chroma back; histogram mode
    /// maps the generated colours to the photo's mean and covariance (as the painting's
    /// were). The loss the run reports is that of the generated image itself.
    func output(_ generated: RGBImage, photo: RGBImage) -> RGBImage {
        switch mode {
        case .none:
            return generated
        case .luminance:
            let matched = ColorTransform.histogramMatched(YIQ.luminance(generated), to: YIQ.luminance(photo))
            return YIQ.combine(luminance: matched, chromaOf: photo)
        case .histogram:
            let map = AffineColorMap(from: ColorStatistics(generated), to: ColorStatistics(photo))
            let out = map.apply(generated)
            return RGBImage(width: out.width, height: out.height, pixels: out.pixels.map { min(max($0, 0), 255) })
        }
    }

    /// `values` remapped, keeping their order, so that their histogram is `target`'s (same
    /// count): the k-th smallest value becomes the k-th smallest target. Ties keep their
    /// index order, so the result is deterministic.
    static func histogramMatched(_ values: [Float], to target: [Float]) -> [Float] {
        precondition(values.count == target.count, "histogram match needs equal counts")
        let order = values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
        let sorted = target.sorted()
        var out = [Float](repeating: 0, count: values.count)
        for (rank, index) in order.enumerated() { out[index] = sorted[rank] }
        return out
    }

    static func meanAndDeviation(_ v: [Float]) -> (Double, Double) {
        let n = Double(v.count)
        let mean = v.reduce(0.0) { $0 + Double($1) } / n
        let variance = v.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        return (mean, variance.squareRoot())
    }
}
