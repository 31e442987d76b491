import XCTest
@testable import StylizeKit
@testable import StylizeKernels

/// `--style-masks`: the guided Gram term against a float64 definition written here from
/// the paper's formulas, its gradient against central differences, and the objective with
/// two masked styles on a small synthetic VGG, value and gradient.
final class MaskedStyleTests: XCTestCase {
    /// `Σ (G_m/a − S)² / (4N²)`, `G_m = Σ_p m_p² F_p F_pᵀ`, `a = Σ m_p²`, in float64.
    static func maskedTerm(_ f: DoubleReference.T, mask: [Double], target: [Double]) -> Double {
        let m = f.h * f.w
        let area = mask.reduce(0) { $0 + $1 * $1 }
        guard area > 1e-6 else { return 0 }
        var s = 0.0
        for i in 0..<f.c { for j in 0..<f.c {
            var g = 0.0
            for p in 0..<m { g += mask[p] * mask[p] * f.v[i * m + p] * f.v[j * m + p] }
            let d = g / area - target[i * f.c + j]
            s += d * d
        } }
        return s / (4 * Double(f.c * f.c))
    }

    /// A soft left/right mask: 1 on the left, 0 on the right, a ramp of `ramp` pixels between.
    static func leftMask(width: Int, height: Int, ramp: Int = 2) -> [Float] {
        var mask = [Float](repeating: 0, count: width * height)
        for y in 0..<height { for x in 0..<width {
            let t = (Float(x) - Float(width / 2 - ramp / 2)) / Float(max(1, ramp))
            mask[y * width + x] = min(1, max(0, 1 - t))
        } }
        return mask
    }

    func testMaskedTermValueAndGradient() {
        let f = randomTensor(4, 5, 6, seed: 61, range: (0, 3))
        var rng = SeededRandom(seed: 62)
        let mask = rng.floats(30, 0, 1)
        let s = DoubleReference.gram(DoubleReference.from(randomTensor(4, 3, 7, seed: 63, range: (0, 3)))).map { $0 / 21 }
        var grad = [Float](repeating: 0, count: f.count), workspace: [Float] = []
        let e = Gram.maskedStyleLoss(f, mask: mask, target: s.map(Float.init), scale: 1, grad: &grad,
                                     workspace: &workspace, parallel: testParallel)
        XCTAssertEqual(Gram.maskedStyleLoss(f, mask: mask, target: s.map(Float.init), workspace: &workspace, parallel: testParallel),
                       e, "the value without the gradient")
        let md = mask.map(Double.init)
        let expected = Self.maskedTerm(DoubleReference.from(f), mask: md, target: s)
        XCTAssertGreaterThan(expected, 0)
        XCTAssertEqual(e, expected, accuracy: 1e-5 * expected)
        assertGradient(grad, matchesFiniteDifferencesOf: { Self.maskedTerm($0, mask: md, target: s) },
                       at: DoubleReference.from(f), tolerance: 1e-4)
        // Zero where the mask is zero: a pixel outside the region gets no style gradient.
        var zeroMask = mask
        for p in 0..<15 { zeroMask[p] = 0 }
        var g2 = [Float](repeating: 0, count: f.count)
        _ = Gram.maskedStyleLoss(f, mask: zeroMask, target: s.map(Float.init), scale: 1, grad: &g2,
                                 workspace: &workspace, parallel: testParallel)
        for c in 0..<4 { for p in 0..<15 { XCTAssertEqual(g2[c * 30 + p], 0) } }
        XCTAssertGreaterThan(g2.map(abs).max()!, 0)
    }

    func testAllWhiteMaskIsTheUnmaskedTerm() {
        let f = randomTensor(5, 4, 6, seed: 71, range: (0, 2))
        let a = DoubleReference.gram(DoubleReference.from(randomTensor(5, 4, 6, seed: 72, range: (0, 2)))).map(Float.init)
        let m = Float(f.positions)
        var g1 = [Float](repeating: 0, count: f.count), g2 = g1, workspace: [Float] = []
        let e1 = Gram.styleLoss(f, target: a, scale: 3, grad: &g1, parallel: testParallel)
        let e2 = Gram.maskedStyleLoss(f, mask: [Float](repeating: 1, count: f.positions), target: a.map { $0 / m }, scale: 3,
                                      grad: &g2, workspace: &workspace, parallel: testParallel)
        XCTAssertEqual(e2, e1, accuracy: 1e-5 * e1)
        XCTAssertLessThan(maxRelativeError(g2, g1), 1e-4)
    }

