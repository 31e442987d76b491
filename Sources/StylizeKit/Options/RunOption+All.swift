import Foundation

/// Every run option, declared once, in the order `--help` lists them.
extension RunOption {
    public static let all: [RunOption] = [
        size, minSize, scaleFactor, iterations, coarseIterations, contentWeight, styleWeight, tvWeight,
        contentLayers, coarseContentLayers, contentFocus, styleLayers, styleLayerWeights, styleBlendWeights, styleMasks, preserveColors, styleScale,
        pooling, optimizer, historySize, preconditioner, learningRate, initialization, seed, maxMegapixels, maxMemory, bitDepth, quality,
        device, gpuMath,
    ]

    // MARK: - Size and schedule

    public static let size = value("size", \.size, "N", "Longest side of the output image, in pixels.",
                                   check: whole(16...8192, " (the longest side of the output, in pixels)"))
    public static let minSize = value("min-size", \.minSize, "px",
                                      "Longest side of the first, coarsest scale; runs go coarse to fine up to the output size. A value at or above the output size gives a single-scale run.",
                                      check: whole(16...8192, " (the longest side of the first scale, in pixels)"))
    public static let scaleFactor = value("scale-factor", \.scaleFactor, "factor",
                                          "Largest ratio between the sizes of consecutive scales.", check: finite(1.05...4))
    public static let iterations = optional(
        "iterations", \.iterations, "N",
        "Optimizer iterations at the final scale (0 only evaluates the initial image at the output size). Default: "
            + "\(ScaleSchedule.defaultIterations) after coarser scales, \(ScaleSchedule.defaultSingleScaleIterations) when the run has a single scale "
            + "(the output size at or below the first scale's), which starts from the initial image.",
        check: whole(0...maxIterations))
    public static let coarseIterations = value("coarse-iterations", \.coarseIterations, "N",
                                               "Optimizer iterations at each scale before the final one.", check: whole(0...maxIterations))

    // MARK: - The objective

    public static let contentWeight = value("content-weight", \.contentWeight, "alpha", "Content weight (alpha).",
                                            check: finite(0...maxWeight))
    public static let styleWeight = value("style-weight", \.styleWeight, "beta|auto",
                                          "Style weight (beta), or auto: chosen from the images so that every painting weighs alike (the beta used is logged).",
                                          completion: .words(["auto"]),
                                          check: { w, s in if let beta = w.fixed { try finite(0...maxWeight)(beta, s) } })
    public static let tvWeight = value("tv-weight", \.tvWeight, "gamma", "Total-variation weight (gamma).", check: finite(0...maxWeight))
    public static let contentLayers = value("content-layers", \.contentLayers, "layers",
                                            "Content layers, comma-separated (their mean is used).", isList: true)
    public static let coarseContentLayers = value(
        "coarse-content-layers", \.coarseContentLayers, "auto|layers",
        "Content layers at the scales before the last, comma-separated (their mean is used), or auto: relu2_2 and the content layers. The shallow layer keeps the photo's layout and tones in the coarse image, so the final scale ends at a lower loss.",
        isList: true, completion: .words(["auto"]))
    public static let contentFocus = value(
        "content-focus", \.contentFocus, ContentFocus.words.joined(separator: "|"),
        "How the content term weighs the photo's positions: energy (each by the photo's feature energy there, so the painting fills what the photo leaves empty, a black sky or a blank wall, and small bright objects hold), uniform (every position alike, as Gatys et al.), or auto: energy with --style-weight auto, uniform with a fixed style weight.",
        completion: .words(ContentFocus.words))
    public static let styleLayers = value("style-layers", \.styleLayers, "layers", "Style layers, comma-separated.", isList: true)
    public static let styleLayerWeights = optional(
        "style-layer-weights", \.styleLayerWeights, "weights",
        "Weight of each style layer, comma-separated (default: 1/number of layers).", isList: true,
        check: { w, s in
            guard w.values.count == s.styleLayers.names.count else {
                throw OptionProblem.predicate("has \(w.values.count) values for \(s.styleLayers.names.count) style layers")
            }
        })
    /// Not in `batch`: a batch job has exactly one style image.
    public static let styleBlendWeights = optional("style-blend-weights", \.styleBlendWeights, "weights",
                                                   "Weight of each style image, comma-separated (default: equal).", commands: [.transfer])
    public static let styleMasks = optional(
        "style-masks", \.styleMasks, "masks",
        "One greyscale image per style image, comma-separated, in the styles' order: white is 'this style here', black 'not here'. Each mask must have the photo's aspect ratio.",
        completion: .files,
        check: { masks, _ in
            for path in masks.paths {
                if let problem = BoundedFile.problem(path) { throw OptionProblem("'\(path)': \(problem.reason)") }
            }
        })

    // MARK: - Colours and strokes

