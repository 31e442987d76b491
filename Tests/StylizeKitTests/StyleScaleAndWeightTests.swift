import XCTest
@testable import StylizeKit

/// `--style-scale` (the paintings' size at every scale) and `--style-weight auto` (β from
/// the target energies), on synthetic images and a small synthetic network.
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
            let images = TransferImages(content: content, styles: [style.resized(longestSide: side)], styleScale: f)
            for s in schedule.scales {
                let painting = images.styles(width: s.width, height: s.height)[0]
                let expected = max(Int((Double(s.longestSide) * f).rounded()), 24)  // 16 px short side ⇒ 24 px long side
                XCTAssertEqual(painting.height, expected, "F = \(f) at \(s.width)x\(s.height)")
                XCTAssertEqual(Double(painting.width) / Double(painting.height), 2.0 / 3, accuracy: 0.05)
            }
        }
        let tiny = TransferImages(content: content, styles: [style], styleScale: 0.2)
        XCTAssertEqual(tiny.styles(width: 64, height: 48)[0].width, 16)  // 0.2 × 64 = 13 px would leave relu5_1 empty
    }

    func objective(_ style: RGBImage, auto: AutomaticStyleWeight?) throws -> StyleTransferObjective {
        let network = try VGGNetwork(weights: syntheticWeights(c1: 8, c2: 12, seed: 4), pooling: .max, through: "relu2_1")
        let mean = network.meanBGR
        return try StyleTransferObjective(network: network, content: Preprocessing.tensor(from: pattern(40, 32, 7), meanBGR: mean),
                                          styles: [Preprocessing.tensor(from: style, meanBGR: mean)],
                                          contentLayers: ["relu2_1"], styleLayers: ["relu1_1", "relu2_1"],
                                          weights: LossWeights(content: 5, style: 1e-3, tv: 1), automaticStyleWeight: auto)
    }

    /// β = ratio·α·P/S from the targets' energies; an explicit β (automaticStyleWeight nil)
    /// is left exactly as given; P is Σ F(C)² / (4·N·M) at the content layer.
    func testAutomaticStyleWeightIsTheRatioOfTargetEnergies() throws {
        let style = pattern(40, 32, 13)
        let fixed = try objective(style, auto: nil)
        XCTAssertEqual(fixed.weights, LossWeights(content: 5, style: 1e-3, tv: 1))
        let auto = try objective(style, auto: AutomaticStyleWeight(ratio: 2))
        XCTAssertEqual(auto.contentEnergy, fixed.contentEnergy)
        XCTAssertEqual(auto.weights.style, 2 * 5 * fixed.contentEnergy / fixed.styleEnergy, accuracy: 1e-12 * auto.weights.style)
        XCTAssertEqual(auto.weights.content, 5); XCTAssertEqual(auto.weights.tv, 1)

        // P against Σ F(C)² / (4·N·M) from a fresh forward pass of the content image.
        let network = auto.engine.network
        let content = Preprocessing.tensor(from: pattern(40, 32, 7), meanBGR: network.meanBGR)
        try auto.engine.forward(content, through: try network.lossStage("relu2_1"))
        let f = auto.engine.activations[try network.lossStage("relu2_1")]
        let p = f.data.reduce(0.0) { $0 + Double($1) * Double($1) } / (4 * Double(f.channels) * Double(f.positions))
        XCTAssertEqual(auto.contentEnergy, p, accuracy: 1e-9 * p)

        // A painting with twice the contrast has larger Grams, so a fixed β weighs it more;
        // auto's β falls to compensate, leaving β·S (the style term's weight on a relative
        // error) equal.
        let strong = RGBImage(width: style.width, height: style.height, pixels: style.pixels.map { min(255, max(0, 128 + 2 * ($0 - 128))) })
        let autoStrong = try objective(strong, auto: AutomaticStyleWeight(ratio: 2))
        XCTAssertGreaterThan(autoStrong.styleEnergy, 1.5 * auto.styleEnergy)
        XCTAssertEqual(autoStrong.weights.style * autoStrong.styleEnergy, auto.weights.style * auto.styleEnergy,
                       accuracy: 1e-9 * auto.weights.style * auto.styleEnergy)
    }
}