    /// A layer of 5 channels × 181 × 190 (34 390 positions: 3 of `Gram.positionBlock`, the last
    /// short, and 5 of the area's `Gram.sumBlock`) with a soft round mask (zeros, ones and a
    /// ramp between, rippled): value and gradient with the same bits at 1, 2, 3, 5 and 16
    /// threads and on 16 modelled ones, accumulated onto a non-zero gradient, and against float64
    /// `F_m`, `G_m`, `a`, `D`, `E` and `∂E/∂F = D · F_m · diag(m) / (N² a)` written out here:
    /// the value to 1e-5 of itself, each gradient element to 1e-4 of the gradient's largest
    /// (measured: 3.8e-6 and 2.1e-6; `a` as `Σ m_p` instead of `Σ m_p²` is 0.61 off, the
    /// gradient's mask taken twice 0.15).
    func testMaskedTermOnEveryThreadCount() {
        let (n, h, w) = (5, 181, 190)
        let m = h * w
        XCTAssertEqual(Gram.positionBlocks(m).count - 1, 3)
        let f = randomTensor(n, h, w, seed: 91, range: (0, 3))
        let mask = (0..<m).map { p -> Float in
            let (y, x) = (Double(p / w) - 90, Double(p % w) - 95)
            return Float(min(1, max(0, 1.4 - (x * x + y * y).squareRoot() / 70 + 0.1 * cos(x / 7))))
        }
        XCTAssertTrue(mask.contains(0) && mask.contains(1) && mask.contains { $0 > 0.1 && $0 < 0.9 })
        let s = DoubleReference.gram(DoubleReference.from(randomTensor(n, 20, 20, seed: 92, range: (0, 1)))).map { $0 / 400 }
        let scale = 3.0

        // The float64 definitions.
        let fd = f.data.map(Double.init), md = mask.map(Double.init)
        let area = md.reduce(0) { $0 + $1 * $1 }
        let fm = (0..<(n * m)).map { fd[$0] * md[$0 % m] }
        var d = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n {
            var g = 0.0
            for p in 0..<m { g += fm[i * m + p] * fm[j * m + p] }
            d[i * n + j] = g / area - s[i * n + j]
        } }
        let expected = d.reduce(0) { $0 + $1 * $1 } / (4 * Double(n * n))
        var expectedGrad = [Double](repeating: 0, count: n * m)
        for i in 0..<n { for p in 0..<m {
            var v = 0.0
            for j in 0..<n { v += d[i * n + j] * fm[j * m + p] }
            expectedGrad[i * m + p] = scale * v * md[p] / (Double(n * n) * area)
        } }
        let largest = expectedGrad.map(abs).max()!
        XCTAssertGreaterThan(largest, 0)
        XCTAssertEqual(expected, Self.maskedTerm(DoubleReference.from(f), mask: md, target: s), accuracy: 1e-12 * expected)

