/// The unweighted loss terms of one evaluation and their weighted total.
public struct LossTerms: Sendable, Equatable {
    /// `L_c`, the mean over content layers of `Σ(F(G) − F(C))² / (4·N·M)`.
    public var content: Double
    /// `L_s = Σ_l w_l·E_l`.
    public var style: Double
    /// `L_tv` (see `TotalVariation`).
    public var tv: Double
    /// `α·L_c + β·L_s + γ·L_tv`: what the optimizer minimizes.
    public var total: Double
    /// `E_l` of every style layer, in the order of the style layers.
    public var stylePerLayer: [Double]
}

/// α, β and γ of `L = α·L_c + β·L_s + γ·L_tv`.
public struct LossWeights: Sendable, Equatable {
    public var content: Double
    public var style: Double
    public var tv: Double
    public init(content: Double, style: Double, tv: Double) {
        self.content = content; self.style = style; self.tv = tv
    }
}

/// The Gatys et al. objective for one content image and one (blended) style target.
///
/// Definitions (all size-invariant, so the weights mean the same at every size):
/// - `F_l`: ReLU activations at layer l, `N_l` channels × `M_l = H_l·W_l` positions;
/// - content `L_c = mean over content layers of Σ(F_l(G) − F_l(C))² / (4·N_l·M_l)`, or with
///   `ContentFocus.energy` each position's squares weighted by `w_x` (`ContentFocus`);
/// - style `E_l = Σ(Gram_l(G) − A_l)² / (4·N_l²·M_l²)`, `Gram = F·Fᵀ`, `L_s = Σ_l w_l·E_l`;
/// - `L_tv` as in `TotalVariation`; total `α·L_c + β·L_s + γ·L_tv`.
///
/// Targets are computed once, at construction. The style target `A_l` is the blend
/// `Σ_i b_i·Gram_l(S_i)` of the style images' Grams (`b` normalized to sum 1). A Gram
/// sums over positions, so a style image with a different number of positions `M_s`
/// than the generated image's `M_l` has its Gram scaled by `M_l / M_s`; at equal sizes
/// this is exactly the definition above, and at other sizes it compares the
/// per-position channel correlations, as neural-style's normalized Gram does.
///
/// With style masks, `E_l = Σ_i b_i·E_{l,i}` over each style's own region instead
/// (`MaskedStyleTerm`); without them, the objective above exactly.
///
/// Everything is computed by `engine` (`Engine`): targets are its vectors, and an
/// evaluation is one forward and one backward pass plus the loss terms, all in the engine.
public final class StyleTransferObjective<E: Engine> {
    public let engine: E
    /// α, β, γ as used. `StyleTransfer` sets β once per scale, before optimizing, when
    /// `--style-weight auto` chose it (see `AutomaticStyleWeight`).
    public internal(set) var weights: LossWeights
    public let contentLayers: [String]
    /// `.uniform` (Gatys et al.'s term) or `.energy` (never `.auto`: the run resolves it).
    public let contentFocus: ContentFocus
    public let styleLayers: [String]
    /// `w_l`, in the order of `styleLayers`.
    public let styleLayerWeights: [Double]
    /// Width and height of the generated image.
    public let width: Int, height: Int

    private let contentStages: [Int]
    private let styleStages: [Int]
    /// The stages whose outputs the engine keeps: the content and style layers.
    private let lossStages: Set<Int>
    private let deepest: Int
    private var contentTargets: [E.Vector] = []
    /// With `.energy`, `w` of each content layer (its positions); nil with `.uniform`.
    private var contentPositionWeights: [E.Vector]? = nil
    private var styleTargets: [E.Vector] = []
    /// The style term with `--style-masks`; nil without masks.
    private let masked: MaskedStyleTerm<E>?

    /// Computes the targets with `engine`, then frees its buffers (the style images can be
    /// larger than the generated one).
    ///
    /// - Parameters:
    ///   - content: the content image tensor; the generated image has its size.
    ///   - styles: one or more style image tensors (any sizes).
    ///   - styleBlend: one weight per style image (normalized); nil means equal.
    ///   - styleLayerWeights: `w_l`; nil means `1/L` each.
    ///   - styleMasks: one mask per style image at the content's size (`W·H` values in 0…1,
    ///     row-major): each style is then matched only over its region (`MaskedStyleTerm`).
    ///   - contentFocus: `.uniform` or `.energy` (`ContentFocus`).
    public init(engine: E, content: Tensor3, styles: [Tensor3], styleBlend: [Double]? = nil,
                contentLayers: [String], styleLayers: [String], styleLayerWeights: [Double]? = nil,
                styleMasks: [[Float]]? = nil, contentFocus: ContentFocus = .uniform, weights: LossWeights) throws {
        precondition(!styles.isEmpty, "at least one style image")
        precondition(contentFocus != .auto, "the run resolves --content-focus auto")
        precondition(styleMasks == nil || styleMasks!.count == styles.count, "one mask per style image")
        let network = engine.network
        self.engine = engine
        self.contentStages = try contentLayers.map(network.lossStage)
        self.styleStages = try styleLayers.map(network.lossStage)
        self.lossStages = Set(contentStages + styleStages)
        self.deepest = (contentStages + styleStages).max() ?? 0
        self.weights = weights
        self.contentLayers = contentLayers
        self.contentFocus = contentFocus
        self.styleLayers = styleLayers
        self.styleLayerWeights = styleLayerWeights ?? Array(repeating: 1.0 / Double(max(1, styleLayers.count)), count: styleLayers.count)
        self.width = content.width
        self.height = content.height

        let blend = WeightList(styleBlend ?? Array(repeating: 1, count: styles.count)).normalized
        let styleStages = self.styleStages
        masked = styleMasks.map { MaskedStyleTerm(engine: engine, masks: $0, width: content.width, height: content.height,
                                                  styleStages: styleStages, blend: blend) }

        let vectors = engine.vectors
        engine.releaseBuffers()  // start from nothing, as a fresh engine would
        try forward(content)
        contentTargets = contentStages.map { engine.output(ofStage: $0) }
        if contentFocus == .energy {
            contentPositionWeights = zip(contentStages, contentTargets).map { i, target in
                vectors.upload(ContentFocus.energyWeights(target: vectors.download(target), channels: network.channels(ofStage: i)))
            }
        }
        styleTargets = masked != nil ? [] : styleStages.map { i in
            let n = network.channels(ofStage: i)
            return vectors.zeros(n * n)
        }
        for (s, style) in styles.enumerated() {
            try forward(style)
            if let masked {
                masked.addTargets(of: s, width: style.width, height: style.height, styleStages: styleStages)
                continue
            }
            for (j, i) in styleStages.enumerated() {
                let generated = network.outputSize(ofStage: i, width: width, height: height)
                let own = network.outputSize(ofStage: i, width: style.width, height: style.height)
                let scale = Float(blend[s] * Double(generated.width * generated.height) / Double(own.width * own.height))
                vectors.axpy(scale, engine.gram(ofStage: i), &styleTargets[j])
            }
        }
        // The style images can be larger than the generated one; give back buffers sized for
        // them, so the optimization's engine holds only what the generated image needs.
        engine.releaseBuffers()
    }

