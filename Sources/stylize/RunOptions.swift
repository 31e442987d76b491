import Foundation
import ArgumentParser
import StylizeKit

/// Options that shape one style-transfer run; shared by every command that runs one.
struct RunOptions: ParsableArguments {
    @Option(help: "Longest side of the output image, in pixels.")
    var size: Int = 512

    @Option(help: ArgumentHelp("Longest side of the first, coarsest scale; runs go coarse to fine up to --size. A value >= --size gives a single-scale run.", valueName: "px"))
    var minSize: Int = ScaleSchedule.defaultMinSize

    @Option(help: ArgumentHelp("Largest ratio between the sizes of consecutive scales.", valueName: "factor"))
    var scaleFactor: Double = ScaleSchedule.defaultFactor

    @Option(help: "Optimizer iterations at the final scale (0 only evaluates the initial image at --size).")
    var iterations: Int = ScaleSchedule.defaultIterations

    @Option(help: ArgumentHelp("Optimizer iterations at each scale before the final one.", valueName: "N"))
    var coarseIterations: Int = ScaleSchedule.defaultCoarseIterations

    @Option(help: "Content weight (alpha).")
    var contentWeight: Double = StyleTransferConfiguration.defaultLossWeights.content

    @Option(help: ArgumentHelp("Style weight (beta), or auto: chosen from the images so that every painting weighs alike (the beta used is logged).", valueName: "beta|auto"))
    var styleWeight: StyleWeightArgument = .auto

    @Option(help: "Total-variation weight (gamma).")
    var tvWeight: Double = StyleTransferConfiguration.defaultLossWeights.tv

    @Option(help: ArgumentHelp("Content layers, comma-separated (their mean is used).", valueName: "layers"))
    var contentLayers: String = "relu4_2"

    @Option(help: ArgumentHelp("Style layers, comma-separated.", valueName: "layers"))
    var styleLayers: String = "relu1_1,relu2_1,relu3_1,relu4_1,relu5_1"

    @Option(help: ArgumentHelp("Weight of each style layer, comma-separated (default: 1/number of layers).", valueName: "weights"))
    var styleLayerWeights: String?

    @Option(help: ArgumentHelp("Weight of each style image, comma-separated (default: equal).", valueName: "weights"))
    var styleBlendWeights: String?

    @Option(help: ArgumentHelp("One greyscale PNG per style image, comma-separated, in the styles' order: white is 'this style here', black 'not here'. Each mask must have the photo's aspect ratio.", valueName: "masks"))
    var styleMasks: String?

    @Option(help: ArgumentHelp("Keep the photo's colours: none, luminance (transfer on luminance only, then the photo's chroma) or histogram (recolour the painting to the photo's colour mean and covariance first).", valueName: "none|luminance|histogram"))
    var preserveColors: ColorPreservationArgument = .none

    @Option(help: ArgumentHelp("Size of the painting relative to the image at every scale: above 1 gives larger strokes, below 1 smaller ones.", valueName: "F"))
    var styleScale: Double = 1

    @Option(help: "Pooling: max or avg.")
    var pooling: PoolingArgument = .max

    @Option(help: "Optimizer: lbfgs or adam.")
    var optimizer: OptimizerArgument = .lbfgs

    @Option(help: "L-BFGS history size (curvature pairs kept).")
    var historySize: Int = StyleTransferConfiguration.defaultHistorySize

    @Option(help: "Adam learning rate, in pixel levels (0..255) per step.")
    var learningRate: Float = 10

    @Option(name: .customLong("init"), help: ArgumentHelp("Initial image: noise, content, style or a PNG file.", valueName: "noise|content|style|FILE"))
    var initialization: String = "noise"

    @Option(help: "Seed of the initial noise (0 to 2^64 - 1).")
    var seed: Int128 = 0  // wider than the seed, so that validate() can give the range

    @Option(help: ArgumentHelp("Refuse images larger than this many megapixels.", valueName: "MP"))
    var maxMegapixels: Double = Double(PNGCodec.defaultMaxPixels) / 1e6

