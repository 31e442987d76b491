import XCTest
@testable import StylizeKit

/// The whole objective on a small synthetic VGG: values against the float64 reference and
/// the gradient of each term, and of the weighted total, against central differences.
final class ObjectiveTests: XCTestCase {
    let weights = syntheticWeights()
    // Pixel-scale tensors, like preprocessed images (0..255 minus mean).
    let content = randomTensor(3, 12, 14, seed: 101, range: (-120, 120))
    let style = randomTensor(3, 10, 16, seed: 102, range: (-120, 120))  // a different size on purpose
    let x = randomTensor(3, 12, 14, seed: 103, range: (-120, 120))

    func check(pooling: Pooling, lossWeights: LossWeights, contentLayers: [String], styleLayers: [String],
               file: StaticString = #filePath, line: UInt = #line) throws {
        let deepest = (contentLayers + styleLayers).max { a, b in
            let order = VGGNetwork.allLayerNames(of: weights)
            return order.firstIndex(of: a)! < order.firstIndex(of: b)!
        }!
        let net = try VGGNetwork(weights: weights, pooling: pooling, through: deepest)
        let objective = try StyleTransferObjective(engine: testEngine(net), content: content, styles: [style],
                                                   contentLayers: contentLayers, styleLayers: styleLayers,
                                                   weights: lossWeights)
        let (terms, grad) = try objective.evaluate(x)
        let d = { (t: DoubleReference.T) in
            DoubleReference.objective(x: t, content: DoubleReference.from(self.content), style: DoubleReference.from(self.style),
                                      weights: self.weights, pooling: pooling, contentLayers: contentLayers,
                                      styleLayers: styleLayers, lossWeights: lossWeights)
        }
        let ref = d(DoubleReference.from(x))
        // float32 network vs float64 definitions: activations agree to ~1e-6 relative; the
        // loss terms are sums of squared differences of them, so 1e-4 relative is ample
        // headroom while still catching any normalization or indexing error.
        XCTAssertEqual(terms.content, ref.content, accuracy: 1e-4 * ref.content, "content", file: file, line: line)
        XCTAssertEqual(terms.style, ref.style, accuracy: 1e-4 * ref.style, "style", file: file, line: line)
        XCTAssertEqual(terms.tv, ref.tv, accuracy: 1e-6 * ref.tv, "tv", file: file, line: line)
        XCTAssertEqual(terms.total, ref.total, accuracy: 1e-4 * abs(ref.total), "total", file: file, line: line)
        // Gradient: float32 backward vs float64 central differences (h = 1e-3 on a 0..255 scale).
        assertGradient(grad!.data, matchesFiniteDifferencesOf: { d($0).total }, at: DoubleReference.from(x),
                       samples: 48, tolerance: 2e-3, file: file, line: line)
    }

    func testEachTermAndTotalMaxPooling() throws {
        let c = ["relu2_1"], s = ["relu1_1", "relu1_2", "relu2_1", "relu2_2"]
        try check(pooling: .max, lossWeights: LossWeights(content: 1, style: 0, tv: 0), contentLayers: c, styleLayers: s)
        try check(pooling: .max, lossWeights: LossWeights(content: 0, style: 1, tv: 0), contentLayers: c, styleLayers: s)
        try check(pooling: .max, lossWeights: LossWeights(content: 0, style: 0, tv: 1), contentLayers: c, styleLayers: s)
        try check(pooling: .max, lossWeights: LossWeights(content: 1, style: 1e-3, tv: 1e-2), contentLayers: c, styleLayers: s)
    }

    func testTotalAveragePoolingAndPoolLayersAndSeveralContentLayers() throws {
        try check(pooling: .average, lossWeights: LossWeights(content: 1, style: 1e-3, tv: 1e-2),
                  contentLayers: ["relu1_2", "relu2_2"], styleLayers: ["relu1_1", "pool1", "relu2_2"])
        try check(pooling: .max, lossWeights: LossWeights(content: 2, style: 1e-2, tv: 0),
                  contentLayers: ["pool2"], styleLayers: ["relu2_1", "pool2"])
    }

    func testUnknownAndConvLayersAreRefused() throws {
        let net = try VGGNetwork(weights: weights, pooling: .max, through: "relu2_2")
        XCTAssertThrowsError(try StyleTransferObjective(engine: testEngine(net), content: content, styles: [style],
                                                        contentLayers: ["conv2_1"], styleLayers: ["relu1_1"],
                                                        weights: LossWeights(content: 1, style: 1, tv: 0))) {
            XCTAssertEqual("\($0)", "layer 'conv2_1' cannot be used here; use a relu or pool layer such as 'relu2_1'")
        }
        XCTAssertThrowsError(try VGGNetwork(weights: weights, pooling: .max, through: "relu9_1")) {
            XCTAssertTrue("\($0)".hasPrefix("unknown layer 'relu9_1'; this network has relu1_1, relu1_2, pool1"), "\($0)")
        }
    }

    func testTooSmallImageIsRefused() throws {
        let net = try VGGNetwork(weights: weights, pooling: .max, through: "pool2")
        let engine = testEngine(net)
        XCTAssertThrowsError(try engine.forward(randomTensor(3, 3, 40, seed: 1), through: net.stages.count - 1)) {
            XCTAssertEqual("\($0)", "image is too small: 40x3 leaves pool2 empty; each side must be at least 4 px")
        }
    }
}