    /// One forward pass of `image` through the loss layers.
    private func forward(_ image: Tensor3) throws {
        try engine.forward(engine.vectors.upload(image.data), width: image.width, height: image.height,
                           through: deepest, keeping: lossStages)
    }

    /// With style masks, `Σ_l w_l·E_{l,i}` of each style image i at the last evaluation
    /// (unweighted by blend or β); nil without masks.
    public var lastStyleLossPerRegion: [Double]? {
        masked.map { m in
            m.lastTerms.first.map { first in
                (0..<first.count).map { i in zip(styleLayerWeights, m.lastTerms).reduce(0) { $0 + $1.0 * $1.1[i] } }
            } ?? []
        }
    }

    /// `mean over content layers of Σ F_l(C)² / (4·N_l·M_l)`: the content loss of an image
    /// whose content-layer activations are all zero under the uniform term, the photo's own
    /// feature energy (`AutomaticStyleWeight`'s unit of content; unweighted with either focus).
    var contentEnergy: Double {
        let v = engine.vectors
        return contentTargets.reduce(0) { $0 + v.dot($1, $1) / (4 * Double(v.count($1))) } / Double(max(1, contentTargets.count))
    }

    /// With style masks, each region's share of the style term (`MaskedStyleTerm.regionWeights`).
    func setRegionWeights(_ weights: [Double]) { masked?.regionWeights = weights }


    /// Evaluates the loss terms at `x` (`(3, H, W)`, preprocessed, the content's size, as the
    /// engine's vector), and the gradient `∂L/∂x` of the weighted total when `gradient` is true.
    public func evaluate(_ x: E.Vector, gradient wantsGradient: Bool = true) throws -> (terms: LossTerms, gradient: E.Vector?) {
        precondition(engine.vectors.count(x) == 3 * width * height, "generated image has the wrong shape")
        try engine.forward(x, width: width, height: height, through: deepest, keeping: lossStages)
        var content = 0.0, style = 0.0
        var perLayer = [Double](repeating: 0, count: styleStages.count)
        let contentScale = Float(weights.content / Double(max(1, contentStages.count)))
        // The terms read at stage i; with a gradient, each adds its own to `grad`.
        func addTerms(at i: Int, _ grad: inout E.Vector?) {
            for (j, s) in contentStages.enumerated() where s == i {
                content += engine.contentLoss(atStage: i, target: contentTargets[j], positionWeights: contentPositionWeights?[j],
                                              scale: contentScale, gradient: &grad) / Double(contentStages.count)
            }
            for (j, s) in styleStages.enumerated() where s == i {
                let scale = Float(weights.style * styleLayerWeights[j])
                let e: Double
                if let masked {
                    e = masked.loss(layer: j, stage: i, scale: scale, gradient: &grad)
                } else {
                    e = engine.styleLoss(atStage: i, target: styleTargets[j], scale: scale, gradient: &grad)
                }
                perLayer[j] = e
                style += styleLayerWeights[j] * e
            }
        }
        var grad: E.Vector?
        if wantsGradient {
            grad = engine.backward(from: deepest) { i, g in addTerms(at: i, &g) }
        } else {
            for i in 0...deepest { addTerms(at: i, &grad) }
        }
        let tv = engine.totalVariation(x, width: width, height: height, scale: Float(weights.tv), gradient: &grad)
        let total = weights.content * content + weights.style * style + weights.tv * tv
        return (LossTerms(content: content, style: style, tv: tv, total: total, stylePerLayer: perLayer), grad)
    }

    /// `evaluate` on a tensor in main memory (uploaded to the engine; the gradient comes back
    /// as a tensor of the same shape).
    public func evaluate(_ x: Tensor3, gradient wantsGradient: Bool = true) throws -> (terms: LossTerms, gradient: Tensor3?) {
        precondition(x.width == width && x.height == height && x.channels == 3, "generated image has the wrong shape")
        let (terms, grad) = try evaluate(engine.vectors.upload(x.data), gradient: wantsGradient)
        return (terms, grad.map { Tensor3(channels: 3, height: height, width: width, data: engine.vectors.download($0)) })
    }
}