    @Option(help: ArgumentHelp("Bits per sample of the written PNGs: 8, or 16 for smooth gradients without banding.", valueName: "8|16"))
    var bitDepth: BitDepthArgument = .eight

    /// Every value is checked here, before any file is read, with a message giving the
    /// range. Layer names are checked for shape here and against the weights file by
    /// `checkLayers(in:)` once it is loaded, still before any optimization.
    mutating func validate() throws {
        try Check.range(size, "--size", 16...8192, " (the longest side of the output, in pixels)")
        try Check.range(minSize, "--min-size", 16...8192, " (the longest side of the first scale, in pixels)")
        try Check.range(iterations, "--iterations", 0...Check.maxIterations)
        try Check.range(coarseIterations, "--coarse-iterations", 0...Check.maxIterations)
        try Check.finite(scaleFactor, "--scale-factor", 1.05...4)
        try Check.finite(contentWeight, "--content-weight", 0...Check.maxWeight)
        if let beta = styleWeight.value { try Check.finite(beta, "--style-weight", 0...Check.maxWeight) }
        try Check.finite(tvWeight, "--tv-weight", 0...Check.maxWeight)
        try Check.finite(styleScale, "--style-scale", 0.1...4)
        try Check.range(historySize, "--history-size", 1...1000)
        try Check.finite(Double(learningRate), "--learning-rate", 1e-6...255)
        // 1000 MP: a 31623² image; its float copy alone is 12 GB. The default is 50.
        try Check.finite(maxMegapixels, "--max-megapixels", 0.001...1000)
        _ = try Self.layerList(contentLayers, "--content-layers")
        let s = try Self.layerList(styleLayers, "--style-layers")
        if let w = styleLayerWeights {
            let values = try Self.numberList(w, "--style-layer-weights")
            guard values.count == s.count else {
                throw ValidationError("--style-layer-weights has \(values.count) values for \(s.count) style layers")
            }
        }
        if let b = styleBlendWeights { _ = try Self.numberList(b, "--style-blend-weights") }
        try Check.seed(seed, "--seed")
        if let m = styleMasks {
            for path in try Self.pathList(m, "--style-masks") {
                if let problem = BoundedFile.problem(path) { throw ValidationError("--style-masks: '\(path)': \(problem.reason)") }
            }
        }
        if !Self.initWords.contains(initialization), let problem = BoundedFile.problem(initialization) {
            let hint = problem.isMissing ? "; use \(Self.initWords.joined(separator: ", ")) or a PNG file" : ""
            throw ValidationError("--init '\(initialization)': \(problem.reason)\(hint)")
        }
    }

    static let initWords = ["noise", "content", "style"]

    /// Every layer name against the network the weights file defines (usage errors, exit 64).
    func checkLayers(in weights: VGGWeights) throws {
        try Check.layers(Self.layerList(contentLayers, "--content-layers"), "--content-layers", in: weights)
        try Check.layers(Self.layerList(styleLayers, "--style-layers"), "--style-layers", in: weights)
    }

