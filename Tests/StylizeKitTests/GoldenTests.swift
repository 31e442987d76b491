import Foundation
import XCTest
@testable import StylizeKit

/// StylizeKit's float32 objective on the real VGG16 against the independent float64
/// PyTorch references in `Resources/reference/` (64×64 synthetic images; see SOURCES.md
/// there): single style and content layer, both poolings; and in `blend/`, two style images
/// of different sizes blended 3:1, per-layer style weights and two content layers.
final class GoldenTests: XCTestCase {
    struct Case: Decodable {
        struct Gradient: Decodable {
            struct At: Decodable { let c: Int; let y: Int; let x: Int; let value: Double }
            let l2_norm: Double
            let at: [At]
        }
        let pooling: String
        let content_layer: String?
        let content_layers: [String]?
        let style_layers: [String]
        let style_layer_weights: [Double]?
        let style_blend_weights: [Double]?
        let content_loss: Double, style_loss: Double, tv_loss: Double, total_loss: Double
        let style_loss_per_layer: [String: Double]
        let gradients: [String: Gradient]
        var contentLayers: [String] { content_layers ?? content_layer.map { [$0] } ?? [] }
    }
    struct Reference: Decodable { let cases: [Case] }

    static var weights: VGGWeights?

    override func setUpWithError() throws {
        let path = packagePath("weights/vgg16.safetensors")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: path), "needs weights/vgg16.safetensors (make weights)")
        if GoldenTests.weights == nil { GoldenTests.weights = try VGGWeights.load(from: path) }
    }

    func resource(_ name: String) throws -> URL {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Resources", withExtension: nil))
        return dir.appendingPathComponent("reference").appendingPathComponent(name)
    }

    func tensor(_ name: String) throws -> Tensor3 {
        let w = try XCTUnwrap(GoldenTests.weights)
        return Preprocessing.tensor(from: try PNGCodec.read(path: try resource(name).path), meanBGR: w.meanBGR)
    }

    func testLossesAndGradientsMatchTheFloat64Reference() throws {
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: try resource("reference.json")))
        XCTAssertEqual(reference.cases.count, 2)
        try check(reference.cases, content: tensor("content.png"), styles: [tensor("style.png")], at: tensor("generated.png"))
    }

    /// Blending, per-layer weights, several content layers and a style image of another
    /// size, which `DoubleReference` cannot check independently (it shares the rescaling rule).
    func testBlendedStylesOfTwoSizesMatchTheFloat64Reference() throws {
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: try resource("blend/reference.json")))
        XCTAssertEqual(reference.cases.count, 1)
        let styles = [try tensor("blend/style_a.png"), try tensor("blend/style_b.png")]
        XCTAssertEqual(styles.map { [$0.height, $0.width] }, [[64, 64], [40, 64]])
        XCTAssertEqual(reference.cases[0].contentLayers, ["relu3_2", "relu4_2"])
        try check(reference.cases, content: tensor("blend/content.png"), styles: styles, at: tensor("blend/generated.png"))
    }

    func check(_ cases: [Case], content: Tensor3, styles: [Tensor3], at x: Tensor3) throws {
        let weights = try XCTUnwrap(GoldenTests.weights)
        XCTAssertEqual([x.channels, x.height, x.width], [3, 64, 64])
        for ref in cases {
            let pooling: Pooling = ref.pooling == "max" ? .max : .average
            let network = try VGGNetwork(weights: weights, pooling: pooling, through: "relu5_1")
            func objective(_ lw: LossWeights) throws -> StyleTransferObjective<CPUEngine> {
                try StyleTransferObjective(engine: testEngine(network), content: content, styles: styles, styleBlend: ref.style_blend_weights,
                                           contentLayers: ref.contentLayers, styleLayers: ref.style_layers,
                                           styleLayerWeights: ref.style_layer_weights, weights: lw)
            }
            let all = try objective(LossWeights(content: 1, style: 1, tv: 1)).evaluate(x)
            // Losses: float32 activations carry ~1e-6 relative rounding per layer and the
            // Gram sums ~M·N terms; the reference README expects ~1e-4 for float32, so 1e-4.
            let rtol = 1e-4
            XCTAssertEqual(all.terms.content, ref.content_loss, accuracy: rtol * ref.content_loss, ref.pooling)
            XCTAssertEqual(all.terms.style, ref.style_loss, accuracy: rtol * ref.style_loss, ref.pooling)
            XCTAssertEqual(all.terms.tv, ref.tv_loss, accuracy: 1e-6 * ref.tv_loss, ref.pooling)
            XCTAssertEqual(all.terms.total, ref.total_loss, accuracy: rtol * ref.total_loss, ref.pooling)
            for (i, layer) in ref.style_layers.enumerated() {
                let e = try XCTUnwrap(ref.style_loss_per_layer[layer])
                XCTAssertEqual(all.terms.stylePerLayer[i], e, accuracy: rtol * e, "\(ref.pooling) \(layer)")
            }
            // Gradients of each term alone and of the total.
            let terms: [(String, LossWeights)] = [("content", LossWeights(content: 1, style: 0, tv: 0)),
                                                  ("style", LossWeights(content: 0, style: 1, tv: 0)),
                                                  ("tv", LossWeights(content: 0, style: 0, tv: 1)),
                                                  ("total", LossWeights(content: 1, style: 1, tv: 1))]
            for (name, lw) in terms {
                let g = try XCTUnwrap(try objective(lw).evaluate(x).gradient)
                let expected = try XCTUnwrap(ref.gradients[name])
                let norm = g.data.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
                // The gradient passes back through up to 13 float32 layers: 1e-3 relative on
                // the norm, and on single values 1e-3 of the value plus 1e-3 of the RMS entry
                // (entries near zero cannot be matched relatively).
                XCTAssertEqual(norm, expected.l2_norm, accuracy: 1e-3 * expected.l2_norm, "\(ref.pooling) \(name) norm")
                let rms = expected.l2_norm / Double(x.count).squareRoot()
                for at in expected.at {
                    XCTAssertEqual(Double(g[at.c, at.y, at.x]), at.value, accuracy: 1e-3 * abs(at.value) + 1e-3 * rms,
                                   "\(ref.pooling) \(name) at (\(at.c), \(at.y), \(at.x))")
                }
            }
        }
    }

    /// The real network's backward, through relu3_1, against central differences of the
    /// float64 reference forward at 20×18 (kept small: the reference is plain loops).
    func testRealNetworkGradientMatchesFiniteDifferences() throws {
        let weights = try XCTUnwrap(GoldenTests.weights)
        let content = randomTensor(3, 18, 20, seed: 7, range: (-110, 120))
        let style = randomTensor(3, 18, 20, seed: 8, range: (-110, 120))
        let x = randomTensor(3, 18, 20, seed: 9, range: (-110, 120))
        let lw = LossWeights(content: 1, style: 1e-3, tv: 1e-2)
        for pooling in Pooling.allCases {
            let network = try VGGNetwork(weights: weights, pooling: pooling, through: "relu3_1")
            let objective = try StyleTransferObjective(engine: testEngine(network), content: content, styles: [style],
                                                       contentLayers: ["relu3_1"], styleLayers: ["relu1_1", "relu2_1", "relu3_1"],
                                                       weights: lw)
            let g = try XCTUnwrap(try objective.evaluate(x).gradient)
            let small = VGGWeights(layers: Array(weights.layers.prefix(5)), meanBGR: weights.meanBGR)
            let c = DoubleReference.from(content), s = DoubleReference.from(style)
            assertGradient(g.data, matchesFiniteDifferencesOf: {
                DoubleReference.objective(x: $0, content: c, style: s, weights: small, pooling: pooling,
                                          contentLayers: ["relu3_1"], styleLayers: ["relu1_1", "relu2_1", "relu3_1"],
                                          lossWeights: lw).total
            }, at: DoubleReference.from(x), samples: 12, tolerance: 2e-3)
        }
    }
}
