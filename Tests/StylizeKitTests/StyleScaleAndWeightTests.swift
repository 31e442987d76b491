import XCTest
@testable import StylizeKit

/// `--style-scale` (the paintings' size at every scale) and `--style-weight auto` (β from
/// the inputs' distances), on synthetic images and a small synthetic network.
final class StyleScaleAndWeightTests: XCTestCase {
    func pattern(_ w: Int, _ h: Int, _ f: Double) -> RGBImage {
        var p = [Float]()
        for y in 0..<h { for x in 0..<w { for c in 0..<3 {
            p.append(Float(128 + 100 * sin(f * Double(x + 2 * c) / Double(w)) * cos(f * Double(y) / Double(h))))
        } } }
        return RGBImage(width: w, height: h, pixels: p)
    }

    /// At every scale of the schedule the painting's longest side is F × the generated
    /// image's (rounded), keeping its own aspect ratio; a short side that would fall below
    /// the network's minimum is raised to it.
    func testPaintingIsScaledRelativeToEveryScale() {
        let content = pattern(256, 192, 9), style = pattern(200, 300, 5)
        let schedule = ScaleSchedule(width: 256, height: 192, minSize: 64, factor: 2, iterations: 1, coarseIterations: 1)
        XCTAssertEqual(schedule.scales.map(\.width), [64, 128, 256])
        for f in [0.5, 1, 2] {
            let side = Int((256 * f).rounded())
            let images = TransferImages(content: content, styles: [style.resized(longestSide: side)], styleScale: f, minimumStyleSide: 16)
            for s in schedule.scales {
                let painting = images.styles(width: s.width, height: s.height)[0]
                let expected = max(Int((Double(s.longestSide) * f).rounded()), 24)  // 16 px short side ⇒ 24 px long side
                XCTAssertEqual(painting.height, expected, "F = \(f) at \(s.width)x\(s.height)")
                XCTAssertEqual(Double(painting.width) / Double(painting.height), 2.0 / 3, accuracy: 0.05)
            }
        }
        let tiny = TransferImages(content: content, styles: [style], styleScale: 0.2, minimumStyleSide: 16)
        XCTAssertEqual(tiny.styles(width: 64, height: 48)[0].width, 16)  // 0.2 × 64 = 13 px would leave relu5_1 empty
    }

    func transfer(_ style: RGBImage, auto: AutomaticStyleWeight?) throws -> StyleTransfer {
        var c = StyleTransferConfiguration(contentPath: "", stylePaths: [""], outputPath: "")
        c.size = 40; c.minSize = 40
        c.contentLayers = ["relu2_1"]; c.styleLayers = ["relu1_1", "relu2_1"]
        c.contentWeight = 5; c.tvWeight = 1
        c.styleWeight = auto == nil ? .fixed(1e-3) : .auto
        let weights = syntheticWeights(c1: 8, c2: 12, seed: 4)
        var plan = try RunPlan.make(c, weights: weights, contentSize: .init(width: 40, height: 32))
        if let auto { plan.styleWeight = .automatic(auto) }
        return try StyleTransfer(plan: plan, weights: weights,
                                 images: TransferImages(content: pattern(40, 32, 7), styles: [style], minimumStyleSide: 16))
    }