    static func layerList(_ text: String, _ option: String) throws -> [String] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw ValidationError("\(option) needs at least one layer name") }
        for n in names {
            let ok = (n.hasPrefix("relu") || n.hasPrefix("conv") || n.hasPrefix("pool")) && n.dropFirst(4).allSatisfy { $0.isNumber || $0 == "_" } && n.count > 4
            guard ok else { throw ValidationError("\(option): '\(n)' is not a layer name (expected names like relu4_2 or pool3)") }
        }
        return names
    }

    static func pathList(_ text: String, _ option: String) throws -> [String] {
        let paths = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !paths.contains("") else { throw ValidationError("\(option): an empty file name in '\(text)'") }
        return paths
    }

    /// The `--style-masks` files, each checked against `content`'s shape from the PNG
    /// headers (usage errors, exit 64), before any weights are loaded.
    func checkMasks(content: String, styleCount: Int) throws {
        guard let m = styleMasks else { return }
        do {
            try StyleMasks.checkFiles(try Self.pathList(m, "--style-masks"), styleCount: styleCount, contentPath: content,
                                      maxPixels: Int((maxMegapixels * 1e6).rounded()))
        } catch let e as StyleMaskError { throw ValidationError(e.description) }
    }

    static func numberList(_ text: String, _ option: String) throws -> [Double] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var values: [Double] = []
        for p in parts {
            guard let v = DecimalNumber.double(p), v.isFinite, v >= 0 else { throw ValidationError("\(option): '\(p)' is not a number ≥ 0") }
            values.append(v)
        }
        guard !values.isEmpty, values.contains(where: { $0 > 0 }) else { throw ValidationError("\(option) needs at least one positive value") }
        return values
    }

    /// Fills the run-shaping fields of `c`. Call after `validate()`.
    func apply(to c: inout StyleTransferConfiguration) throws {
        c.size = size
        c.minSize = minSize
        c.scaleFactor = scaleFactor
        c.iterations = iterations
        c.coarseIterations = coarseIterations
        c.lossWeights = LossWeights(content: contentWeight, style: styleWeight.value ?? StyleTransferConfiguration.defaultLossWeights.style, tv: tvWeight)
        c.automaticStyleWeight = styleWeight.value == nil ? AutomaticStyleWeight() : nil
        c.preserveColors = preserveColors.library
        c.styleScale = styleScale
        c.contentLayers = try Self.layerList(contentLayers, "--content-layers")
        c.styleLayers = try Self.layerList(styleLayers, "--style-layers")
        c.styleLayerWeights = try styleLayerWeights.map { try Self.numberList($0, "--style-layer-weights") }
        c.styleBlendWeights = try styleBlendWeights.map { try Self.numberList($0, "--style-blend-weights") }
        if let b = c.styleBlendWeights, b.count != c.stylePaths.count {
            throw ValidationError("--style-blend-weights has \(b.count) values for \(c.stylePaths.count) style images")
        }
        c.styleMaskPaths = try styleMasks.map { try Self.pathList($0, "--style-masks") }
        if let m = c.styleMaskPaths {
            do { try StyleMasks.checkCount(m.count, styleCount: c.stylePaths.count) } catch let e as StyleMaskError {
                throw ValidationError(e.description)
            }
        }
        c.pooling = pooling.library
        c.optimizer = optimizer == .lbfgs ? .lbfgs(history: historySize) : .adam(learningRate: learningRate)
        switch initialization {  // validate() checked that a non-word names a file
        case "noise": c.initialization = .noise
        case "content": c.initialization = .content
        case "style": c.initialization = .style
        default: c.initialization = .file(initialization)
        }
        c.seed = UInt64(clamping: seed)  // 0…2^64 − 1: validate()
        c.maxPixels = Int((maxMegapixels * 1e6).rounded())  // at most 1e9: validate()
        c.bitDepth = bitDepth.library
    }
}

enum PoolingArgument: String, ExpressibleByArgument, CaseIterable {
    case max, avg
    var library: Pooling { self == .max ? .max : .average }
}

/// `--style-weight`: a number ≥ 0, or `auto`.
enum StyleWeightArgument: ExpressibleByArgument, Equatable {
    case auto
    case fixed(Double)

    init?(argument: String) {
        if argument == "auto" { self = .auto; return }
        guard let v = DecimalNumber.double(argument) else { return nil }
        self = .fixed(v)
    }
    var value: Double? { if case .fixed(let v) = self { return v } else { return nil } }
    var defaultValueDescription: String { text }
    /// As written in batch params (parses back).
    var text: String { value.map { "\($0)" } ?? "auto" }
}

enum ColorPreservationArgument: String, ExpressibleByArgument, CaseIterable {
    case none, luminance, histogram
    var library: ColorPreservation { ColorPreservation(rawValue: rawValue)! }
}

/// `--bit-depth 8|16`; anything else is refused by ArgumentParser with the two choices.
enum BitDepthArgument: Int, ExpressibleByArgument, CaseIterable {
    case eight = 8, sixteen = 16
    var library: PNGBitDepth { self == .eight ? .eight : .sixteen }
}

enum OptimizerArgument: String, ExpressibleByArgument, CaseIterable {
    case lbfgs, adam
}
