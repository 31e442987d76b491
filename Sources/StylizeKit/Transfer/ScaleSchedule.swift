import Foundation

/// The coarse-to-fine schedule of a run: the sizes it optimizes at, smallest first, and the
/// iterations at each (crowsonkb/style-transfer-pytorch steps by √2 from 128 px; with
/// L-BFGS and `SmoothingPreconditioner` a step of 2 does better for the time, see
/// `defaultFactor`).
///
/// The first scale's longest side is `minSize`; later ones grow geometrically by at most
/// `factor` up to `size`, the final scale: with the defaults, 128, 256 and 512 px.
/// Each side keeps the content's aspect ratio (rounded as `RGBImage.resized(longestSide:)`
/// rounds). Every scale but the last runs `coarseIterations`, the last runs `iterations`; when
/// that is not given (nil), `defaultIterations` after coarser scales, or
/// `defaultSingleScaleIterations` when the final scale is the only one.
///
/// Why coarse-to-fine: an evaluation costs in proportion to the pixel count, so an iteration
/// at 128 px costs 1/16 of one at 512 px (in practice 1/7: small layers use the cores less
/// well), and the large structures of the painting (where
/// the photo's shapes go, which colours fill them) form in far fewer iterations at a small
/// size. Each later scale starts from the previous result upsampled, with the photo's detail
/// between the two sizes added (`StyleTransfer.resizedImage(to:)`), so the expensive final
/// scale only refines strokes. A single-scale run from noise spends most of its iterations
/// on what the small scales settle cheaply.
///
/// A scale whose short side would leave the deepest layer empty (for example a 128 px first
/// scale of a 10:1 panorama) is dropped. With `minSize ≥ size`, or `iterations == 0`, the
/// schedule is the single final scale: the classic single-scale Gatys run.
public struct ScaleSchedule: Sendable, Equatable {
    public struct Scale: Sendable, Equatable {
        public let width: Int
        public let height: Int
        public let iterations: Int
        public init(width: Int, height: Int, iterations: Int) {
            self.width = width; self.height = height; self.iterations = iterations
        }
        public var longestSide: Int { Swift.max(width, height) }
        public var pixels: Int { width * height }
    }

    /// Smallest first; the last is the final size.
    public let scales: [Scale]

    /// 128 px: the smallest size at which VGG's relu5_1 (1/16 of the input) still has an 8×8
    /// map, so every style layer has spatial structure to correlate.
    public static let defaultMinSize = 128
    /// 2 between scales. On the 512 px pairs of `make eval` (README, *Evaluation*), with the
    /// fixed weights of the PyTorch comparison, the loss depends mostly on how many
    /// iterations the final scale gets: the upsampling to it multiplies the loss by 3–5
    /// whatever came before, and the coarse scales only have to settle the broad layout,
    /// which the preconditioner now does quickly. √2 steps (128, 181, 256, 362 px, 50
    /// iterations each, then 40 at 512 px) took the same time as 2 (40 at 128 and 256 px,
    /// then 70 at 512) and ended 7–11 % higher on china × harvesters and chelsea × starry night.
    public static let defaultFactor = 2.0
    /// Final-scale iterations: as many as keep a 512 px run within 0.15 of PyTorch's
    /// 300-iteration time on the 2-core development host (README, *Evaluation*). Each 10 more
    /// lower the loss by about 2.5 % there, for 12 % more time. 80 since an evaluation got
    /// about 7 % faster (docs/EXPERIMENTS.md, *A pool of spinning workers*): with 30 coarse
    /// iterations every 512 px pair of `make eval` ends below PyTorch's saved result, where
    /// 40 + 40 + 70 left two 1 % above it. 86 since the Winograd products moved to our own
    /// kernels with the weights packed once (`GEMMKernel`, about 5 % faster a run): the 6 more
    /// iterations fit in what that saved, and brought the held-out cameraman × starry night
    /// from 1.008 to 0.999 of PyTorch's score (docs/EXPERIMENTS.md, *The held-out squares once
    /// more*).
    public static let defaultIterations = 86
    /// Iterations of a single-scale run when none are given (the output size at or below
    /// `minSize`, as `--size 128` is with the defaults, or every coarser scale dropped). That
    /// scale starts from the initial image, not from an upsampled result, so the iterations that
    /// refine a final scale are too few for it (40 left it speckled). Measured on astronaut ×
    /// sunflowers (the demo pair) at 128 px: the loss is 1.44e5 after 40 iterations, 1.01e5 after 100, 9.3e4 after 150, 9.0e4
    /// after 200 and 8.7e4 after 300. 150 at 128 px cost about as much as 10 at 512 px.
    public static let defaultSingleScaleIterations = 150
    /// Iterations at each coarser scale: 30. On china × harvesters at 512 px, 35 per coarse
    /// scale with 70 final iterations ended as low as 50 with 65 (1.332e4 and 1.335e4) in
    /// less time; on the two pairs hardest for the final scale (chelsea × starry night,
    /// coffee × te fare) 30 + 30 + 80 ended 0.8 % and 0.9 % lower than 25 + 25 + 80 and
    /// 1.6 % and 1.4 % lower than 20 + 20 + 80 (docs/EXPERIMENTS.md). Together the 128 and
    /// 256 px scales cost about as much as 11 iterations at 512 px.
    public static let defaultCoarseIterations = 30