    public static let preserveColors = value(
        "preserve-colors", \.preserveColors, ColorPreservation.words.joined(separator: "|"),
        "Keep the photo's colours: none, luminance (transfer on luminance only, then the photo's chroma) or histogram (recolour the painting to the photo's colour mean and covariance first).",
        completion: .words(ColorPreservation.words))
    public static let styleScale = value("style-scale", \.styleScale, "F",
                                         "Size of the painting relative to the image at every scale, 0.1 to 4: above 1 gives larger strokes, below 1 smaller ones.",
                                         check: finite(0.1...4))
    public static let pooling = value("pooling", \.pooling, Pooling.words.joined(separator: "|"), "Pooling: max or avg.",
                                      completion: .words(Pooling.words))

    // MARK: - The optimizer

    public static let optimizer = value("optimizer", \.optimizer, OptimizerKind.words.joined(separator: "|"),
                                        "Optimizer: lbfgs or adam.", completion: .words(OptimizerKind.words))
    public static let historySize = value("history-size", \.historySize, "N", "L-BFGS history size (curvature pairs kept).",
                                          check: whole(1...1000))
    public static let preconditioner = value(
        "preconditioner", \.preconditioner, Preconditioning.words.joined(separator: "|"),
        "L-BFGS's starting curvature: smooth (broad changes of the image take larger steps than pixel-scale ones, so tones and shapes settle in fewer iterations) or none (classic L-BFGS).",
        completion: .words(Preconditioning.words))
    public static let learningRate = value("learning-rate", \.learningRate, "r",
                                           "Adam learning rate, in pixel levels (0..255) per step.", check: finite(1e-6...255))
    public static let initialization = value(
        "init", \.initialization, "noise|content|style|FILE", "Initial image: noise, content, style or an image file.",
        completion: .words(Initialization.words),
        check: { start, _ in
            if let path = start.path, let problem = BoundedFile.problem(path) {  // a folder says so, not "no such file"
                let hint = problem.isMissing ? "; use \(Initialization.words.joined(separator: ", ")) or a PNG file" : ""
                throw OptionProblem.predicate("'\(path)': \(problem.reason)\(hint)")
            }
        })
    public static let seed = RunOption(
        key: "seed", valueName: "N", help: "Seed of the initial noise.", commands: RunCommand.every, isList: false, completion: .none,
        read: { s, text in
            if let v = try? UInt64(optionText: text) { s.seed = v; return }
            guard let d = DecimalText.number(text), d.rounded() == d else { throw OptionProblem("'\(text)' is not a whole number") }
            throw OptionProblem.predicate("must be between 0 and \(UInt64.max), got \(text)")
        },
        write: { $0.seed.optionText }, check: { _ in })

    // MARK: - The machine

    public static let device = value(
        "device", \.device, Device.words.joined(separator: "|"),
        "Where the transfer computes: cuda (the first NVIDIA GPU; its driver, cuBLAS and NVRTC are found at run time, see --version), cpu, or auto (the GPU when one is usable, else the CPU with a note). The GPU engine has not yet run on a GPU (README, GPU).",
        completion: .words(Device.words))
    public static let gpuMath = value(
        "gpu-math", \.gpuMath, GPUMath.words.joined(separator: "|"),
        "How the GPU's matrix products compute: fp32 (strict float32, the CPU engine's arithmetic) or tf32 (tensor cores, as PyTorch's convolutions by default; faster, products rounded to 10-bit mantissas). Not yet measured on a GPU (README, GPU).",
        completion: .words(GPUMath.words))

    // MARK: - Files

    public static let maxMegapixels = value("max-megapixels", \.maxMegapixels, "MP", "Refuse images larger than this many megapixels.",
                                            check: finite(0.001...1000))  // 1000 MP: a 31623² image, 12 GB as floats
    /// Not sweepable: a limit of the machine, the same for every job.
    public static let maxMemory: RunOption = {
        var option = optional(
            "max-memory", \.maxMemory, "bytes",
            "Refuse a run whose estimated peak memory is above this (K, M, G, T: powers of 1000; e.g. 4G), before any work. Runs are always checked against the memory available and the process's limits.",
            check: { v, _ in
                guard v.bytes.isFinite, v.bytes >= 1, v.bytes <= 1e18 else {
                    throw OptionProblem.predicate("must be a number of bytes between 1 and 1e18, got \(v.optionText)")
                }
            })
        option.variesInSweeps = false
        return option
    }()
    public static let bitDepth = value("bit-depth", \.bitDepth, "8|16",
                                       "Bits per sample of the written PNGs: 8, or 16 for smooth gradients without banding.",
                                       completion: .words(PNGBitDepth.allCases.map { "\($0.rawValue)" }))
    public static let quality = value("quality", \.quality, "Q",
                                      "JPEG and WebP quality of the written images, 1 to 100 (PNG ignores it).",
                                      check: whole(1...100))
}
