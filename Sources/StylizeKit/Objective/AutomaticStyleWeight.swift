/// `--style-weight auto`: β chosen from the images instead of fixed.
///
/// Gram magnitudes differ by orders of magnitude between paintings (a flat, saturated
/// painting has far larger Grams than a muted one), so one fixed β lets some paintings wipe
/// out the photo and barely touches others. Here each term is measured against the distance
/// between the two inputs in that term's own units:
///
/// - `D_c = L_c(painting)`: the content loss of the painting itself (stretched to the
///   photo's size), how far "no photo at all" is in content terms;
/// - `D_s = L_s(photo)`: the style loss of the photo itself, how far "no painting at all" is
///   in style terms;
///
/// so that `L_c / D_c` and `L_s / D_s` say how much of the way from the other image the
/// result still is, and
///
///     β = ratio · α · D_c / D_s
///
/// makes the objective `α·D_c·(L_c/D_c + ratio·L_s/D_s) + γ·L_tv`: α and γ keep their
/// meaning, and every photo and painting pair is balanced alike. With several paintings,
/// `D_c` is their blend-weighted mean. β is computed at every scale from that scale's
/// images (two or more forward passes, no gradient) and reported in the log.
///
/// A first version normalised by the targets' own energies (`Σ F(C)²`, `Σ A²`, the terms at
/// all-zero activations) and over-corrected: the stained glass then kept too little style
/// (style loss 0.12 of the photo's) and jupiter too little photo (content 0.52 of the
/// painting's); see the README's *Default weights*.
public struct AutomaticStyleWeight: Sendable, Equatable {
    /// Weight of the relative style distance against the relative content distance.
    public var ratio: Double

    /// See `defaultRatio`.
    public init(ratio: Double = AutomaticStyleWeight.defaultRatio) { self.ratio = ratio }

    /// 3, from measurement (README, *Default weights*; astronaut photo). In these units the
    /// old fixed β = 1e-3 amounted to 6–9 on the six shared oil paintings and 3.7–12 on
    /// bedroom, jupiter and sunflowers, all of which kept the photo, but to 25 on the tiger
    /// and 183 on the stained glass, which lost it (content 0.58 and 0.92 of the painting's). The energy-normalised first version gave
    /// 0.43 on the stained glass (style 0.12 of the photo's: too little) and 26 on jupiter
    /// (content 0.52 of the painting's at 128 px: too much). At 4, a dark, smooth,
    /// nearly monochrome painting (`DefaultWeightsTests`' nocturne) kept 0.508 of the
    /// photo's distance at 128 px, just over the half allowed, while the most style-starved
    /// painting (the stained glass) had 0.043 of the photo's style loss, far under a tenth:
    /// 3 moves toward the photo where the margin is thin.
    public static let defaultRatio = 3.0

    /// β for content weight α, the painting's content loss `D_c` and the photo's style loss `D_s`.
    public func styleWeight(contentWeight: Double, paintingContentLoss: Double, photoStyleLoss: Double) -> Double {
        guard photoStyleLoss > 0, paintingContentLoss > 0, photoStyleLoss.isFinite, paintingContentLoss.isFinite else { return 0 }
        return ratio * contentWeight * paintingContentLoss / photoStyleLoss
    }

    /// Sets `objective`'s β for one scale: `D_s` is the photo (`photo`, preprocessed)
    /// scored as the output, `D_c` each painting stretched to `width × height` scored
    /// against the photo, blended by `blend` (normalized). With masks each region is balanced
    /// against its own painting: `β_i` from that painting's `D_c` and the photo's style loss
    /// in its region, and `β = Σ b_i·β_i` with region weights `b_i·β_i / β`.
    func choose(for objective: StyleTransferObjective, photo: Tensor3, images: TransferImages, blend: [Double],
                meanBGR: [Float], width: Int, height: Int) throws {
        let photoStyle = try objective.evaluate(photo, gradient: false).terms.style
        let regionStyle = objective.lastStyleLossPerRegion
        let paintingContent = try blend.indices.map { i in
            let painting = Preprocessing.tensor(from: images.styleCovering(i, width: width, height: height), meanBGR: meanBGR)
            return try objective.evaluate(painting, gradient: false).terms.content
        }
        let α = objective.weights.content
        if let regionStyle {
            let betas = blend.indices.map {
                styleWeight(contentWeight: α, paintingContentLoss: paintingContent[$0], photoStyleLoss: regionStyle[$0])
            }
            let beta = zip(blend, betas).reduce(0) { $0 + $1.0 * $1.1 }
            objective.weights.style = beta
            if beta > 0 { objective.setRegionWeights(zip(blend, betas).map { $0 * $1 / beta }) }
        } else {
            let blended = zip(blend, paintingContent).reduce(0) { $0 + $1.0 * $1.1 }
            objective.weights.style = styleWeight(contentWeight: α, paintingContentLoss: blended, photoStyleLoss: photoStyle)
        }
    }
}