        var rng = SeededRandom(seed: 93)
        let start = rng.floats(n * m, -largest, largest)
        let model = ThreadModel(threads: 16)
        var first: (Double, [Float])?
        let runs = [1, 2, 3, 5, 16].map { ("\($0) threads", Parallel(threads: $0)) }
            + [("16 modelled threads", Parallel(modelling: 16, model: model))]
        for (label, parallel) in runs {
            var grad = start, workspace: [Float] = []
            model.start()
            let e = Gram.maskedStyleLoss(f, mask: mask, target: s.map(Float.init), scale: Float(scale), grad: &grad,
                                         workspace: &workspace, parallel: parallel)
            let loops = model.finish().loops
            if label.contains("modelled") { XCTAssertGreaterThan(loops, 0, "the modelled machine's split loops") }
            XCTAssertEqual(Gram.maskedStyleLoss(f, mask: mask, target: s.map(Float.init), workspace: &workspace, parallel: parallel),
                           e, "the value without the gradient, \(label)")
            if let (e1, g1) = first {
                XCTAssertEqual(e, e1, "\(label) against 1: the same bits")
                XCTAssertTrue(grad == g1, "\(label) against 1: \(zip(grad, g1).filter { $0 != $1 }.count) gradient values differ")
                continue
            }
            first = (e, grad)
            XCTAssertEqual(e, expected, accuracy: 1e-5 * expected)
            var worst = 0.0
            for i in 0..<grad.count { worst = max(worst, abs(Double(grad[i]) - Double(start[i]) - expectedGrad[i])) }
            XCTAssertLessThan(worst, 1e-4 * largest, "the gradient against float64")
        }
    }

    func testLayerMaskIsTheMeanOfEachPoolingCell() {
        // 5 × 3 → 2 × 1 → 1 × 0 (floors as the max-pool): cells (0,0),(1,0),(0,1),(1,1) and (2,0),(3,0),(2,1),(3,1).
        let mask: [Float] = [1, 0, 1, 1, 9,
                             0, 0, 1, 0, 9,
                             9, 9, 9, 9, 9]
        XCTAssertEqual(LayerMask.downsampled(mask, width: 5, height: 3, times: 1), [0.25, 0.75])
        XCTAssertEqual(LayerMask.downsampled(mask, width: 5, height: 3, times: 0), mask)
    }

    /// Two styles on the left and right of a 13 × 14 image (odd on purpose: the pooling drops
    /// a column), style layers before and after a pooling: the objective's style term and the
    /// gradient of its total against a float64 version built from `maskedTerm`.
    func testObjectiveWithTwoMaskedStyles() throws {
        let weights = syntheticWeights()
        let (w, h) = (13, 14)
        let content = randomTensor(3, h, w, seed: 81, range: (-120, 120))
        let styles = [randomTensor(3, 10, 16, seed: 82, range: (-120, 120)), randomTensor(3, 12, 12, seed: 83, range: (-120, 120))]
        let x = randomTensor(3, h, w, seed: 84, range: (-120, 120))
        let left = Self.leftMask(width: w, height: h, ramp: 3)
        let masks = [left, left.map { 1 - $0 }]
        let blend = [2.0, 1.0], layers = ["relu1_1", "relu2_1", "relu2_2"]
        let lossWeights = LossWeights(content: 1, style: 1e-3, tv: 1e-2)
        let net = try VGGNetwork(weights: weights, pooling: .max, through: "relu2_2")
        let objective = try StyleTransferObjective(engine: testEngine(net), content: content, styles: styles, styleBlend: blend,
                                                   contentLayers: ["relu2_1"], styleLayers: layers, styleMasks: masks,
                                                   weights: lossWeights)
        let (terms, grad) = try objective.evaluate(x)

        let b = blend.map { $0 / 3 }
        let styleGrams = styles.map { s -> [String: [Double]] in
            let f = DoubleReference.features(DoubleReference.from(s), weights: weights, pooling: .max, deepest: "relu2_2")
            return Dictionary(uniqueKeysWithValues: layers.map { l in (l, DoubleReference.gram(f[l]!).map { $0 / Double(f[l]!.h * f[l]!.w) }) })
        }
        // Masks at block 2: the mean of each 2×2 cell, written out here independently.
        func pooled(_ m: [Float]) -> [Double] {
            var out: [Double] = []
            for y in 0..<(h / 2) { for xx in 0..<(w / 2) {
                out.append(Double(m[2 * y * w + 2 * xx] + m[2 * y * w + 2 * xx + 1] + m[(2 * y + 1) * w + 2 * xx] + m[(2 * y + 1) * w + 2 * xx + 1]) / 4)
            } }
            return out
        }
        let maskAt = ["relu1_1": masks.map { $0.map(Double.init) }, "relu2_1": masks.map(pooled), "relu2_2": masks.map(pooled)]
        let fc = DoubleReference.features(DoubleReference.from(content), weights: weights, pooling: .max, deepest: "relu2_2")
        func reference(_ t: DoubleReference.T) -> (style: Double, total: Double) {
            let f = DoubleReference.features(t, weights: weights, pooling: .max, deepest: "relu2_2")
            var style = 0.0
            for l in layers {
                for i in 0..<2 { style += b[i] * Self.maskedTerm(f[l]!, mask: maskAt[l]![i], target: styleGrams[i][l]!) / 3 }
            }
            let content = DoubleReference.contentTerm(f["relu2_1"]!, target: fc["relu2_1"]!)
            return (style, lossWeights.content * content + lossWeights.style * style + lossWeights.tv * DoubleReference.tv(t))
        }
        let ref = reference(DoubleReference.from(x))
        XCTAssertEqual(terms.style, ref.style, accuracy: 1e-4 * ref.style)
        XCTAssertEqual(terms.total, ref.total, accuracy: 1e-4 * ref.total)
        assertGradient(grad!.data, matchesFiniteDifferencesOf: { reference($0).total }, at: DoubleReference.from(x),
                       samples: 48, tolerance: 2e-3)
    }
}
