import Foundation

/// What a run reports after iteration 0 (the initial image) and after every iteration.
public struct IterationReport: Sendable {
    public let iteration: Int
    public let totalIterations: Int
    /// Loss+gradient evaluations so far (L-BFGS' line search may use more than one per iteration).
    public let evaluations: Int
    /// Unweighted terms and weighted total at the current image.
    public let terms: LossTerms
    /// Wall time since optimization started (after targets were computed).
    public let seconds: Double
}

/// The outcome of a finished run.
public struct StyleTransferResult: Sendable {
    public let outputPath: String
    public let iterations: Int
    public let evaluations: Int
    public let final: LossTerms
    public let seconds: Double
    /// Width and height of the generated image.
    public let width: Int, height: Int
}

public enum StyleTransferError: Error, CustomStringConvertible {
    case nonFinite(iteration: Int, keptAt: String)
    case cancelled(iteration: Int, keptAt: String)

    public var description: String {
        switch self {
        case .nonFinite(let i, let path):
            return "the loss became NaN or infinite at iteration \(i); the image from before that step is in '\(path)' (try smaller weights or --optimizer adam)"
        case .cancelled(let i, let path):
            return "stopped at iteration \(i); the image so far is in '\(path)'"
        }
    }
}

/// One Gatys et al. style transfer: loads the images, computes the targets once, then lets
/// the optimizer improve the generated image, which it sees only as a `(loss, gradient)` closure.
public final class StyleTransfer {
    public let configuration: StyleTransferConfiguration
    public let objective: StyleTransferObjective
    public let meanBGR: [Float]
    /// The generated image, `(3, H, W)` preprocessed (BGR, minus mean).
    public private(set) var image: Tensor3

    /// Loads and resizes the images and builds the objective (targets are computed here).
    public init(configuration c: StyleTransferConfiguration, weights: VGGWeights) throws {
        configuration = c
        let meanBGR = weights.meanBGR
        self.meanBGR = meanBGR
        let content = try PNGCodec.read(path: c.contentPath, maxPixels: c.maxPixels).resized(longestSide: c.size)
        let styles = try c.stylePaths.map {
            try PNGCodec.read(path: $0, maxPixels: c.maxPixels).resized(longestSide: max(content.width, content.height))
        }
        let order = VGGNetwork.allLayerNames(of: weights)
        let requested = c.contentLayers + c.styleLayers
        for name in requested where !order.contains(name) {
            if name.hasPrefix("conv"), order.contains("relu" + name.dropFirst(4)) { throw NetworkError.notALossLayer(name) }
            throw NetworkError.unknownLayer(name, known: order)
        }
        let deepest = requested.max { order.firstIndex(of: $0)! < order.firstIndex(of: $1)! } ?? "relu4_2"
        let network = try VGGNetwork(weights: weights, pooling: c.pooling, through: deepest)
        let contentTensor = Preprocessing.tensor(from: content, meanBGR: meanBGR)
        objective = try StyleTransferObjective(
            network: network, content: contentTensor,
            styles: styles.map { Preprocessing.tensor(from: $0, meanBGR: meanBGR) },
            styleBlend: c.styleBlendWeights, contentLayers: c.contentLayers, styleLayers: c.styleLayers,
            styleLayerWeights: c.styleLayerWeights, weights: c.lossWeights)
        switch c.initialization {
        case .content:
            image = contentTensor
        case .style:
            image = Preprocessing.tensor(from: styles[0].resized(width: content.width, height: content.height), meanBGR: meanBGR)
        case .file(let path):
            let start = try PNGCodec.read(path: path, maxPixels: c.maxPixels).resized(width: content.width, height: content.height)
            image = Preprocessing.tensor(from: start, meanBGR: meanBGR)
        case .noise:
            image = StyleTransfer.noise(channels: 3, height: content.height, width: content.width,
                                        sigma: c.noiseSigma, seed: c.seed)
        }
    }

