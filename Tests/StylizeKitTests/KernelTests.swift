import XCTest
@testable import StylizeKit
@testable import StylizeKernels

/// The fast kernels against the plain references and against central finite differences
/// of the float64 definitions in `DoubleReference`.
final class KernelTests: XCTestCase {
    // MARK: - Convolution

    func testIm2colConvMatchesDirectConvolution() {
        // Odd sizes and several bands (a tiny workspace budget forces 1-2 rows per band).
        let shapes = [(3, 5, 7, 9, 8 << 20), (4, 6, 11, 5, 60), (8, 3, 6, 13, 200), (2, 2, 1, 1, 8 << 20),
                      (16, 20, 9, 7, 8 << 20), (24, 16, 4, 10, 1500), (17, 18, 1, 3, 8 << 20), (16, 16, 2, 2, 8 << 20)]
        for algorithm in Conv3x3.Algorithm.allCases { for (c, oc, h, w, budget) in shapes {
            var rng = SeededRandom(seed: UInt64(c * 100 + h))
            let weight = rng.floats(oc * c * 9, -1, 1), bias = rng.floats(oc, -1, 1)
            let conv = Conv3x3(inChannels: c, outChannels: oc, weight: weight, bias: bias, algorithm: algorithm)
            XCTAssertEqual(conv.algorithm, algorithm)
            let x = randomTensor(c, h, w, seed: 7)
            var out = Tensor3(zeros: 0, 0, 0), ws = Conv3x3.Workspace(budget: budget)
            conv.forward(x, into: &out, fuseReLU: false, workspace: &ws, parallel: testParallel)
            let ref = Conv3x3Reference.forward(x, weight: weight, bias: bias, outChannels: oc)
            XCTAssertEqual(out.channels, oc); XCTAssertEqual(out.height, h); XCTAssertEqual(out.width, w)
            // float32 sums of K = C·9 ≤ 216 products of O(1) terms differ from the float64 sum by
            // about K·2⁻²⁴·max ≈ 1e-5·max (Winograd's ±½ transforms add a few ulps); measured
            // against |ref| + 1e-2·max that stays below 1e-4.
            XCTAssertLessThan(maxRelativeError(out.data, ref.data, floor: 1e-2), 1e-4, "\(algorithm) forward \(c)x\(h)x\(w)")

            let gOut = randomTensor(oc, h, w, seed: 9)
            var gIn = Tensor3(zeros: 0, 0, 0)
            conv.backwardInput(gOut, into: &gIn, workspace: &ws, parallel: testParallel)
            let gRef = Conv3x3Reference.backwardInput(gOut, weight: weight, inChannels: c)
            XCTAssertLessThan(maxRelativeError(gIn.data, gRef.data, floor: 1e-2), 1e-4, "\(algorithm) backward \(c)x\(h)x\(w)")
        } }
    }

    func testConvBackwardMatchesFiniteDifferences() {
        var rng = SeededRandom(seed: 3)
        let layer = ConvLayerWeights(block: 1, index: 1, outChannels: 4, inChannels: 3,
                                     weight: rng.floats(108, -1, 1), bias: rng.floats(4, -1, 1))
        let conv = Conv3x3(inChannels: 3, outChannels: 4, weight: layer.weight, bias: layer.bias)
        let x = randomTensor(3, 6, 7, seed: 4)
        let r = randomTensor(4, 6, 7, seed: 5)  // L = Σ r ⊙ conv(x)
        var g = Tensor3(zeros: 0, 0, 0), ws = Conv3x3.Workspace()
        conv.backwardInput(r, into: &g, workspace: &ws, parallel: testParallel)
        let f: (DoubleReference.T) -> Double = { t in
            let y = DoubleReference.conv(t, layer, relu: false)
            return zip(y.v, r.data).reduce(0) { $0 + $1.0 * Double($1.1) }
        }
        assertGradient(g.data, matchesFiniteDifferencesOf: f, at: DoubleReference.from(x), tolerance: 1e-4)
    }

    // MARK: - Pooling and ReLU

