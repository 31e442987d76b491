import Foundation
import StylizeKernels

/// L-BFGS's initial inverse Hessian for an image: `H₀ = γ·M` with
/// `M = I + Σₖ cₖ·Bₖ²`, `Bₖ` a box blur of radius `rₖ` on each colour plane (`BoxBlur`,
/// zero-padded, so symmetric; `Bₖ²` is then positive semidefinite and `M` positive definite,
/// with eigenvalues between 1 and `1 + Σ cₖ`). A gradient's smooth part is amplified up to
/// `1 + Σ cₖ` times, its pixel-scale part not at all.
///
/// Why: the loss's curvature is high for pixel-scale changes (VGG's first layers and the
/// total variation react to them strongly) and low for changes spread over many pixels, so
/// plain L-BFGS, whose 10 curvature pairs cannot describe that spectrum, takes steps sized for
/// the fine detail and corrects the broad tones and shapes slowly. `M` scales the broad
/// components up, about as 1/frequency (Lucid's image parametrizations do the same for
/// gradient descent by scaling a Fourier basis). The radii are fixed fractions of the image's
/// longest side (1/64, 1/32, 1/16 and 1/8) with weights 2, 4, 8 and 16, so each scale of
/// the coarse-to-fine schedule is treated alike. Measured on china × harvesters at 512 px,
/// one scale from noise: the loss after 60 iterations falls from 1.636e4 to 1.452e4; weaker
/// or stronger weights, other radii, an added 1/4 radius and a luminance term were all worse
/// (README, *Evaluation*). One application costs 8 blurs, O(1) per value each.
///
/// The final scale of a coarse-to-fine run (`refining`) halves the fractions (1/128 … 1/16):
/// it starts from the upsampled coarse result, whose broad layout is settled, and what is
/// left to correct is finer. On six 512 px pairs (docs/EXPERIMENTS.md, *… the preconditioner's
/// radii at the final scale*) halved radii ended lower on five, the held-out retina × te fare
/// by 0.7–0.95 % on three seeds; doubled radii ended higher on all six, halved or doubled
/// weights moved the pairs by the seeds' spread, and halving the 256 px scale's radii as well
/// gave back most of the gain.
///
/// It works on the CPU engine's vectors, `(3, H, W)` planes of Floats; `apply` reuses its
/// own buffers, so an instance is used by one optimizer at a time.
public final class SmoothingPreconditioner {
    public let planes: Int, height: Int, width: Int
    public let radii: [Int]
    public let weights: [Float]
    let parallel: Parallel
    private var original: [Float], blurred: [Float], scratch: [Float]

    /// Radius fractions of the longest side and their weights (see the type's documentation).
    public static let standard: [(fraction: Double, weight: Float)] = [(1 / 64, 2), (1 / 32, 4), (1 / 16, 8), (1 / 8, 16)]
    /// The final scale's fractions: `standard`'s halved, the same weights.
    public static let refining: [(fraction: Double, weight: Float)] = standard.map { ($0.fraction / 2, $0.weight) }

    public init(planes: Int, height: Int, width: Int, radii: [Int], weights: [Float], parallel: Parallel) {
        precondition(radii.count == weights.count && radii.allSatisfy { $0 >= 1 } && weights.allSatisfy { $0 >= 0 })
        self.planes = planes; self.height = height; self.width = width
        self.radii = radii; self.weights = weights; self.parallel = parallel
        blurred = [Float](repeating: 0, count: planes * height * width)
        scratch = blurred
        original = blurred
    }

    /// The radii for a `height × width` image: `standard`'s fractions of its longest side, or
    /// `refining`'s at the final scale of a coarse-to-fine run.
    public static func standardRadii(height: Int, width: Int, refining: Bool = false) -> [Int] {
        let longest = Double(max(height, width))
        return (refining ? Self.refining : standard).map { max(1, Int(($0.fraction * longest).rounded())) }
    }

    /// The standard operator for a `(planes, height, width)` image (`refining`: see the type).
    public convenience init(planes: Int, height: Int, width: Int, refining: Bool = false, parallel: Parallel) {
        self.init(planes: planes, height: height, width: width,
                  radii: Self.standardRadii(height: height, width: width, refining: refining),
                  weights: Self.standard.map(\.weight), parallel: parallel)
    }

    /// `v ← M·v`.
    public func apply(_ v: inout [Float]) {
        precondition(v.count == blurred.count, "SmoothingPreconditioner: \(v.count) values for a \(planes)×\(height)×\(width) image")
        VectorMath.copy(v, into: &original, parallel: parallel)
        for (r, c) in zip(radii, weights) where c > 0 {
            VectorMath.copy(original, into: &blurred, parallel: parallel)
            BoxBlur.blur(&blurred, planes: planes, height: height, width: width, radius: r, scratch: &scratch, parallel: parallel)
            BoxBlur.blur(&blurred, planes: planes, height: height, width: width, radius: r, scratch: &scratch, parallel: parallel)
            VectorMath.axpy(c, blurred, &v, parallel: parallel)
        }
    }
}
