import XCTest
@testable import StylizeKernels

/// The content and TV terms on every thread (issue 18): their sums in fixed blocks give the same
/// bits at every thread count, their gradients the plain passes' bits, and their values agree with
/// the plain passes' (`Gram.contentLossReference`, `TotalVariation.lossReference`) to the last
/// bits of a Double sum; with at most one block, exactly.
final class LossTermBlockTests: XCTestCase {
    private let threadCounts = [1, 2, 3, 5, 16]

    /// A layer of 48 channels × 23 × 37 (40 848 values, 5 blocks, the last one short, and channels
    /// that start inside blocks, so the weighted walk crosses a channel within a block).
    func testContentTermOnEveryThreadCount() {
        let f = randomTensor(48, 23, 37, seed: 61, range: (0, 4)), p = randomTensor(48, 23, 37, seed: 62, range: (0, 4))
        XCTAssertEqual((f.count + Gram.sumBlock - 1) / Gram.sumBlock, 5)
        let weights = (0..<f.positions).map { Float(0.25 + Double($0 % 7) / 4) }
        let start = randomTensor(48, 23, 37, seed: 63).data
        for w in [nil, weights] {
            var expectedGrad = start
            let expected = Gram.contentLossReference(f, target: p.data, positionWeights: w, scale: 3, grad: &expectedGrad)
            var first: Double?
            for t in threadCounts {
                var grad = start
                let l = Gram.contentLoss(f, target: p.data, positionWeights: w, scale: 3, grad: &grad, parallel: Parallel(threads: t))
                XCTAssertEqual(grad, expectedGrad, "the gradient's bits, \(t) threads, weights: \(w != nil)")
                XCTAssertEqual(l, expected, accuracy: 1e-13 * expected, "\(t) threads against the plain sum")
                XCTAssertEqual(Gram.contentLoss(f, target: p.data, positionWeights: w, parallel: Parallel(threads: t)), l,
                               "the value without the gradient, \(t) threads")
                if let first { XCTAssertEqual(l, first, "\(t) threads against 1: the same bits") } else { first = l }
            }
        }
    }

    /// At most one block: exactly the plain pass's value.
    func testContentTermOfOneBlockIsThePlainSum() {
        let f = randomTensor(8, 31, 33, seed: 64), p = randomTensor(8, 31, 33, seed: 65)
        XCTAssertLessThanOrEqual(f.count, Gram.sumBlock)
        var g1 = [Float](repeating: 0, count: f.count), g2 = g1
        let expected = Gram.contentLossReference(f, target: p.data, positionWeights: nil, scale: 1, grad: &g1)
        XCTAssertEqual(Gram.contentLoss(f, target: p.data, scale: 1, grad: &g2, parallel: Parallel(threads: 3)), expected)
        XCTAssertEqual(g2, g1)
    }

    /// An image of 3 × 67 × 131 (26 331 values, 4 blocks cut inside rows and across a plane's
    /// end): the gradient's bits (gathered) are the scattering plain pass's, from a non-zero start.
    func testTotalVariationOnEveryThreadCount() {
        let x = randomTensor(3, 67, 131, seed: 66, range: (-100, 100))
        XCTAssertEqual((x.count + TotalVariation.block - 1) / TotalVariation.block, 4)
        let start = randomTensor(3, 67, 131, seed: 67).data
        var expectedGrad = start
        let expected = TotalVariation.lossReference(x, scale: 2.5, grad: &expectedGrad)
        var first: Double?
        for t in threadCounts {
            var grad = start
            let l = TotalVariation.loss(x, scale: 2.5, grad: &grad, parallel: Parallel(threads: t))
            XCTAssertEqual(grad, expectedGrad, "the gradient's bits, \(t) threads")
            XCTAssertEqual(l, expected, accuracy: 1e-13 * expected, "\(t) threads against the plain sum")
            XCTAssertEqual(TotalVariation.loss(x, parallel: Parallel(threads: t)), l, "the value without the gradient")
            if let first { XCTAssertEqual(l, first, "\(t) threads against 1: the same bits") } else { first = l }
        }
    }

    /// At most one block, and the edge cases of one row and one column: exactly the plain pass.
    func testTotalVariationOfOneBlockIsThePlainSum() {
        for (h, w) in [(40, 61), (1, 50), (50, 1), (1, 1)] {
            let x = randomTensor(3, h, w, seed: 68, range: (-100, 100))
            var g1 = randomTensor(3, h, w, seed: 69).data, g2 = g1
            let expected = TotalVariation.lossReference(x, scale: 1, grad: &g1)
            XCTAssertEqual(TotalVariation.loss(x, scale: 1, grad: &g2, parallel: Parallel(threads: 2)), expected, "\(h) × \(w)")
            XCTAssertEqual(g2, g1, "\(h) × \(w)")
        }
    }

    /// The style term's `Σ (G − A)²` over 128 × 128 values (2 blocks): the same bits at every
    /// thread count, within a Double sum's last bits of the plain one, and the same gradient.
    func testStyleTermOnEveryThreadCount() {
        let f = randomTensor(128, 12, 14, seed: 70, range: (0, 2))
        let a = randomTensor(1, 128, 128, seed: 71, range: (0, 2)).data
        let g = Gram.gram(of: f, parallel: .serial)
        var plain = 0.0
        for i in 0..<g.count { let d = g[i] - a[i]; plain += Double(d) * Double(d) }
        plain /= 4.0 * 128 * 128 * Double(f.positions * f.positions)
        var first: (Double, [Float])?
        for t in threadCounts {
            var grad = [Float](repeating: 0, count: f.count)
            let l = Gram.styleLoss(f, target: a, scale: 2, grad: &grad, parallel: Parallel(threads: t))
            XCTAssertEqual(l, plain, accuracy: 1e-13 * plain, "\(t) threads against the plain sum")
            if let (l1, g1) = first {
                XCTAssertEqual(l, l1, "\(t) threads against 1: the same bits")
                XCTAssertEqual(grad, g1, "\(t) threads against 1: the gradient's bits")
            } else { first = (l, grad) }
        }
    }
}
