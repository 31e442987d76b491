import XCTest
@testable import StylizeKit
@testable import StylizeKernels

/// `BoxBlur` against its plain definition; `SmoothingPreconditioner` is a symmetric
/// positive definite operator that leaves pixel-scale patterns alone and amplifies broad
/// ones; with it, L-BFGS solves a problem whose broad components are stiff to move faster.
final class SmoothingPreconditionerTests: XCTestCase {
    func random(_ n: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<n).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(state >> 40) % 2001 - 1000) / 1000
        }
    }

    func testBoxBlurMatchesTheDirectSumForSmallAndOversizedRadii() {
        let (planes, height, width) = (3, 13, 17)
        let data = random(planes * height * width, seed: 1)
        var scratch = [Float](repeating: 0, count: data.count)
        for r in [0, 1, 2, 5, 20] {
            var fast = data
            BoxBlur.blur(&fast, planes: planes, height: height, width: width, radius: r, scratch: &scratch, parallel: Parallel(threads: 2))
            let reference = BoxBlurReference.blur(data, planes: planes, height: height, width: width, radius: r)
            let error = zip(fast, reference).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(error, 1e-5, "radius \(r)")
        }
    }

    /// `blur` splits the rows and then strips of columns over the threads; every value must
    /// get the bits of the plane-at-a-time pass (`blurPlane`), with any thread count, a last
    /// strip narrower than the rest, and radii from 0 to more than the plane.
    func testBoxBlurSplitGivesThePlanePassBits() {
        let (planes, height, width) = (3, 80, 150)  // both passes above the parallel threshold
        // Whole planes on up to 3 threads; strips of 32 columns (5 a plane) on 4, of 16 (10) on 7.
        XCTAssertEqual([4, 7].map { BoxBlur.stripWidth(width: width, planes: planes, threads: $0) }, [32, 16])
        let data = random(planes * height * width, seed: 4), plane = height * width
        for r in [0, 1, 3, 90] {
            var expected = data, t = [Float](repeating: 0, count: data.count)
            expected.withUnsafeMutableBufferPointer { e in
                t.withUnsafeMutableBufferPointer { tb in
                    for p in 0..<planes {
                        BoxBlur.blurPlane(e.baseAddress! + p * plane, tb.baseAddress! + p * plane, height: height, width: width,
                                          r: r, norm: 1 / Float(2 * r + 1))
                    }
                }
            }
            for threads in [1, 2, 4, 7] {
                var actual = data, scratch = [Float](repeating: 9, count: data.count)
                BoxBlur.blur(&actual, planes: planes, height: height, width: width, radius: r, scratch: &scratch,
                             parallel: Parallel(threads: threads))
                XCTAssertEqual(actual.map(\.bitPattern), expected.map(\.bitPattern), "radius \(r), \(threads) threads")
            }
            let reference = BoxBlurReference.blur(data, planes: planes, height: height, width: width, radius: r)
            XCTAssertLessThan(zip(expected, reference).map { abs($0 - $1) }.max()!, 1e-5, "radius \(r)")
        }
    }

    func testOperatorIsSymmetricAndBetweenOneAndOnePlusItsWeights() {
        let m = SmoothingPreconditioner(planes: 3, height: 40, width: 56, parallel: Parallel(threads: 2))
        XCTAssertEqual(m.radii, [1, 2, 4, 7])  // 56/64, 56/32, 56/16, 56/8, rounded, at least 1
        let u = random(3 * 40 * 56, seed: 2), v = random(3 * 40 * 56, seed: 3)
        var mu = u, mv = v
        m.apply(&mu); m.apply(&mv)
        let uMv = VectorMath.dot(u, mv), vMu = VectorMath.dot(v, mu)
        XCTAssertEqual(uMv, vMu, accuracy: 1e-5 * abs(uMv) + 1e-6)
        let vv = VectorMath.dot(v, v), vMv = VectorMath.dot(v, mv)
        XCTAssertGreaterThanOrEqual(vMv, vv * (1 - 1e-6))
        XCTAssertLessThanOrEqual(vMv, vv * Double(1 + m.weights.reduce(0, +)))
    }

    /// The final scale of a coarse-to-fine run halves the radii (1/128 … 1/16 of the longest
    /// side), with the same weights; rounded, at least 1 pixel.
    func testTheFinalScaleHalvesTheRadii() {
        XCTAssertEqual(SmoothingPreconditioner.standardRadii(height: 341, width: 512), [8, 16, 32, 64])
        XCTAssertEqual(SmoothingPreconditioner.standardRadii(height: 341, width: 512, refining: true), [4, 8, 16, 32])
        XCTAssertEqual(SmoothingPreconditioner.standardRadii(height: 256, width: 171, refining: true), [2, 4, 8, 16])
        XCTAssertEqual(SmoothingPreconditioner.standardRadii(height: 40, width: 56, refining: true), [1, 1, 2, 4])
        let m = SmoothingPreconditioner(planes: 3, height: 341, width: 512, refining: true, parallel: Parallel(threads: 1))
        XCTAssertEqual(m.radii, [4, 8, 16, 32])
        XCTAssertEqual(m.weights, [2, 4, 8, 16])
    }

    func testPixelScalePatternsPassAndBroadOnesAreAmplified() {
        let (h, w) = (64, 64)
        let m = SmoothingPreconditioner(planes: 1, height: h, width: w, parallel: Parallel(threads: 1))
        // A checkerboard: away from the edges a box of (2r+1)² pixels sums to ±1 pixel, so
        // B·v = v/(2r+1)² and M·v = v·(1 + Σ c/(2r+1)⁴) = 1.0325·v for radii 1, 2, 4, 8.
        XCTAssertEqual(m.radii, [1, 2, 4, 8])
        var checker = (0..<(h * w)).map { Float((($0 / w) + ($0 % w)) % 2 == 0 ? 1 : -1) }
        let original = checker
        m.apply(&checker)
        let expected = 1 + zip(m.radii, m.weights).map { Double($1) / pow(Double(2 * $0 + 1), 4) }.reduce(0, +)
        XCTAssertEqual(expected, 1.0325, accuracy: 1e-4)
        for y in 16..<48 { for x in 16..<48 {
            XCTAssertEqual(Double(checker[y * w + x] / original[y * w + x]), expected, accuracy: 1e-5)
        } }
        // A constant: amplified by 1 + Σ weights = 31 at the centre (every window inside).
        var flat = [Float](repeating: 1, count: h * w)
        m.apply(&flat)
        XCTAssertEqual(flat[(h / 2) * w + w / 2], 1 + m.weights.reduce(0, +), accuracy: 1e-3)
    }

    /// f(x) = ½·xᵀ(εI + L)x − bᵀx on a 48×48 plane, L the 5-point Laplacian: the broad
    /// components have curvature ε, the pixel-scale ones up to 8 + ε. After 30 iterations
    /// the preconditioned optimizer's loss gap is a small fraction of plain L-BFGS's.
    func testPreconditionedLBFGSClosesTheGapOfALaplacianProblemFaster() throws {
        let (h, w, eps) = (48, 48, Float(1e-3))
        let b = (0..<(h * w)).map { i -> Float in
            let y = Float(i / w) / Float(h), x = Float(i % w) / Float(w)
            return eps * (sin(3 * x) + cos(2 * y)) + 0.01 * Float((i * 7919) % 13) / 13
        }
        func apply(_ x: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: x.count)
            for y in 0..<h { for xx in 0..<w {
                let i = y * w + xx
                var v = (4 + eps) * x[i]
                if y > 0 { v -= x[i - w] }; if y < h - 1 { v -= x[i + w] }
                if xx > 0 { v -= x[i - 1] }; if xx < w - 1 { v -= x[i + 1] }
                out[i] = v
            } }
            return out
        }
        let f: LossFunction<[Float], Void> = { x in
            let ax = apply(x)
            let loss = 0.5 * VectorMath.dot(x, ax) - VectorMath.dot(b, x)
            return Evaluation(loss: loss, gradient: zip(ax, b).map { $0 - $1 }, info: ())
        }
        func loss(after iterations: Int, preconditioned: Bool) throws -> Double {
            var opt = LBFGS<CPUVectors, Void>(historySize: 10, gradientTolerance: 0, relativeDecreaseTolerance: 0, vectors: CPUVectors())
            if preconditioned {
                let m = SmoothingPreconditioner(planes: 1, height: h, width: w, parallel: Parallel(threads: 1))
                opt.preconditioner = { m.apply(&$0) }
            }
            var x = [Float](repeating: 0, count: h * w)
            var s = try opt.step(&x, evaluate: f)
            while s.stop == nil && s.iteration < iterations { s = try opt.step(&x, evaluate: f) }
            return s.loss
        }
        let best = try loss(after: 400, preconditioned: true)
        let plain = try loss(after: 30, preconditioned: false) - best
        let smooth = try loss(after: 30, preconditioned: true) - best
        XCTAssertGreaterThan(plain, 0)
        XCTAssertLessThan(smooth, 0.5 * plain, "gap after 30 iterations: \(smooth) preconditioned, \(plain) plain")
    }
}
