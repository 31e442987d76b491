import Foundation

/// One Gatys et al. style transfer on tensors, executing a `RunPlan`: for every scale of
/// the coarse-to-fine schedule, the targets of that scale, a starting image, and a fresh
/// optimizer that sees the image only through `(x) -> (loss, gradient)`. No file is read or
/// written here (see `StyleTransfer+Files`).
public final class StyleTransfer {
    public let plan: RunPlan
    public let network: VGGNetwork
    /// Runs the network, the loss terms and the optimizer's vector operations, on the
    /// configuration's threads; with `--device cuda` it only scores (`scores(of:)`) and
    /// builds the objectives of `objective(width:height:)`, while `gpuEngine` runs the scales.
    public let engine: CPUEngine
    /// The engine of a `--device cuda` run (or `auto` with a GPU), which then runs every scale.
    public let gpuEngine: GPUEngine?
    /// With `--device auto` on a machine without a usable GPU, the first transfer of the
    /// process says so here (one line, for the caller's `warn`).
    public let deviceNote: String?
    /// The engine that runs the scales, in words: `cpu`, or `cuda, ` and the GPU's name
    /// (threads are not part of it: they change no result).
    public var engineDescription: String { gpuEngine.map { "cuda, \($0.backend.name)" } ?? "cpu" }
    public let images: TransferImages
    /// The generated image, `(3, H, W)` preprocessed (BGR, minus mean), at the current scale.
    /// On a GPU it comes back only when read (a snapshot, a dump, the end of a scale or of the
    /// run), not after every iteration.
    public var image: Tensor3 {
        if let pending = pendingImage {
            storedImage.data = pending()
            pendingImage = nil
        }
        return storedImage
    }
    private var storedImage: Tensor3
    /// While a scale optimizes: fetches the last accepted image from the engine.
    private var pendingImage: (() -> [Float])?
    /// The objective of the current scale (released before the next one is built).
    private var currentObjective: AnyObject?
    /// With `--style-weight auto`, the factor its feedback has changed β by so far
    /// (`AutomaticStyleWeight.boost`, and `adjustment` halfway through the final scale, which
    /// may lower it); 1 at the start of a run.
    public private(set) var styleBoost = 1.0
    /// With `--style-weight auto`, the photo's style distance at the current scale.
    private var autoDistances: AutomaticStyleWeight.Distances?

    public var configuration: StyleTransferConfiguration { plan.configuration }
    public var schedule: ScaleSchedule { plan.schedule }

    /// Builds the network through the plan's deepest layer. Targets are computed per scale.
    /// With `--device cuda` (or `auto`) the GPU engine runs on `backend` (nil: the first NVIDIA
    /// GPU, `CUDABackend`; tests pass an emulated one); a missing GPU throws its reason.
    public init(plan: RunPlan, weights: VGGWeights, images: TransferImages, backend: (any GPUBackend)? = nil) throws {
        self.plan = plan
        self.images = images
        let threads = plan.configuration.threads
        network = try VGGNetwork(weights: weights, pooling: plan.settings.pooling, through: plan.deepestLayer,
                                 parallel: Parallel(threads: threads))
        engine = CPUEngine(network: network, threads: threads)
        var (device, note) = backend != nil && plan.settings.device == .auto ? (.cuda, nil) : GPUAvailability.resolve(plan.settings.device)
        var gpu: (any GPUBackend)?
        if device == .cuda {
            let chosen = try backend ?? CUDABackend(math: plan.settings.gpuMath)
            // A run the GPU's free memory cannot hold stops here (or, with auto, runs on the
            // CPU), not at an allocation halfway through.
            let final = plan.schedule.scales.last!
            if let cuda = chosen as? CUDABackend, let free = try? cuda.device.memory().free,
               let problem = GPUMemoryCheck.problem(needed: RunPlan.estimatedGPUPeak(plan.settings, final: .init(width: final.width, height: final.height)),
                                                   free: Double(free), gpu: cuda.device.gpu.name, width: final.width, height: final.height) {
                guard plan.settings.device == .auto else { throw MemoryError(description: problem + "; choose a smaller size or the CPU") }
                (device, note) = (.cpu, problem + "; running on the CPU")
            } else {
                gpu = chosen
            }
        }
        deviceNote = note
        if let gpu { gpuEngine = try GPUEngine(network: network, backend: gpu) } else { gpuEngine = nil }
        storedImage = Tensor3(zeros: 3, images.content.height, images.content.width)
    }

    /// A run of `c` on images already in memory, planned without reading any file: the
    /// content's working size is taken as `size` (tests and benchmarks).
    public convenience init(configuration c: StyleTransferConfiguration, weights: VGGWeights, images: TransferImages) throws {
        var c = c
        c.size = max(images.content.width, images.content.height)
        if c.stylePaths.count != images.styles.count { c.stylePaths = Array(repeating: "", count: images.styles.count) }
        let plan = try RunPlan.make(c, weights: weights, contentSize: .init(width: images.content.width, height: images.content.height))
        try self.init(plan: plan, weights: weights, images: images)
    }

