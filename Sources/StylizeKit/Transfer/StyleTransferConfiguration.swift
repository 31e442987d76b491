/// Everything one style-transfer run needs, with the defaults the command line uses.
///
/// This is the library's entry point: the `stylize` command parses its options into one
/// of these and hands it to `StyleTransfer`. Batch runs build one per job.
public struct StyleTransferConfiguration: Sendable {
    /// Where the generated image starts.
    public enum Initialization: Sendable, Equatable {
        /// Gaussian noise around the ImageNet mean colour: each value of the preprocessed
        /// (mean-subtracted) tensor is drawn from N(0, `noiseSigma`²), seeded by `seed`.
        case noise
        /// The content image itself.
        case content
        /// The (first) style image, resized to the content's working size.
        case style
        /// Any image file (PNG, JPEG or WebP), resized to the content's working size.
        case file(String)
    }

    public enum OptimizerChoice: Sendable, Equatable {
        /// L-BFGS with `history` curvature pairs (see `LBFGS`).
        case lbfgs(history: Int)
        /// Adam with the given learning rate, in 0..255 pixel units per step (see `Adam`).
        case adam(learningRate: Float)
    }

    /// Content image (PNG, JPEG or WebP, recognised by its signature; see `ImageFile`).
    public var contentPath: String
    /// One or more style images (PNG, JPEG or WebP); their Grams are blended by `styleBlendWeights`.
    public var stylePaths: [String]
    /// Output image, written atomically, its format chosen by the extension (`.png`, `.jpg`
    /// or `.jpeg`, `.webp`; see `outputFormat()`); with the content's alpha (resized to the
    /// output) when the content image has transparency, except in a JPEG.
    public var outputPath: String
    /// `--bit-depth`: bits per sample of the output and `--save-every` PNGs. 8, what every
    /// viewer expects; 16 keeps the float image's precision (no banding in smooth skies).
    /// 16 only for a PNG output.
    public var bitDepth: PNGBitDepth = .eight
    /// JPEG and WebP quality of the output and `--save-every` images, 1…100 (PNG ignores
    /// it); 95 by default, see `OutputFormat.quality`.
    public var quality: Int = OutputFormat.defaultQuality
    /// Longest side of the final (output) image in pixels. 512 is what Gatys et al. and
    /// neural-style use: large enough for brush strokes to read.
    public var size: Int = 512
    /// Longest side of the first scale of the coarse-to-fine schedule (see `ScaleSchedule`).
    /// A value ≥ `size` gives a single-scale run at `size`, the classic Gatys run.
    public var minSize: Int = ScaleSchedule.defaultMinSize
    /// Largest ratio between the longest sides of consecutive scales.
    public var scaleFactor: Double = ScaleSchedule.defaultFactor
    /// Optimizer iterations at the final scale; 0 only evaluates the initial image at `size`.
    public var iterations: Int = ScaleSchedule.defaultIterations
    /// Optimizer iterations at each scale before the final one.
    public var coarseIterations: Int = ScaleSchedule.defaultCoarseIterations
    /// α, β, γ; see `StyleTransferConfiguration.defaultLossWeights` for why. β is used
    /// only when `automaticStyleWeight` is nil.
    public var lossWeights: LossWeights = StyleTransferConfiguration.defaultLossWeights
    /// `--style-weight auto` (the default): β is chosen at every scale from the images'
    /// own target energies (see `AutomaticStyleWeight`), and `lossWeights.style` is
    /// ignored. nil: β is `lossWeights.style`, today's fixed objective.
    public var automaticStyleWeight: AutomaticStyleWeight? = AutomaticStyleWeight()
    /// `--style-scale`: the paintings' longest side relative to the generated image's, at
    /// every scale (see `TransferImages.styleScale`). 1, as neural-style: the painting's
    /// strokes keep their size relative to the image, whatever the output size.
    public var styleScale: Double = 1
    /// `--preserve-colors` (see `ColorPreservation`). Default none: the painting's colours.
    public var preserveColors: ColorPreservation = .none
    /// Layers whose activations the content term compares (their mean is taken).
    public var contentLayers: [String] = ["relu4_2"]
    /// Layers whose Gram matrices the style term compares.
    public var styleLayers: [String] = ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"]
    /// `w_l` per style layer; nil means `1/L` each.
    public var styleLayerWeights: [Double]? = nil
    /// One weight per style image; nil means equal.
    public var styleBlendWeights: [Double]? = nil
    /// `--style-masks`: one greyscale PNG per style image, the region where that style goes
    /// (see `StyleMasks`, `MaskedStyleTerm`); nil means every style everywhere.
    public var styleMaskPaths: [String]? = nil
    public var pooling: Pooling = .max
    public var optimizer: OptimizerChoice = .lbfgs(history: StyleTransferConfiguration.defaultHistorySize)
    /// L-BFGS curvature pairs: 10. Each pair is two image-sized vectors (6 MB at 512²), and
    /// a fresh optimizer runs only 40–50 iterations per scale: on a square 512 px default run,
    /// 10 pairs instead of 20 ended 0.6 % higher (3.595e4 vs 3.574e4) and peaked at 589 MiB
    /// instead of 646 MiB.
    public static let defaultHistorySize = 10
    public var initialization: Initialization = .noise
    /// Standard deviation of the initial noise in pixel levels (0..255 scale). 16 levels
    /// is plainly visible noise that the first few L-BFGS steps can reshape; much larger
    /// values cost iterations to smooth away, much smaller ones make "noise" a flat grey.
    public var noiseSigma: Float = 16
    /// Seed of the initial noise: runs with the same seed and options are reproducible.
    public var seed: UInt64 = 0
    /// Write `<output-stem>_iterNNNN.png` every N iterations (0: never).
    public var saveEvery: Int = 0
    /// JSON-lines log file (one object per iteration), or nil.
    public var logPath: String? = nil
    /// Refuse input images with more pixels than this before decoding them.
    public var maxPixels: Int = PNGCodec.defaultMaxPixels