    /// - Parameters:
    ///   - width, height: the final image size (the content image resized to `size`).
    ///   - iterations: the final scale's, or nil for the defaults above.
    ///   - minimumSide: the smallest side the network accepts (`2^poolings` of the deepest layer).
    public init(width: Int, height: Int, minSize: Int, factor: Double, iterations: Int?,
                coarseIterations: Int, minimumSide: Int = 1) {
        precondition(width > 0 && height > 0 && minSize > 0 && factor > 1 && (iterations ?? 0) >= 0 && coarseIterations >= 0)
        let size = Swift.max(width, height)
        var scales: [Scale] = []
        if minSize < size && iterations != 0 {
            let steps = Int((log(Double(size) / Double(minSize)) / log(factor) - 1e-9).rounded(.up))
            let ratio = pow(Double(size) / Double(minSize), 1 / Double(steps))
            for i in 0..<steps {
                let side = Int((Double(minSize) * pow(ratio, Double(i))).rounded())
                let d = ScaleSchedule.dimensions(width: width, height: height, longestSide: side)
                if Swift.min(d.width, d.height) >= minimumSide && side < size && side != scales.last?.longestSide {
                    scales.append(Scale(width: d.width, height: d.height, iterations: coarseIterations))
                }
            }
        }
        let final = iterations ?? (scales.isEmpty ? Self.defaultSingleScaleIterations : Self.defaultIterations)
        self.scales = scales + [Scale(width: width, height: height, iterations: final)]
    }

    /// The schedule `settings` give a `width × height` output.
    public init(width: Int, height: Int, settings s: RunSettings, minimumSide: Int = 1) {
        self.init(width: width, height: height, minSize: s.minSize, factor: s.scaleFactor, iterations: s.iterations,
                  coarseIterations: s.coarseIterations, minimumSide: minimumSide)
    }

    /// Optimizer iterations over all scales.
    public var totalIterations: Int { scales.reduce(0) { $0 + $1.iterations } }

    /// The size of a `width × height` image resized so its longest side is `longestSide`,
    /// aspect ratio kept, the other side rounded to the nearest pixel (at least 1).
    public static func dimensions(width: Int, height: Int, longestSide: Int) -> (width: Int, height: Int) {
        let longest = Swift.max(width, height)
        if longest == longestSide { return (width, height) }
        let scale = Double(longestSide) / Double(longest)
        let w = width >= height ? longestSide : Swift.max(1, Int((Double(width) * scale).rounded()))
        let h = height > width ? longestSide : Swift.max(1, Int((Double(height) * scale).rounded()))
        return (w, h)
    }
}
