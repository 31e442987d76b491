import Foundation

/// One Gatys et al. style transfer on tensors: a coarse-to-fine schedule of scales, each
/// with its own targets and a fresh optimizer, which sees the image only through a
/// `(loss, gradient)` function. No file is read or written here (see `StyleTransfer+Files`).
///
/// At each scale: the content and style images are resized to that scale and their targets
/// computed; the generated image starts from `--init` (first scale) or from the previous
/// scale's result resized to this one; the optimizer runs the scale's iterations, keeping
/// every pixel inside the box a PNG can hold (0…255 before mean subtraction).
public final class StyleTransfer {
    public let configuration: StyleTransferConfiguration
    public let schedule: ScaleSchedule
    public let network: VGGNetwork
    /// Runs the network, the loss terms and the optimizer's vector operations (`--threads`).
    public let engine: CPUEngine
    public let images: TransferImages
    /// The generated image, `(3, H, W)` preprocessed (BGR, minus mean), at the current scale.
    public private(set) var image: Tensor3
    /// The objective of the current scale.
    public private(set) var objective: StyleTransferObjective<CPUEngine>?
    private var meanBGR: [Float] { network.meanBGR }

    /// Checks the layer names, builds the network and the schedule. Targets are computed
    /// per scale, in `run`.
    public init(configuration c: StyleTransferConfiguration, weights: VGGWeights, images: TransferImages) throws {
        configuration = c
        self.images = images
        network = try VGGNetwork(weights: weights, pooling: c.pooling, covering: c.contentLayers + c.styleLayers,
                                 parallel: Parallel(threads: c.threads))
        engine = CPUEngine(network: network, threads: c.threads)
        let minimumSide = 1 << network.poolings(throughStage: network.stages.count - 1)
        schedule = ScaleSchedule(width: images.content.width, height: images.content.height, minSize: c.minSize,
                                 factor: c.scaleFactor, iterations: c.iterations,
                                 coarseIterations: c.coarseIterations, minimumSide: minimumSide)
        image = Tensor3(zeros: 3, images.content.height, images.content.width)
    }

    /// The current image as RGB 0..255: what the optimizer works on (in luminance mode, a
    /// luminance image). Each scale starts from this one resized.
    public var currentImage: RGBImage { Preprocessing.image(from: image, meanBGR: meanBGR) }

    /// The current image as it is saved: `currentImage` with the colour mode's last step
    /// (in luminance mode, the photo's chroma put back).
    public var outputImage: RGBImage { images.output(currentImage) }

    /// The objective at one scale: targets from the images resized to `width × height`, and
    /// β chosen from them with `--style-weight auto`.
    public func objective(width: Int, height: Int) throws -> StyleTransferObjective<CPUEngine> {
        let c = configuration
        let mean = meanBGR
        let content = Preprocessing.tensor(from: images.content(width: width, height: height), meanBGR: mean)
        let objective = try StyleTransferObjective(
            engine: engine, content: content,
            styles: images.styles(width: width, height: height).map { Preprocessing.tensor(from: $0, meanBGR: mean) },
            styleBlend: c.styleBlendWeights, contentLayers: c.contentLayers, styleLayers: c.styleLayers,
            styleLayerWeights: c.styleLayerWeights, styleMasks: images.masks?.weights(width: width, height: height),
            weights: c.lossWeights)
        if let auto = c.automaticStyleWeight {
            // D_s: the photo scored as the output; D_c: each painting stretched to this size.
            let photoStyle = try objective.evaluate(content, gradient: false).terms.style
            let regionStyle = objective.lastStyleLossPerRegion
            let blend = StyleTransferObjective<CPUEngine>.normalized(c.styleBlendWeights ?? Array(repeating: 1, count: images.styles.count))
            let paintingContent = try blend.indices.map { i in
                let painting = Preprocessing.tensor(from: images.styleCovering(i, width: width, height: height), meanBGR: mean)
                return try objective.evaluate(painting, gradient: false).terms.content
            }
            let α = c.lossWeights.content
            if let regionStyle {
                // With masks each region is balanced against its own painting: β_i from that
                // painting's D_c and the photo's style loss in its region; β = Σ b_i·β_i.
                let betas = blend.indices.map {
                    auto.styleWeight(contentWeight: α, paintingContentLoss: paintingContent[$0], photoStyleLoss: regionStyle[$0])
                }
                let beta = zip(blend, betas).reduce(0) { $0 + $1.0 * $1.1 }
                objective.weights.style = beta
                if beta > 0 { objective.setRegionWeights(zip(blend, betas).map { $0 * $1 / beta }) }
            } else {
                let blended = zip(blend, paintingContent).reduce(0) { $0 + $1.0 * $1.1 }
                objective.weights.style = auto.styleWeight(contentWeight: α, paintingContentLoss: blended, photoStyleLoss: photoStyle)
            }
        }
        return objective
    }

    /// The box `0 ≤ pixel ≤ 255` in the preprocessed space: `−mean[c] … 255 − mean[c]` on plane c.
    func box(width: Int, height: Int) -> Box {
        let plane = width * height
        var lower = [Float](repeating: 0, count: 3 * plane), upper = lower
        for c in 0..<3 {
            for i in (c * plane)..<((c + 1) * plane) { lower[i] = -meanBGR[c]; upper[i] = 255 - meanBGR[c] }
        }
        return Box(lower: lower, upper: upper)
    }