    /// α = 5, β = 1e-3, γ = 1, chosen by looking at results from noise at 256 and 512 px
    /// on the samples. β applies only to an explicit `--style-weight 1e-3`: the default is
    /// `automaticStyleWeight`, which replaces it per scale (a fixed 1e-3 loses the photo
    /// under flat, saturated paintings).
    ///
    /// With these size-invariant definitions, at the start `L_c` (relu4_2) is O(10⁴) and
    /// `L_s` O(10⁸–10⁹); at convergence α·L_c and β·L_s are of the same order, which is
    /// the balance that keeps the photo recognizable while its colours and strokes change.
    /// A reference run from the *content* image found α = 1, β = 1e-3 strongly stylized but
    /// recognizable; starting from noise, as Gatys et al. do, the content has to be rebuilt,
    /// and α = 1 leaves faces dissolved in the style after a few hundred iterations, so the
    /// content weight is 5. γ = 1 makes the TV term a few percent of the total: enough to
    /// remove pixel-level noise left from the initialization without blurring strokes
    /// (γ = 1e-2 has no visible effect).
    public static let defaultLossWeights = LossWeights(content: 5, style: 1e-3, tv: 1)

    /// The output's format: `outputPath`'s extension with `quality` and `bitDepth`. Throws
    /// `OutputFormatError` (a usage error) for another extension, a quality outside 1…100,
    /// or 16 bits for JPEG or WebP.
    public func outputFormat() throws -> OutputFormat {
        try OutputFormat(path: outputPath, quality: quality, bitDepth: bitDepth)
    }

    public init(contentPath: String, stylePaths: [String], outputPath: String) {
        self.contentPath = contentPath
        self.stylePaths = stylePaths
        self.outputPath = outputPath
    }
}
