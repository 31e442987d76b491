/// The style term with `--style-masks` (Gatys et al. 2017, §4, guided Gram matrices): each
/// style image is matched only over its own region of the generated image.
///
/// For style image `i` with mask `T_i` and blend weight `b_i` (normalised to sum 1), at
/// style layer l: `E_l = Σ_i b_i · E_{l,i}`, where `E_{l,i}` is `Gram.maskedStyleLoss` of
/// the generated image's activations under `T_i` at that layer's size, against style `i`'s
/// Gram per position. The content term is unchanged. With one all-white mask this is the
/// unmasked term (`Gram.maskedStyleLoss` documents why).
///
/// Masks need not cover the image (an uncovered pixel has only the content and TV terms)
/// and may overlap (a pixel under two masks is asked for both textures at once, weighted by
/// `b_i`); a region that is empty at a deep layer contributes nothing there.
final class MaskedStyleTerm<E: Engine> {
    let engine: E
    /// `targets[j][i]`: style image i's Gram at style layer j divided by its positions, `N × N`.
    private var targets: [[E.Vector]] = []
    /// `masks[j][i]`: mask i at style layer j's size (`LayerMask.downsampled`).
    private let masks: [[E.Vector]]
    /// The weight of each style's term: `b_i` (normalised), or with `--style-weight auto`
    /// `b_i·β_i/β` (see `StyleTransfer.objective`), so that each region is balanced
    /// against its own painting.
    var regionWeights: [Double]
    /// `E_{l,i}` of the last evaluation, `[layer][style]`, unweighted.
    private(set) var lastTerms: [[Double]]

    /// - Parameters:
    ///   - masks: one per style image, each `width × height` values in 0…1, row-major.
    ///   - styleStages: the network stages of the style layers.
    init(engine: E, masks: [[Float]], width: Int, height: Int, styleStages: [Int], blend: [Double]) {
        precondition(masks.allSatisfy { $0.count == width * height }, "a mask must have the generated image's size")
        self.engine = engine
        self.regionWeights = blend
        self.lastTerms = styleStages.map { _ in blend.map { _ in 0 } }
        self.masks = styleStages.map { stage in
            masks.map {
                engine.vectors.upload(LayerMask.downsampled($0, width: width, height: height,
                                                            times: engine.network.poolings(throughStage: stage)))
            }
        }
    }

    /// Adds style image `index`'s Grams (`width × height`), taken by the engine after a
    /// forward pass through every style stage, as its targets.
    func addTargets(of index: Int, width: Int, height: Int, styleStages: [Int]) {
        if targets.isEmpty { targets = styleStages.map { _ in [] } }
        for (j, stage) in styleStages.enumerated() {
            let size = engine.network.outputSize(ofStage: stage, width: width, height: height)
            var gram = engine.gram(ofStage: stage)
            engine.vectors.scale(1 / Float(size.width * size.height), &gram)
            targets[j].append(gram)
        }
        precondition(targets.allSatisfy { $0.count == index + 1 }, "style targets are added in order")
    }

    /// `E_l` of style layer `j` (network stage `stage`) from the engine's last forward pass;
    /// adds `scale · ∂E_l/∂F` to `gradient` when given.
    func loss(layer j: Int, stage: Int, scale: Float, gradient: inout E.Vector?) -> Double {
        var e = 0.0
        for (i, b) in regionWeights.enumerated() {
            let term: Double
            if b > 0 {
                term = engine.maskedStyleLoss(atStage: stage, mask: masks[j][i], target: targets[j][i],
                                              scale: scale * Float(b), gradient: &gradient)
            } else if gradient == nil {  // a region without weight still reports its term
                term = engine.maskedStyleLoss(atStage: stage, mask: masks[j][i], target: targets[j][i],
                                              scale: 0, gradient: &gradient)
            } else {
                term = 0
            }
            lastTerms[j][i] = term
            e += b * term
        }
        return e
    }
}

/// A mask at a layer's size.
///
/// Choice (the paper discusses simple downsampling and "inside" masks, eroded so that a
/// neuron counts only when its receptive field lies inside the region): at each 2×2 pooling
/// the mask is averaged over the pooling cell, dropping a last odd row or column as the
/// pooling does, and left unchanged by convolutions. So a layer position's value is the
/// fraction of its cell's pixels in the region, and the mask follows the network's own
/// geometry at every size. Eroded masks would empty small regions at relu5_1, whose
/// receptive field is 132 px, and the soft edge lets the styles meet without a seam.
enum LayerMask {
    /// `mask` (`width × height`, row-major) after `times` 2×2 mean poolings.
    static func downsampled(_ mask: [Float], width: Int, height: Int, times: Int) -> [Float] {
        var values = mask, w = width, h = height
        for _ in 0..<times {
            let w2 = w / 2, h2 = h / 2
            var next = [Float](repeating: 0, count: w2 * h2)
            for y in 0..<h2 {
                for x in 0..<w2 {
                    let p = 2 * y * w + 2 * x
                    next[y * w2 + x] = 0.25 * (values[p] + values[p + 1] + values[p + w] + values[p + w + 1])
                }
            }
            values = next; w = w2; h = h2
        }
        return values
    }
}
