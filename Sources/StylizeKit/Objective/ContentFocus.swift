/// `--content-focus`: how the content term weighs the positions of a content layer.
///
/// Gatys et al.'s content term counts every position alike: `Σ_x Σ_c (F − P)²`. On a photo
/// whose features are sparse, a deep-sky image with small galaxies on black, nearly all of
/// that sum is the empty sky asking for zero activations, which the painting's strokes
/// overrule anyway, and the few positions that hold the galaxies weigh too little to keep
/// them: under the stained glass or the ink lines, at `--style-weight auto`, the galaxies
/// were gone while the content ratio (0.20, 0.28) said the photo was well kept.
///
/// `energy` weighs each position `x` by the photo's feature energy there, relative to the
/// layer's mean:
///
///     w_x = e_x / mean(e),   e_x = Σ_c P_cx²,   L_c = Σ_x w_x Σ_c (F_cx − P_cx)² / (4 N M)
///
/// so the weights average 1 and an image whose error is spread evenly scores as before,
/// while the style is free where the photo has nothing (a black sky, a blank wall) and the
/// photo's objects hold. The photo's content energy `E_c` (`AutomaticStyleWeight`'s unit)
/// stays the unweighted one, so β is chosen as before.
///
/// `auto`, the default, is `energy` with `--style-weight auto` and `uniform` with a fixed β,
/// so an explicit β keeps Gatys et al.'s objective exactly (and the comparisons with PyTorch,
/// which use one). Measurements: README, *Evaluation*, and docs/EXPERIMENTS.md.
public enum ContentFocus: String, Sendable, CaseIterable {
    /// `energy` with `--style-weight auto`, `uniform` with a fixed β.
    case auto
    /// Every position alike: Gatys et al.'s content term.
    case uniform
    /// Each position weighted by the photo's feature energy there (mean weight 1).
    case energy

    /// What the run uses: `auto` resolved by whether β is chosen automatically.
    public func resolved(automaticStyleWeight: Bool) -> ContentFocus {
        guard self == .auto else { return self }
        return automaticStyleWeight ? .energy : .uniform
    }

    /// `w_x = e_x / mean(e)` with `e_x = Σ_c P_cx²`, for a target `P` of `channels` planes
    /// (channel-major, `target.count / channels` positions each). All 1 when the target is all
    /// zeros (no position has more of the photo than another).
    public static func energyWeights(target: [Float], channels: Int) -> [Float] {
        precondition(channels > 0 && target.count % channels == 0, "the target must be whole planes")
        let m = target.count / channels
        var e = [Double](repeating: 0, count: m)
        for c in 0..<channels {
            for x in 0..<m {
                let v = Double(target[c * m + x])
                e[x] += v * v
            }
        }
        let mean = e.reduce(0, +) / Double(max(1, m))
        guard mean > 0, mean.isFinite else { return [Float](repeating: 1, count: m) }
        return e.map { Float($0 / mean) }
    }
}