    func testPoolingForwardAndBackward() {
        for mode in Pooling.allCases {
            let x = randomTensor(3, 7, 9, seed: 11)  // odd: last row and column dropped
            var y = Tensor3(zeros: 0, 0, 0)
            Pool2x2.forward(x, mode: mode, into: &y, parallel: testParallel)
            XCTAssertEqual([y.channels, y.height, y.width], [3, 3, 4])
            let ref = DoubleReference.pool(DoubleReference.from(x), mode)
            XCTAssertLessThan(maxRelativeError(y.data, ref.v.map(Float.init)), 1e-6)

            let r = randomTensor(3, 3, 4, seed: 12)
            var g = Tensor3(zeros: 0, 0, 0)
            Pool2x2.backward(r, input: x, mode: mode, into: &g, parallel: testParallel)
            let f: (DoubleReference.T) -> Double = { t in
                zip(DoubleReference.pool(t, mode).v, r.data).reduce(0) { $0 + $1.0 * Double($1.1) }
            }
            assertGradient(g.data, matchesFiniteDifferencesOf: f, at: DoubleReference.from(x), tolerance: 1e-5)
            // The dropped last row (y = 6) receives no gradient.
            for c in 0..<3 { for xx in 0..<9 { XCTAssertEqual(g[c, 6, xx], 0) } }
        }
    }

    func testReLUBackwardMasksInactivePositions() {
        var g = Tensor3(channels: 1, height: 1, width: 4, data: [1, 2, 3, 4])
        ReLU.backward(&g, activation: Tensor3(channels: 1, height: 1, width: 4, data: [0, 0.5, 0, 7]),
                      parallel: testParallel)
        XCTAssertEqual(g.data, [0, 2, 0, 4])
    }

    // MARK: - BLAS