    /// N(0, σ²) per value (Box–Muller over SplitMix64), deterministic for a given seed.
    static func noise(channels: Int, height: Int, width: Int, sigma: Float, seed: UInt64) -> Tensor3 {
        var state = seed &+ 0x5151_5151
        func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return (Double((z ^ (z >> 31)) >> 11) + 0.5) / Double(1 << 53)
        }
        let n = channels * height * width
        var data = [Float](repeating: 0, count: n)
        var i = 0
        while i < n {
            let r = (-2 * log(next())).squareRoot(), t = 2 * Double.pi * next()
            data[i] = sigma * Float(r * cos(t))
            if i + 1 < n { data[i + 1] = sigma * Float(r * sin(t)) }
            i += 2
        }
        return Tensor3(channels: channels, height: height, width: width, data: data)
    }

    /// The current image as RGB 0..255.
    public var currentImage: RGBImage { Preprocessing.image(from: image, meanBGR: meanBGR) }

    /// Runs the optimization. `progress` is called for iteration 0 and after every
    /// iteration; returning false stops the run (the image so far is written and
    /// `StyleTransferError.cancelled` is thrown). Writes the output atomically.
    public func run(progress: (IterationReport) -> Bool = { _ in true }) throws -> StyleTransferResult {
        let c = configuration
        let start = Date()
        var log = try c.logPath.map { try RunLog(path: $0) }
        var evaluations = 0
        let shape = (image.channels, image.height, image.width)
        let evaluate: LossFunction<LossTerms> = { [objective] x in
            let t = Tensor3(channels: shape.0, height: shape.1, width: shape.2, data: x)
            let (terms, grad) = try objective.evaluate(t, gradient: true)
            evaluations += 1
            return Evaluation(loss: terms.total, gradient: grad!.data, info: terms)
        }
        func report(_ iteration: Int, _ terms: LossTerms) throws -> Bool {
            let r = IterationReport(iteration: iteration, totalIterations: c.iterations, evaluations: evaluations,
                                    terms: terms, seconds: Date().timeIntervalSince(start))
            try log?.append(r)
            return progress(r)
        }

        var terms = try objective.evaluate(image, gradient: false).terms
        var keepGoing = try report(0, terms)
        // The valid pixels, 0…255 per channel before the mean was subtracted.
        let box = Box.planes(lower: meanBGR.map { -$0 }, upper: meanBGR.map { 255 - $0 }, planeSize: image.height * image.width)
        var optimizer: any Optimizer<LossTerms> = {
            switch c.optimizer {
            case .lbfgs(let history): return LBFGS<LossTerms>(historySize: history, box: box)
            case .adam(let rate): return Adam<LossTerms>(learningRate: rate, box: box)
            }
        }()
        // L-BFGS reports the terms at the new image; Adam those before its update.
        let stepInfoIsAtNewImage: Bool = { if case .lbfgs = c.optimizer { return true } else { return false } }()
        var iteration = 0
        var x = image.data
        while iteration < c.iterations && keepGoing {
            let step: OptimizerStep<LossTerms>
            do {
                step = try optimizer.step(&x, evaluate: evaluate)
            } catch let error as OptimizerError {
                image.data = x
                try PNGCodec.write(currentImage, to: c.outputPath)
                if case .nonFiniteLoss = error { throw StyleTransferError.nonFinite(iteration: iteration + 1, keptAt: c.outputPath) }
                throw error
            }
            iteration += 1
            image.data = x
            terms = stepInfoIsAtNewImage ? step.info : try objective.evaluate(image, gradient: false).terms
            if !terms.total.isFinite {
                try PNGCodec.write(currentImage, to: c.outputPath)
                throw StyleTransferError.nonFinite(iteration: iteration, keptAt: c.outputPath)
            }
            keepGoing = try report(iteration, terms)
            if c.saveEvery > 0 && iteration % c.saveEvery == 0 && iteration < c.iterations {
                try PNGCodec.write(currentImage, to: StyleTransfer.intermediatePath(c.outputPath, iteration: iteration))
            }
            if step.stop != nil { break }
        }
        try PNGCodec.write(currentImage, to: c.outputPath)
        if !keepGoing { throw StyleTransferError.cancelled(iteration: iteration, keptAt: c.outputPath) }
        return StyleTransferResult(outputPath: c.outputPath, iterations: iteration, evaluations: evaluations,
                                   final: terms, seconds: Date().timeIntervalSince(start),
                                   width: image.width, height: image.height)
    }

    /// `dir/name.png` → `dir/name_iter0050.png`.
    public static func intermediatePath(_ output: String, iteration: Int) -> String {
        let url = URL(fileURLWithPath: output)
        let stem = url.deletingPathExtension().lastPathComponent
        let number = String(iteration)
        let padded = String(repeating: "0", count: max(0, 4 - number.count)) + number
        return url.deletingLastPathComponent().appendingPathComponent("\(stem)_iter\(padded).png").path
    }
}