    /// β = ratio·α·E_c/D_s with E_c the photo's own content energy (Σ F² / (4·N·M) of its
    /// content-layer activations, computed here from the network's output) and D_s the photo's
    /// own style loss scored by the fixed objective; an explicit β is left exactly as given.
    func testAutomaticStyleWeightBalancesThePhotosEnergyAndStyleDistance() throws {
        let style = pattern(30, 36, 13)
        let fixed = try transfer(style, auto: nil).objective(width: 40, height: 32)
        XCTAssertEqual(fixed.weights, LossWeights(content: 5, style: 1e-3, tv: 1))
        let mean = fixed.engine.network.meanBGR
        let photo = Preprocessing.tensor(from: pattern(40, 32, 7), meanBGR: mean)
        let photoStyle = try fixed.evaluate(photo, gradient: false).terms.style
        let engine = fixed.engine, stage = try engine.network.lossStage("relu2_1")
        try engine.forward(engine.vectors.upload(photo.data), width: 40, height: 32, through: stage, keeping: [stage])
        let f = engine.vectors.download(engine.output(ofStage: stage))
        let energy = f.reduce(0.0) { $0 + Double($1) * Double($1) } / (4 * Double(f.count))
        XCTAssertGreaterThan(energy, 0)
        let auto = try transfer(style, auto: AutomaticStyleWeight(ratio: 2)).objective(width: 40, height: 32)
        XCTAssertEqual(auto.weights.style, 2 * 5 * energy / photoStyle, accuracy: 1e-5 * auto.weights.style)
        XCTAssertEqual(auto.weights.content, 5); XCTAssertEqual(auto.weights.tv, 1)

        // A painting with twice the contrast is farther from the photo in style terms: a fixed
        // β would weigh it more; auto's β falls, so the photo's own style loss weighs the same.
        let strong = RGBImage(width: style.width, height: style.height, pixels: style.pixels.map { min(255, max(0, 128 + 2 * ($0 - 128))) })
        let strongAuto = try transfer(strong, auto: AutomaticStyleWeight(ratio: 2)).objective(width: 40, height: 32)
        let strongPhotoStyle = try strongAuto.evaluate(Preprocessing.tensor(from: pattern(40, 32, 7), meanBGR: mean), gradient: false).terms.style
        XCTAssertGreaterThan(strongPhotoStyle, 1.5 * photoStyle)
        XCTAssertLessThan(strongAuto.weights.style, auto.weights.style)
    }

    /// The feedback between scales: no change at or below the target style ratio,
    /// (ratio/target)² above it (the style ratio falls about as β^-0.5), at most 4× a scale.
    func testAutomaticStyleWeightFeedbackRaisesBetaOnlyAboveTheTarget() {
        let auto = AutomaticStyleWeight(ratio: 4, styleTarget: 0.1)
        XCTAssertEqual(auto.boost(afterStyleRatio: 0.05), 1)
        XCTAssertEqual(auto.boost(afterStyleRatio: 0.1), 1)
        XCTAssertEqual(auto.boost(afterStyleRatio: 0.15), 2.25, accuracy: 1e-12)
        XCTAssertEqual(auto.boost(afterStyleRatio: 0.5), 4)
        XCTAssertEqual(auto.boost(afterStyleRatio: .nan), 1)
        XCTAssertEqual(auto.styleWeight(contentWeight: 5, photoContentEnergy: 2, photoStyleLoss: 8, boost: 3), 3 * 4 * 5 * 2 / 8)
        XCTAssertEqual(auto.styleWeight(contentWeight: 5, photoContentEnergy: 0, photoStyleLoss: 8), 0)
    }

    /// The final scale's halfway check: the worse of the two ratios, each against its own
    /// target, decides; a content ratio above its target lowers β by (target/ratio)², at most
    /// 2×; without a content ratio it is the style rule alone.
    func testAutomaticStyleWeightAdjustmentLowersBetaWhenThePhotoFades() {
        let auto = AutomaticStyleWeight(ratio: 4, styleTarget: 0.1, contentTarget: 0.4)
        XCTAssertEqual(auto.adjustment(styleRatio: 0.05, contentRatio: 0.3), 1)
        XCTAssertEqual(auto.adjustment(styleRatio: 0.05, contentRatio: 0.5), 0.64, accuracy: 1e-12)
        XCTAssertEqual(auto.adjustment(styleRatio: 0.05, contentRatio: 2), 0.5)
        // both above: the style ratio is 1.5× its target, the content ratio 1.25× its: raise
        XCTAssertEqual(auto.adjustment(styleRatio: 0.15, contentRatio: 0.5), 2.25, accuracy: 1e-12)
        // both above, the content further: lower
        XCTAssertEqual(auto.adjustment(styleRatio: 0.11, contentRatio: 0.55), 1 / (1.375 * 1.375), accuracy: 1e-12)
        XCTAssertEqual(auto.adjustment(styleRatio: 0.15, contentRatio: nil), 2.25, accuracy: 1e-12)
        XCTAssertEqual(auto.adjustment(styleRatio: 0.05, contentRatio: .nan), 1)
        XCTAssertEqual(auto.adjustment(styleRatio: 0.05, contentRatio: .infinity), 1)
        XCTAssertEqual(AutomaticStyleWeight().contentTarget, 0.4)
    }