    /// `BLAS.sgemm(…, parallel:)` splits the columns of C over threads, each block one
    /// single-threaded call: every element is the same sum as in one call, to the bit, for
    /// every transpose, `beta`, and widths that are not multiples of the 16-column blocks.
    func testSplitGEMMGivesTheBitsOfOneCall() {
        // (transA, transB, m, n, k, beta)
        let cases = [(false, true, 64, 64, 4056, Float(0)), (false, false, 64, 1014, 128, 1), (true, false, 27, 2753, 64, 0),
                     (false, false, 96, 77, 300, 1), (false, true, 128, 130, 247, 0), (true, true, 40, 200, 90, 0.5)]
        for (transA, transB, m, n, k, beta) in cases {
            var rng = SeededRandom(seed: UInt64(m * n + k))
            let a = rng.floats(m * k, -1, 1), b = rng.floats(k * n, -1, 1), c0 = rng.floats(m * n, -1, 1)
            let lda = transA ? m : k, ldb = transB ? k : n
            var one = c0, split = c0
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
                one.withUnsafeMutableBufferPointer { pc in
                    BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: pa.baseAddress!, lda: lda,
                               b: pb.baseAddress!, ldb: ldb, beta: beta, c: pc.baseAddress!, ldc: n)
                }
                for threads in [2, 3] {
                    var c = c0
                    c.withUnsafeMutableBufferPointer { pc in
                        BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: pa.baseAddress!, lda: lda,
                                   b: pb.baseAddress!, ldb: ldb, beta: beta, c: pc.baseAddress!, ldc: n,
                                   parallel: Parallel(threads: threads))
                    }
                    if threads == 2 { split = c } else { XCTAssertTrue(c == split, "3 threads vs 2: \(m)×\(n)×\(k)") }
                }
            } }
            XCTAssertTrue(split == one, "split vs one call: transA \(transA) transB \(transB) \(m)×\(n)×\(k) beta \(beta)")
        }
    }

    // MARK: - Gram and loss terms

    func testGramMatchesDefinition() {
        let f = randomTensor(5, 4, 3, seed: 21, range: (0, 2))
        let g = Gram.gram(of: f, parallel: testParallel)
        XCTAssertLessThan(maxRelativeError(g, DoubleReference.gram(DoubleReference.from(f)).map(Float.init)), 1e-6)
    }

    /// `Gram.gram` computes only the upper strips and mirrors the rest: the result must be the
    /// whole product's bits (one `sgemm` of F by Fᵀ), exactly symmetric, at 1, 2 and 3 threads,
    /// for channel counts with one strip (64), two (128) and uneven ones (200, 8 × 25 rows
    /// over 3 strips), at VGG-like sizes (above OpenBLAS' small-matrix path).
    /// Beyond `Gram.positionBlock` positions (the last two cases: 2 and 3 blocks) the reference
    /// is each block's whole product, added in block order.
    func testGramHalfIsTheWholeProductsBits() {
        for (n, h, w) in [(64, 24, 30), (128, 20, 33), (200, 16, 21), (512, 8, 9), (64, 130, 131), (16, 200, 200)] {
            let f = randomTensor(n, h, w, seed: UInt64(n), range: (0, 3))
            let m = h * w, blocks = Gram.positionBlocks(m)
            XCTAssertEqual(blocks.count - 1, (m + Gram.positionBlock - 1) / Gram.positionBlock)
            var whole = [Float](repeating: 0, count: n * n)
            for (p0, p1) in zip(blocks, blocks.dropFirst()) {
                var part = [Float](repeating: 0, count: n * n)
                f.data.withUnsafeBufferPointer { fb in part.withUnsafeMutableBufferPointer { gb in
                    BLAS.sgemm(transB: true, m: n, n: n, k: p1 - p0, a: fb.baseAddress! + p0, lda: m, b: fb.baseAddress! + p0, ldb: m,
                               c: gb.baseAddress!, ldc: n)
                } }
                whole = p0 == 0 ? part : zip(whole, part).map { $0 + $1 }
            }
            for threads in [1, 2, 3, 5, 8, 16] {
                let g = Gram.gram(of: f, parallel: Parallel(threads: threads))
                XCTAssertTrue(g == whole, "\(n) channels, \(threads) threads: \(zip(g, whole).filter { $0 != $1 }.count) values differ")
                XCTAssertTrue((0..<n).allSatisfy { i in (0..<n).allSatisfy { g[i * n + $0] == g[$0 * n + i] } })
            }
        }
    }

    func testStyleTermValueAndGradient() {
        let f = randomTensor(4, 3, 5, seed: 31, range: (0, 3))
        let a = DoubleReference.gram(DoubleReference.from(randomTensor(4, 3, 5, seed: 32, range: (0, 3))))
        var grad = [Float](repeating: 0, count: f.count)
        let e = Gram.styleLoss(f, target: a.map(Float.init), scale: 1, grad: &grad, parallel: testParallel)
        XCTAssertEqual(Gram.styleLoss(f, target: a.map(Float.init), parallel: testParallel), e, "the value without the gradient")
        let expected = DoubleReference.styleTerm(DoubleReference.from(f), target: a)
        XCTAssertEqual(e, expected, accuracy: 1e-5 * expected)
        assertGradient(grad, matchesFiniteDifferencesOf: { DoubleReference.styleTerm($0, target: a) },
                       at: DoubleReference.from(f), tolerance: 1e-4)
    }

    func testContentTermValueAndGradient() {
        let f = randomTensor(3, 4, 4, seed: 41), p = randomTensor(3, 4, 4, seed: 42)
        var grad = [Float](repeating: 0, count: f.count)
        let l = Gram.contentLoss(f, target: p.data, scale: 1, grad: &grad)
        XCTAssertEqual(Gram.contentLoss(f, target: p.data), l, "the value without the gradient")
        let pd = DoubleReference.from(p)
        XCTAssertEqual(l, DoubleReference.contentTerm(DoubleReference.from(f), target: pd), accuracy: 1e-6)
        assertGradient(grad, matchesFiniteDifferencesOf: { DoubleReference.contentTerm($0, target: pd) },
                       at: DoubleReference.from(f), tolerance: 1e-4)
    }

    /// The content term with `ContentFocus.energy`'s position weights: value against float64,
    /// gradient against finite differences, and all-ones weights give the uniform term's bits.
    func testWeightedContentTermValueAndGradient() {
        let f = randomTensor(3, 4, 5, seed: 43), p = randomTensor(3, 4, 5, seed: 44)
        let w = ContentFocus.energyWeights(target: p.data, channels: p.channels)
        var grad = [Float](repeating: 0, count: f.count)
        let l = Gram.contentLoss(f, target: p.data, positionWeights: w, scale: 1, grad: &grad)
        XCTAssertEqual(Gram.contentLoss(f, target: p.data, positionWeights: w), l, "the value without the gradient")
        let pd = DoubleReference.from(p), wd = w.map(Double.init)
        let expected = DoubleReference.weightedContentTerm(DoubleReference.from(f), target: pd, weights: wd)
        XCTAssertEqual(l, expected, accuracy: 1e-6 * expected)
        XCTAssertGreaterThan(abs(l - DoubleReference.contentTerm(DoubleReference.from(f), target: pd)), 1e-3 * l,
                             "these weights are not all 1, so the term differs from the uniform one")
        assertGradient(grad, matchesFiniteDifferencesOf: { DoubleReference.weightedContentTerm($0, target: pd, weights: wd) },
                       at: DoubleReference.from(f), tolerance: 1e-4)
        var ones = [Float](repeating: 0, count: f.count), none = ones
        let withOnes = Gram.contentLoss(f, target: p.data, positionWeights: [Float](repeating: 1, count: f.positions),
                                        scale: 2, grad: &ones)
        XCTAssertEqual(withOnes, Gram.contentLoss(f, target: p.data, scale: 2, grad: &none))
        XCTAssertEqual(ones, none)
    }

    func testTotalVariationValueAndGradient() {
        let x = randomTensor(3, 5, 6, seed: 51, range: (-100, 100))
        var grad = [Float](repeating: 0, count: x.count)
        let l = TotalVariation.loss(x, scale: 1, grad: &grad)
        XCTAssertEqual(TotalVariation.loss(x), l, "the value without the gradient")
        // Neighbour differences are formed in float32 (relative rounding 2⁻²⁴ each): 1e-6.
        XCTAssertEqual(l, DoubleReference.tv(DoubleReference.from(x)), accuracy: 1e-6 * l)
        assertGradient(grad, matchesFiniteDifferencesOf: DoubleReference.tv, at: DoubleReference.from(x), tolerance: 1e-4)
    }
}

