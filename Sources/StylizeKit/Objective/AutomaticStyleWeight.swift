/// `--style-weight auto`: β chosen from the images instead of fixed.
///
/// Gram magnitudes differ by orders of magnitude between paintings (a flat, saturated
/// painting has far larger early-layer Grams than a muted one), so one fixed β lets some
/// paintings wipe out the photo and barely touches others. Here each term is measured
/// against its own target's energy, the loss of an all-zero activation map in the same
/// normalisation:
///
/// - `P = mean over content layers of Σ F_l(C)² / (4·N_l·M_l)` (the photo's),
/// - `S = Σ_l w_l · Σ A_l² / (4·N_l²·M_l²)` (the blended painting Gram's),
///
/// so `L_c / P` and `L_s / S` are relative errors, and
///
///     β = ratio · α · P / S
///
/// makes the objective `α·P·(L_c/P + ratio·L_s/S) + γ·L_tv`: α keeps its meaning and
/// scale (and γ its share), while the style term weighs the same *relative* error equally
/// for every painting. β is recomputed at every scale from that scale's targets (both
/// energies are nearly size-invariant, so it changes little) and reported in the log.
public struct AutomaticStyleWeight: Sendable, Equatable {
    /// Weight of the relative style error against the relative content error.
    public var ratio: Double

    /// See `defaultRatio`.
    public init(ratio: Double = AutomaticStyleWeight.defaultRatio) { self.ratio = ratio }

    /// Chosen by measurement (README, *Default weights*): placeholder until measured.
    public static let defaultRatio = 1.0

    /// β for the given energies and content weight α.
    public func styleWeight(contentWeight: Double, contentEnergy: Double, styleEnergy: Double) -> Double {
        guard styleEnergy > 0, contentEnergy > 0 else { return 0 }
        return ratio * contentWeight * contentEnergy / styleEnergy
    }
}