    /// A run of two scales (coarse 20 px, final 40 px) on synthetic weights and images.
    func twoScales(_ weight: StyleWeightPolicy) throws -> StyleTransfer {
        var c = StyleTransferConfiguration(contentPath: "", stylePaths: [""], outputPath: "")
        c.size = 40; c.minSize = 20; c.scaleFactor = 2; c.iterations = 6; c.coarseIterations = 4
        c.contentLayers = ["relu2_1"]; c.styleLayers = ["relu1_1", "relu2_1"]
        c.contentWeight = 5; c.tvWeight = 1; c.threads = 1
        if case .fixed(let beta) = weight { c.styleWeight = .fixed(beta) }
        let weights = syntheticWeights(c1: 8, c2: 12, seed: 4)
        var plan = try RunPlan.make(c, weights: weights, contentSize: .init(width: 40, height: 32))
        plan.styleWeight = weight
        return try StyleTransfer(plan: plan, weights: weights,
                                 images: TransferImages(content: pattern(40, 32, 7), styles: [pattern(30, 36, 13)], minimumStyleSide: 16))
    }

    /// The same in a run: with a content target no image meets and a style target every image
    /// meets, the coarse scale leaves β alone and the final scale's halfway check halves it.
    func testAutomaticStyleWeightFeedbackLowersBetaHalfwayThroughTheFinalScale() throws {
        try checkFeedback(AutomaticStyleWeight(ratio: 1, styleTarget: 10, contentTarget: 1e-9), changesBetaBy: 0.5)
    }

    /// A two-scale run with `auto` ends with the final scale's own β times `factor`, having
    /// used three values of β (the first scale's, and the final one's before and after its
    /// halfway check).
    func checkFeedback(_ auto: AutomaticStyleWeight, changesBetaBy factor: Double) throws {
        let base = try twoScales(.automatic(auto)).objective(width: 40, height: 32).weights.style
        let run = try twoScales(.automatic(auto))
        var betas: [Double] = []
        let outcome = try run.run(progress: { betas.append($0.styleWeight) })
        XCTAssertEqual(run.styleBoost, factor)
        XCTAssertEqual(outcome.styleWeight, factor * base, accuracy: 1e-9 * outcome.styleWeight)
        XCTAssertEqual(Set(betas).count, 3, "β of the first scale, of the final one's first half, and of its second half")
    }

    /// The feedback in a run: with a ratio far too small for the painting, the style ratio
    /// stays far above the target, so β is raised 4× after the first scale and 4× again
    /// halfway through the last, 16× the final scale's own β in all.
    func testAutomaticStyleWeightFeedbackRaisesBetaDuringARun() throws {
        XCTAssertEqual(try twoScales(.fixed(1e-3)).schedule.scales.map(\.width), [20, 40])
        try checkFeedback(AutomaticStyleWeight(ratio: 1e-4, styleTarget: 0.085), changesBetaBy: 16)

        let fixed = try twoScales(.fixed(1e-3))
        let fixedOutcome = try fixed.run()
        XCTAssertEqual(fixed.styleBoost, 1)
        XCTAssertEqual(fixedOutcome.styleWeight, 1e-3)
    }

    /// `PairScores` of the inputs themselves: the photo is all photo (content ratio 0) and no
    /// painting (style ratio 1); the painting stretched to the photo's size is no photo
    /// (content ratio 1). The total is the objective's weighted sum.
    func testPairScoresOfTheInputsThemselves() throws {
        let t = try transfer(pattern(30, 36, 13), auto: nil)
        let photo = try t.scores(of: pattern(40, 32, 7))
        XCTAssertEqual(photo.contentRatio, 0)
        XCTAssertEqual(photo.styleRatio, 1, accuracy: 1e-12)
        XCTAssertGreaterThan(photo.photoStyle, 0)
        XCTAssertEqual(photo.terms.total, 1e-3 * photo.terms.style + photo.terms.tv, accuracy: 1e-9 * photo.terms.total)
        let painting = try t.scores(of: pattern(30, 36, 13).resized(width: 40, height: 32))
        XCTAssertEqual(painting.contentRatio, 1, accuracy: 1e-12)
        XCTAssertEqual(painting.paintingContent, photo.paintingContent)
    }
}
