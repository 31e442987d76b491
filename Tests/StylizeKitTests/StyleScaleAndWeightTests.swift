import XCTest
@testable import StylizeKit

/// `--style-scale` (the paintings' size at every scale) and `--style-weight auto` (β from
/// the inputs' distances), on synthetic images and a small synthetic network.
final class StyleScaleAndWeightTests: XCTestCase {
    override func setUp() { Parallel.threads = 2; BLAS.setThreads(2) }

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

    /// β = ratio·α·D_c/D_s with D_c the painting's own content loss (stretched to the photo's
    /// size) and D_s the photo's own style loss, both scored by the fixed objective; an
    /// explicit β (automaticStyleWeight nil) is left exactly as given.
    func testAutomaticStyleWeightBalancesTheInputsDistances() throws {
        let style = pattern(30, 36, 13)
        let fixed = try transfer(style, auto: nil).objective(width: 40, height: 32)
        XCTAssertEqual(fixed.weights, LossWeights(content: 5, style: 1e-3, tv: 1))
        let mean = fixed.engine.network.meanBGR
        let photoStyle = try fixed.evaluate(Preprocessing.tensor(from: pattern(40, 32, 7), meanBGR: mean), gradient: false).terms.style
        let paintingContent = try fixed.evaluate(Preprocessing.tensor(from: style.resized(width: 40, height: 32), meanBGR: mean),
                                                 gradient: false).terms.content
        let auto = try transfer(style, auto: AutomaticStyleWeight(ratio: 2)).objective(width: 40, height: 32)
        XCTAssertEqual(auto.weights.style, 2 * 5 * paintingContent / photoStyle, accuracy: 1e-9 * auto.weights.style)
        XCTAssertEqual(auto.weights.content, 5); XCTAssertEqual(auto.weights.tv, 1)

        // A painting with twice the contrast is farther from the photo in style terms: a fixed
        // β would weigh it more; auto's β falls, so the photo's own style loss weighs the same.
        let strong = RGBImage(width: style.width, height: style.height, pixels: style.pixels.map { min(255, max(0, 128 + 2 * ($0 - 128))) })
        let strongAuto = try transfer(strong, auto: AutomaticStyleWeight(ratio: 2)).objective(width: 40, height: 32)
        let strongPhotoStyle = try strongAuto.evaluate(Preprocessing.tensor(from: pattern(40, 32, 7), meanBGR: mean), gradient: false).terms.style
        XCTAssertGreaterThan(strongPhotoStyle, 1.5 * photoStyle)
        XCTAssertLessThan(strongAuto.weights.style, auto.weights.style)
    }
}
