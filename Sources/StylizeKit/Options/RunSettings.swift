/// The values of every run option: what shapes one style-transfer run, as typed values with
/// their defaults. Each is declared as an option, once, in `RunOption` (key, help, range,
/// whether a sweep may vary it); the command line, sweeps, batch records, `--resume`, the
/// report, help, the man page and the completions all derive from that declaration.
///
/// The defaults are the command line's: `RunSettings()` is a run with no option given.
public struct RunSettings: Sendable, Equatable {
    /// Longest side of the output image in pixels (16…8192). 512 is what Gatys et al. and
    /// neural-style use: large enough for brush strokes to read.
    public var size = 512
    /// Longest side of the first scale of the coarse-to-fine schedule (see `ScaleSchedule`);
    /// at or above `size`, a single-scale run at `size`, the classic Gatys run.
    public var minSize = ScaleSchedule.defaultMinSize
    /// Largest ratio between the longest sides of consecutive scales (1.05…4).
    public var scaleFactor = ScaleSchedule.defaultFactor
    /// Optimizer iterations at the final scale; 0 only evaluates the initial image at `size`.
    /// nil (not given): 86 after coarser scales, 150 when the final scale is the only one
    /// (`ScaleSchedule.defaultIterations`, `defaultSingleScaleIterations`).
    public var iterations: Int? = nil
    /// Optimizer iterations at each scale before the final one.
    public var coarseIterations = ScaleSchedule.defaultCoarseIterations
    /// α, the content term's weight. 5: from noise, as Gatys et al. start, α = 1 left faces
    /// dissolved in the style after a few hundred iterations (see the README's *Defaults*).
    public var contentWeight = 5.0
    /// β, the style term's weight, or `auto` (the default): chosen at every scale from the
    /// images (`AutomaticStyleWeight`), since Gram magnitudes differ by orders of magnitude
    /// between paintings and one fixed β loses the photo under some of them.
    public var styleWeight = StyleWeight.auto
    /// γ, the total-variation weight. 1 makes the TV term a few percent of the total: enough
    /// to remove the initial noise without blurring strokes (1e-2 has no visible effect).
    public var tvWeight = 1.0
    /// Layers whose activations the content term compares (their mean is taken).
    public var contentLayers: LayerList = ["relu4_2"]
    /// Content layers at the scales before the last of a coarse-to-fine run (`auto`:
    /// relu2_2 and `contentLayers`, see `CoarseContentLayers`).
    public var coarseContentLayers = CoarseContentLayers.auto
    /// How the content term weighs positions (`ContentFocus`): `auto` is the photo's feature
    /// energy with an automatic β, every position alike with a fixed one.
    public var contentFocus = ContentFocus.auto
    /// Layers whose Gram matrices the style term compares.
    public var styleLayers: LayerList = ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"]
    /// `w_l` per style layer, one per style layer; nil means `1/L` each.
    public var styleLayerWeights: WeightList? = nil
    /// One weight per style image, normalized to sum 1; nil means equal.
    public var styleBlendWeights: WeightList? = nil
    /// One greyscale image per style image, the region where that style goes (see
    /// `StyleMasks`, `MaskedStyleTerm`); nil means every style everywhere.
    public var styleMasks: PathList? = nil
    /// Keep the photo's colours (see `ColorPreservation`); none: the painting's colours.
    public var preserveColors = ColorPreservation.none
    /// The paintings' longest side relative to the generated image's, at every scale
    /// (0.1…4): above 1 larger strokes, below 1 smaller (see `TransferImages.styleScale`).
    public var styleScale = 1.0
    /// VGG's pooling layers: max, as the network was trained, or avg.
    public var pooling = Pooling.max
    /// Which engine computes: auto, cpu or cuda (`Device`).
    public var device = Device.standard
    /// How the GPU engine's products compute: strict float32, or TF32 tensor cores.
    public var gpuMath = GPUMath.fp32
    /// The optimizer of every scale: L-BFGS, or Adam for comparison.
    public var optimizer = OptimizerKind.lbfgs
    /// L-BFGS curvature pairs kept (1…1000). 30: each pair is two image-sized vectors (6 MB
    /// at 512², 720 B a pixel for all 30). Against 10 pairs it ended lower on all four 512 px
    /// pairs it was tried on, two from the evaluation set and two held out (0.1–1.0 %; 50
    /// pairs gained little more for 480 B a pixel more), at about 1.5 % of an iteration more
    /// for the two-loop recursion (docs/EXPERIMENTS.md, *A longer L-BFGS history*).
    public var historySize = 30
    /// L-BFGS's initial inverse Hessian (Adam ignores it).
    public var preconditioner = Preconditioning.smooth
    /// Adam's step, in pixel levels (0…255) per iteration.
    public var learningRate = 10.0
    /// Where the generated image starts.
    public var initialization = Initialization.noise
    /// Seed of the initial noise: runs with the same seed and options are reproducible.
    public var seed: UInt64 = 0
    /// Input images with more megapixels than this are refused from their header, before
    /// decoding. 50: a 50 MP photo already takes 1.2 GB as 16-bit RGBA floats.
    public var maxMegapixels = 50.0
    /// Refuse, before any work, a run whose estimated peak memory is above this; nil: only
    /// what the machine and its limits allow (`MemoryBudget`).
    public var maxMemory: ByteCount? = nil
    /// Bits per sample of the output and `--save-every` images (16 keeps the float image's
    /// precision: no banding in smooth skies).
    public var bitDepth = PNGBitDepth.eight
    /// JPEG and WebP quality of the output and snapshots, 1…100 (a PNG ignores it). 95:
    /// no visible loss on painted textures, a third of a PNG's size.
    public var quality = OutputFormat.defaultQuality

    public init() {}

    /// Standard deviation of the initial noise in pixel levels (0..255 scale). 16 levels is
    /// plainly visible noise that the first few L-BFGS steps can reshape; much larger values
    /// cost iterations to smooth away, much smaller ones make "noise" a flat grey.
    public static let noiseSigma: Float = 16
    /// `LBFGS.stepScaling` of every run: the initial inverse Hessian's scale follows the unit
    /// steps' shortfall at half rate. On four 512 px pairs (fixed weights) runs ended 0.5–0.9 %
    /// lower with it than without, in the same evaluations; a fixed 2× scale did as well on
    /// three of them and less well on the fourth, 3× and 4× worse, 4× with a third more
    /// evaluations (docs/EXPERIMENTS.md, *The initial inverse Hessian's scale*).
    public static let stepScaling = 0.5

    // MARK: - What the options mean together

    /// `--max-megapixels` in pixels.
    public var maxPixels: Int { Int((maxMegapixels * 1e6).rounded()) }

    /// β when fixed, nil for `auto`.
    public var fixedStyleWeight: Double? { styleWeight.fixed }

    /// α, β, γ. With `auto`, β is a placeholder of 0 until the run chooses it per scale.
    public var lossWeights: LossWeights { LossWeights(content: contentWeight, style: styleWeight.fixed ?? 0, tv: tvWeight) }

    /// Every layer the objective reads at the final scale, and the coarse scales' content
    /// layers when given (`auto` adds none deeper than these).
    public var layers: [String] {
        guard case .layers(let coarse) = coarseContentLayers else { return contentLayers.names + styleLayers.names }
        return contentLayers.names + coarse.names.filter { !contentLayers.names.contains($0) } + styleLayers.names
    }
}