    /// The current image as RGB 0..255: what the optimizer works on (in luminance mode, a
    /// luminance image). Each scale starts from this one resized.
    public var currentImage: RGBImage { Preprocessing.image(from: image, meanBGR: network.meanBGR) }

    /// The current image as it is saved: `currentImage` with the colour mode's last step
    /// (in luminance mode, the photo's chroma put back).
    public var outputImage: RGBImage { images.output(currentImage) }

    /// Runs the schedule. `progress` gets a report at the start of every scale and after
    /// every iteration (an error it throws ends the run). `shouldStop` is polled before every
    /// evaluation (a signal flag): the run then throws `RunCancelled` with `image` the last
    /// accepted image. A NaN or infinite loss throws `OptimizerError.nonFiniteLoss` with
    /// `image` the last image whose loss was finite.
    public func run(progress: (IterationReport) throws -> Void = { _ in },
                    shouldStop: @escaping () -> Bool = { false }) throws -> StyleTransferOutcome {
        let described = engineDescription
        var first = true
        func reported(_ report: IterationReport) throws {
            var report = report
            if first { report.engine = described; first = false }
            try progress(report)
        }
        var outcome = try gpuEngine.map { try run(on: $0, progress: reported, shouldStop: shouldStop) }
            ?? run(on: engine, progress: reported, shouldStop: shouldStop)
        outcome.engine = described
        return outcome
    }

    private func run<E: Engine>(on engine: E, progress: (IterationReport) throws -> Void,
                                shouldStop: @escaping () -> Bool) throws -> StyleTransferOutcome {
        var tally = RunTally(schedule: schedule)
        for (k, scale) in schedule.scales.enumerated() {
            currentObjective = nil  // release the previous scale's buffers before allocating this one's
            let objective = try self.objective(on: engine, width: scale.width, height: scale.height,
                                               coarse: k < schedule.scales.count - 1)
            currentObjective = objective
            let start = k == 0 ? initialImage(width: scale.width, height: scale.height) : resizedImage(to: scale)
            pendingImage = nil
            storedImage = start
            let box = Box.pixels(width: scale.width, height: scale.height, meanBGR: network.meanBGR)
            box.project(&storedImage.data)

            tally.startScale(k)
            tally.terms = try objective.evaluate(image, gradient: false).terms
            if !tally.terms.total.isFinite { throw OptimizerError.nonFiniteLoss(iteration: tally.iteration, loss: tally.terms.total) }
            try progress(tally.report(startsScale: true, styleWeight: objective.weights.style))

            let last = k == schedule.scales.count - 1
            let refining = last && k > 0
            do {
                // The final scale of a coarse-to-fine run checks the style and content ratios halfway
                // and narrows the preconditioner's reach (`SmoothingPreconditioner.refining`).
                try optimize(scale, objective: objective, box: box, tally: &tally, progress: progress, shouldStop: shouldStop,
                             checkpoint: refining ? scale.iterations / 2 : nil, refining: refining)
            } catch let stop as RunCancelled {
                try finishAdam(objective, &tally, progress)
                throw stop
            }
            if last { try finishAdam(objective, &tally, progress) } else { styleBoost *= try feedBack(objective) }
        }
        return tally.outcome(image: image, styleWeight: (currentObjective as? StyleTransferObjective<E>)?.weights.style ?? 0)
    }

    /// One scale's iterations, from `image`, within `box`; stops early when the optimizer
    /// says so (converged, line search failed). After `checkpoint` iterations, `--style-weight
    /// auto`'s feedback may raise β (`feedBack`); the optimizer then starts afresh, since its
    /// curvature pairs belong to the old objective.
    private func optimize<E: Engine>(_ scale: ScaleSchedule.Scale, objective: StyleTransferObjective<E>, box: Box, tally: inout RunTally,
                                     progress: (IterationReport) throws -> Void, shouldStop: @escaping () -> Bool,
                                     checkpoint: Int?, refining: Bool) throws {
        let engine = objective.engine
        var optimizer = makeOptimizer(engine, box: box, refining: refining)
        var evaluations = 0
        let iteration = tally.iteration
        let evaluate: LossFunction<E.Vector, LossTerms> = { x in
            if shouldStop() { throw RunCancelled(iteration: iteration, keptAt: nil) }
            let (t, g) = try objective.evaluate(x)
            evaluations += 1
            return Evaluation(loss: t.total, gradient: g!, info: t)
        }
        var x = engine.vectors.upload(image.data)
        // The last accepted image, also when the optimizer throws (unless the device failed).
        defer {
            pendingImage = nil
            if (try? engine.check()) != nil { storedImage.data = engine.vectors.download(x) }
        }
        for i in 0..<scale.iterations {
            if i > 0 && i == checkpoint {
                let boost = try feedBack(objective, final: true)
                if boost != 1 {
                    styleBoost *= boost
                    objective.weights.style *= boost
                    optimizer = makeOptimizer(engine, box: box, refining: refining)
                }
            }
            let before = evaluations
            let step: OptimizerStep<LossTerms>
            do { step = try optimizer.step(&x, evaluate: evaluate) } catch var stop as RunCancelled {
                stop = RunCancelled(iteration: tally.iteration, keptAt: nil)
                tally.evaluations += evaluations - before
                throw stop
            }
            tally.evaluations += evaluations - before
            try engine.check()
            let accepted = x  // a GPU vector is a reference: LBFGS writes its next trial elsewhere
            pendingImage = { engine.vectors.download(accepted) }
            tally.finishIteration(step.info, stop: step.stop, pixels: scale.pixels)
            try progress(tally.report(startsScale: false, styleWeight: objective.weights.style))
            if step.stop != nil { break }
        }
        tally.finishScale()
    }

