import XCTest
@testable import StylizeKit
@testable import StylizeKernels

/// Winograd F(4×4, 3×3) (`Conv3x3.Algorithm.winograd4`) against the direct float64-accumulating
/// `Conv3x3Reference`, on odd sizes, several chunks, every VGG16 layer shape at VGG scale, the
/// adjoint identity and finite differences.
///
/// Error measure: `max |fast − ref| / max |ref|` over the whole output.
final class WinogradTests: XCTestCase {
    /// Bound on `max |fast − ref| / max |ref|` for F(4×4, 3×3) in float32. Measured over every
    /// VGG16 layer shape below (random weights with VGG's scale, ReLU-like inputs; printed by
    /// `testEveryVGGLayerShape`): forward 2.9e-6 … 1.0e-5 (worst 256 → 256), backward
    /// 2.5e-6 … 7.8e-6 (worst 256 → 512); im2col is about 3e-7. The bound is 3× the worst.
    static let tolerance: Float = 3e-5

    /// Weights `N(0, 2 / (9·C))` (He initialization, the scale of VGG16's trained kernels),
    /// biases `N(0, 0.1)`.
    static func vggScaleWeights(_ c: Int, _ oc: Int, seed: UInt64) -> (weight: [Float], bias: [Float]) {
        var rng = SeededRandom(seed: seed)
        func normal(_ sigma: Double) -> Float {
            let u1 = max(rng.uniform(0, 1), 1e-300), u2 = rng.uniform(0, 1)
            return Float(sigma * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
        }
        let sigma = (2.0 / Double(9 * c)).squareRoot()
        return ((0..<(oc * c * 9)).map { _ in normal(sigma) }, (0..<oc).map { _ in normal(0.1) })
    }

    /// Like a ReLU output: about a third zeros, the rest spread over (0, 100).
    static func reluLike(_ c: Int, _ h: Int, _ w: Int, seed: UInt64) -> Tensor3 {
        var rng = SeededRandom(seed: seed)
        return Tensor3(channels: c, height: h, width: w,
                       data: (0..<(c * h * w)).map { _ in Float(max(0, rng.uniform(-50, 100))) })
    }

    static func relativeError(_ a: [Float], _ ref: [Float]) -> Float {
        precondition(a.count == ref.count)
        let scale = ref.map(abs).max() ?? 0
        return (zip(a, ref).map { abs($0 - $1) }.max() ?? 0) / max(scale, .leastNormalMagnitude)
    }

    /// Forward and backward relative errors of `algorithm` against the direct reference.
    static func errors(_ algorithm: Conv3x3.Algorithm, c: Int, oc: Int, h: Int, w: Int, seed: UInt64,
                       budget: Int = Conv3x3.Workspace.defaultBudget,
                       gemm: GEMMKernel? = nil) -> (forward: Float, backward: Float) {
        let (weight, bias) = vggScaleWeights(c, oc, seed: seed)
        let conv = Conv3x3(inChannels: c, outChannels: oc, weight: weight, bias: bias, algorithm: algorithm, gemm: gemm)
        let x = reluLike(c, h, w, seed: seed + 1)
        var out = Tensor3(zeros: 0, 0, 0), ws = Conv3x3.Workspace(budget: budget)
        conv.forward(x, into: &out, fuseReLU: false, workspace: &ws, parallel: testParallel)
        let ref = Conv3x3Reference.forward(x, weight: weight, bias: bias, outChannels: oc)
        // The fused bias + ReLU (Winograd4 applies it in its output transform).
        var outReLU = Tensor3(zeros: 0, 0, 0)
        conv.forward(x, into: &outReLU, fuseReLU: true, workspace: &ws, parallel: testParallel)
        let reluError = relativeError(outReLU.data, ref.data.map { max($0, 0) })
        let gOut = randomTensor(oc, h, w, seed: seed + 2)
        var gIn = Tensor3(zeros: 0, 0, 0)
        conv.backwardInput(gOut, into: &gIn, workspace: &ws, parallel: testParallel)
        let gRef = Conv3x3Reference.backwardInput(gOut, weight: weight, inChannels: c)
        XCTAssertEqual([out.channels, out.height, out.width], [oc, h, w])
        XCTAssertEqual([gIn.channels, gIn.height, gIn.width], [c, h, w])
        return (max(relativeError(out.data, ref.data), reluError), relativeError(gIn.data, gRef.data))
    }

    func testOddSizesAndSeveralChunks() {
        // (C, OC, H, W, workspace budget in floats): sizes not multiples of 4, single pixels,
        // and budgets that give chunks of 1, 2, 3 … tiles, so runs start and end inside tile rows.
        let shapes = [(3, 5, 1, 1, 8 << 20), (4, 6, 3, 5, 8 << 20), (5, 4, 7, 9, 36 * 9), (8, 8, 13, 6, 36 * 16 * 3),
                      (16, 20, 9, 7, 8 << 20), (24, 16, 4, 10, 36 * 40 * 2), (17, 18, 1, 3, 36 * 35),
                      (16, 16, 2, 2, 8 << 20), (6, 7, 17, 23, 36 * 13 * 5), (32, 32, 8, 8, 8 << 20)]
        for (c, oc, h, w, budget) in shapes {
            let e = WinogradTests.errors(.winograd4, c: c, oc: oc, h: h, w: w, seed: UInt64(c * 1000 + h * 10 + w),
                                         budget: budget)
            XCTAssertLessThanOrEqual(e.forward, WinogradTests.tolerance, "forward \(c)→\(oc) \(h)×\(w) budget \(budget)")
            XCTAssertLessThanOrEqual(e.backward, WinogradTests.tolerance, "backward \(c)→\(oc) \(h)×\(w) budget \(budget)")
        }
    }

    /// Every VGG16 layer shape (3 → 64 is im2col) at 12×10, with VGG-scale weights.
    func testEveryVGGLayerShape() {
        let shapes = [(3, 64), (64, 64), (64, 128), (128, 128), (128, 256), (256, 256), (256, 512), (512, 512)]
        for (c, oc) in shapes {
            let algorithm = Conv3x3.defaultAlgorithm(inChannels: c, outChannels: oc)
            XCTAssertEqual(algorithm, c == 3 ? .im2col : .winograd4)
            for alg in Set([algorithm, .winograd4]) where !(alg == .winograd4 && c == 3) {
                let e = WinogradTests.errors(alg, c: c, oc: oc, h: 12, w: 10, seed: UInt64(c + oc))
                print(String(format: "winograd test: %3d → %3d %@ forward %.2e backward %.2e (of max |ref|)",
                             c, oc, "\(alg)", e.forward, e.backward))
                XCTAssertLessThanOrEqual(e.forward, WinogradTests.tolerance, "\(alg) forward \(c)→\(oc)")
                XCTAssertLessThanOrEqual(e.backward, WinogradTests.tolerance, "\(alg) backward \(c)→\(oc)")
            }
        }
    }

    /// `⟨conv(x), r⟩ = ⟨x, convᵀ(r)⟩`: the backward is the transpose of the forward's own
    /// linear map (bias excluded), up to float32 rounding of the two sums.
    func testBackwardIsTheAdjointOfForward() {
        for (c, oc, h, w) in [(64, 32, 11, 13), (16, 16, 5, 4), (8, 24, 9, 9)] {
            let (weight, _) = WinogradTests.vggScaleWeights(c, oc, seed: 5)
            let conv = Conv3x3(inChannels: c, outChannels: oc, weight: weight,
                               bias: [Float](repeating: 0, count: oc), algorithm: .winograd4)
            let x = WinogradTests.reluLike(c, h, w, seed: 6), r = randomTensor(oc, h, w, seed: 7)
            var y = Tensor3(zeros: 0, 0, 0), g = Tensor3(zeros: 0, 0, 0), ws = Conv3x3.Workspace()
            conv.forward(x, into: &y, fuseReLU: false, workspace: &ws, parallel: testParallel)
            conv.backwardInput(r, into: &g, workspace: &ws, parallel: testParallel)
            let lhs = zip(y.data, r.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let rhs = zip(x.data, g.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let magnitude = zip(y.data, r.data).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
            // Each side carries the relative rounding of its outputs (≲ 1e-6 of the largest term).
            XCTAssertLessThan(abs(lhs - rhs), 1e-5 * magnitude, "adjoint \(c)→\(oc) \(h)×\(w): \(lhs) vs \(rhs)")
        }
    }

    func testBackwardMatchesFiniteDifferences() {
        var rng = SeededRandom(seed: 13)
        let layer = ConvLayerWeights(block: 2, index: 1, outChannels: 5, inChannels: 4,
                                     weight: rng.floats(180, -1, 1), bias: rng.floats(5, -1, 1))
        let conv = Conv3x3(inChannels: 4, outChannels: 5, weight: layer.weight, bias: layer.bias, algorithm: .winograd4)
        let x = randomTensor(4, 7, 6, seed: 14)
        let r = randomTensor(5, 7, 6, seed: 15)  // L = Σ r ⊙ conv(x)
        var g = Tensor3(zeros: 0, 0, 0), ws = Conv3x3.Workspace()
        conv.backwardInput(r, into: &g, workspace: &ws, parallel: testParallel)
        let f: (DoubleReference.T) -> Double = { t in
            let y = DoubleReference.conv(t, layer, relu: false)
            return zip(y.v, r.data).reduce(0) { $0 + $1.0 * Double($1.1) }
        }
        assertGradient(g.data, matchesFiniteDifferencesOf: f, at: DoubleReference.from(x), samples: 168, tolerance: 1e-4)
    }
}