/// Central differences `(f(x + h·e_i) − f(x − h·e_i)) / 2h` in float64 at up to `samples`
/// coordinates (all of them for small inputs), compared with `analytic` by
/// `|a − fd| ≤ tolerance · (|fd| + 1e-2 · max|fd|)`.
func assertGradient(_ analytic: [Float], matchesFiniteDifferencesOf f: (DoubleReference.T) -> Double,
                    at x: DoubleReference.T, step: Double = 1e-3, samples: Int = 64, tolerance: Double,
                    file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(analytic.count, x.v.count, "gradient size", file: file, line: line)
    let n = x.v.count
    let stride = max(1, n / samples)
    var indices = Array(Swift.stride(from: 0, to: n, by: stride))
    if indices.count > samples { indices = Array(indices.prefix(samples)) }
    var fd: [Double] = []
    for i in indices {
        var xp = x, xm = x
        xp.v[i] += step; xm.v[i] -= step
        fd.append((f(xp) - f(xm)) / (2 * step))
    }
    let scale = fd.map(abs).max() ?? 0
    XCTAssertGreaterThan(scale, 0, "finite differences are all zero: the check would be vacuous", file: file, line: line)
    for (k, i) in indices.enumerated() {
        let a = Double(analytic[i])
        let err = abs(a - fd[k]) / (abs(fd[k]) + 1e-2 * scale)
        if err > tolerance {
            XCTFail("gradient[\(i)] = \(a), finite differences \(fd[k]) (relative error \(err))", file: file, line: line)
            return
        }
    }
}