    /// `--style-weight auto`'s feedback on the current image: the factor to raise β by when
    /// the image is short of the painting (`AutomaticStyleWeight.boost`), 1 otherwise or with
    /// a fixed β. One forward pass. At the `final` scale's check (without style masks) also
    /// the painting's content loss, one more forward pass, and the factor may lower β
    /// (`AutomaticStyleWeight.adjustment`).
    private func feedBack<E: Engine>(_ objective: StyleTransferObjective<E>, final: Bool = false) throws -> Double {
        guard case .automatic(let auto) = plan.styleWeight, let distances = autoDistances else { return 1 }
        let terms = try objective.evaluate(image, gradient: false).terms
        let styleRatio = distances.styleRatio(objective, terms: terms)
        guard final, distances.regionStyle == nil else { return auto.boost(afterStyleRatio: styleRatio) }
        // Both losses with the run's own content term: with `--content-focus energy` weighted, so
        // this ratio is not `scores(of:)`'s uniform one (on `make eval`'s pairs it ran lower: the
        // check did not fire where the uniform ratio ended at 0.46).
        let painting = try paintingContent(objective, width: image.width, height: image.height)
        return auto.adjustment(styleRatio: styleRatio, contentRatio: painting > 0 ? terms.content / painting : nil)
    }

    /// Adam's reports are at the point before its last update: evaluate and report the
    /// image it ended at, so that the run's last report is the final image.
    private func finishAdam<E: Engine>(_ objective: StyleTransferObjective<E>, _ tally: inout RunTally,
                            _ progress: (IterationReport) throws -> Void) throws {
        guard plan.settings.optimizer == .adam, tally.iterationsThisScale > 0 else { return }
        tally.terms = try objective.evaluate(image, gradient: false).terms
        try progress(tally.report(startsScale: false, styleWeight: objective.weights.style))
    }

    /// The objective at one scale on the CPU engine: targets from the images resized to
    /// `width × height`, and β as the plan says (with `auto`, chosen from this scale's images).
    public func objective(width: Int, height: Int) throws -> StyleTransferObjective<CPUEngine> {
        try objective(on: engine, width: width, height: height)
    }

    /// The same on `engine`; a `coarse` scale (one before the last) compares the content at
    /// `RunPlan.coarseContentLayers`. `uniformContent` measures the content with every position
    /// alike whatever `--content-focus` says (`scores(of:)`).
    func objective<E: Engine>(on engine: E, width: Int, height: Int, coarse: Bool = false,
                              uniformContent: Bool = false) throws -> StyleTransferObjective<E> {
        let s = plan.settings
        let mean = network.meanBGR
        let content = Preprocessing.tensor(from: images.content(width: width, height: height), meanBGR: mean)
        let objective = try StyleTransferObjective(
            engine: engine, content: content,
            styles: images.styles(width: width, height: height).map { Preprocessing.tensor(from: $0, meanBGR: mean) },
            styleBlend: s.styleBlendWeights?.values, contentLayers: coarse ? plan.coarseContentLayers : s.contentLayers.names,
            styleLayers: s.styleLayers.names,
            styleLayerWeights: s.styleLayerWeights?.values, styleMasks: images.masks?.weights(width: width, height: height),
            contentFocus: uniformContent ? .uniform : plan.contentFocus, weights: s.lossWeights)
        if case .automatic(let auto) = plan.styleWeight {
            autoDistances = try auto.choose(for: objective, photo: content, blend: plan.blend, boost: styleBoost)
        }
        return objective
    }

    /// `refining`: the final scale of a coarse-to-fine run (`SmoothingPreconditioner.refining`).
    private func makeOptimizer<E: Engine>(_ engine: E, box: Box, refining: Bool) -> any Optimizer<E.Vector, LossTerms> {
        switch plan.settings.optimizer {
        case .lbfgs:
            var lbfgs = LBFGS<E.Vectors, LossTerms>(historySize: plan.settings.historySize, box: box, vectors: engine.vectors)
            lbfgs.stepScaling = RunSettings.stepScaling
            if plan.settings.preconditioner == .smooth {
                lbfgs.preconditioner = engine.smoothingPreconditioner(planes: image.channels, height: image.height, width: image.width,
                                                                      refining: refining)
            }
            return lbfgs
        case .adam: return Adam<E.Vectors, LossTerms>(learningRate: Float(plan.settings.learningRate), box: box, vectors: engine.vectors)
        }
    }
}