    /// Where the first scale starts.
    func initialImage(width: Int, height: Int) -> Tensor3 {
        let c = configuration
        switch c.initialization {
        case .noise:
            return StyleTransfer.noise(channels: 3, height: height, width: width, sigma: c.noiseSigma, seed: c.seed)
        case .content:
            return Preprocessing.tensor(from: images.content(width: width, height: height), meanBGR: meanBGR)
        case .style:
            return Preprocessing.tensor(from: images.styleCovering(0, width: width, height: height), meanBGR: meanBGR)
        case .file:
            guard let start = images.initial else { return Preprocessing.tensor(from: images.content(width: width, height: height), meanBGR: meanBGR) }
            return Preprocessing.tensor(from: start.resized(width: width, height: height), meanBGR: meanBGR)
        }
    }

    /// Thrown through the optimizer when `shouldStop` asks to stop at an evaluation.
    private struct Stopped: Error {}

    /// Runs the schedule. `progress` is called at the start of every scale and after every
    /// iteration; returning false stops the run after that iteration. `shouldStop` is checked
    /// before every evaluation (a signal flag): the run then ends at the last accepted image.
    /// In both cases the outcome has `cancelled == true` and `image` is the image so far.
    /// A NaN or infinite loss throws `OptimizerError.nonFiniteLoss` with `image` set to the
    /// last image whose loss was finite.
    public func run(progress: (IterationReport) -> Bool = { _ in true },
                    shouldStop: @escaping () -> Bool = { false }) throws -> StyleTransferOutcome {
        let c = configuration
        let start = Date()
        var iteration = 0, evaluations = 0
        var terms = LossTerms(content: 0, style: 0, tv: 0, total: 0, stylePerLayer: [])
        var stopReason: StopReason?
        var cancelled = false
        let total = schedule.totalIterations
        let work = Double(schedule.scales.reduce(0) { $0 + $1.iterations * $1.pixels })
        var workDone = 0.0
        for (k, scale) in schedule.scales.enumerated() where !cancelled {
            self.objective = nil  // release the previous scale's buffers before allocating this one's
            let objective = try self.objective(width: scale.width, height: scale.height)
            self.objective = objective
            image = k == 0 ? initialImage(width: scale.width, height: scale.height)
                           : Preprocessing.tensor(from: currentImage.resized(width: scale.width, height: scale.height), meanBGR: meanBGR)
            let box = self.box(width: scale.width, height: scale.height)
            box.project(&image.data)
            func report(_ t: LossTerms, _ stop: StopReason?, starts: Bool = false) -> Bool {
                progress(IterationReport(iteration: iteration, totalIterations: total, evaluations: evaluations, terms: t,
                                         seconds: Date().timeIntervalSince(start), scale: k,
                                         scaleCount: schedule.scales.count, width: scale.width, height: scale.height,
                                         fractionDone: work > 0 ? min(1, workDone / work) : 1,
                                         startsScale: starts, stopReason: stop, styleWeight: objective.weights.style))
            }
            terms = try objective.evaluate(image, gradient: false).terms
            if !terms.total.isFinite { throw OptimizerError.nonFiniteLoss(iteration: iteration, loss: terms.total) }
            cancelled = !report(terms, nil, starts: true)
            var optimizer = makeOptimizer(box: box)
            let shape = (image.channels, image.height, image.width)
            let evaluate: LossFunction<[Float], LossTerms> = { x in
                if shouldStop() { throw Stopped() }
                let (t, g) = try objective.evaluate(Tensor3(channels: shape.0, height: shape.1, width: shape.2, data: x))
                evaluations += 1
                return Evaluation(loss: t.total, gradient: g!.data, info: t)
            }
            stopReason = nil
            var x = image.data
            for _ in 0..<scale.iterations where !cancelled {
                let step: OptimizerStep<LossTerms>
                do {
                    step = try optimizer.step(&x, evaluate: evaluate)
                } catch is Stopped {
                    image.data = x
                    cancelled = true
                    break
                } catch {
                    image.data = x
                    throw error
                }
                iteration += 1
                workDone += Double(scale.pixels)
                image.data = x
                terms = step.info
                stopReason = step.stop
                cancelled = !report(terms, step.stop)
                if step.stop != nil { break }
            }
            workDone = Double(schedule.scales[...k].reduce(0) { $0 + $1.iterations * $1.pixels })  // a scale that stopped early is done
            if case .adam = c.optimizer, scale.iterations > 0, k == schedule.scales.count - 1 || cancelled {
                // Adam reports the point before its last update: evaluate the image it ended at.
                terms = try objective.evaluate(image, gradient: false).terms
                _ = report(terms, stopReason)
            }
        }
        return StyleTransferOutcome(iterations: iteration, evaluations: evaluations, final: terms,
                                    seconds: Date().timeIntervalSince(start), width: image.width, height: image.height,
                                    stopReason: stopReason, cancelled: cancelled, styleWeight: self.objective?.weights.style ?? c.lossWeights.style)
    }

    private func makeOptimizer(box: Box) -> any Optimizer<[Float], LossTerms> {
        switch configuration.optimizer {
        case .lbfgs(let history): return LBFGS<CPUVectors, LossTerms>(historySize: history, box: box, vectors: engine.vectors)
        case .adam(let rate): return Adam<CPUVectors, LossTerms>(learningRate: rate, box: box, vectors: engine.vectors)
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
}
