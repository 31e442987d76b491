import XCTest
@testable import StylizeKernels
@testable import StylizeKit

/// The optimizers' vector passes on every thread (`VectorMath+Blocks`, `CPUVectors`): the same
/// bits with 1, 2, 3, 8 and 16 threads on vectors of many blocks (a last block that is short, and
/// variables at both bounds); one block's result is the serial pass's exactly; the sums are
/// right to Double rounding against a sum in higher precision; and an L-BFGS run on a problem
/// of 200 000 variables takes the same steps with 1 and 3 threads.
final class VectorBlockTests: XCTestCase {
    /// Deterministic test data: `n` values in `lo…hi`, a fraction of them exactly at a bound.
    private func vectors(_ n: Int, seed: UInt64) -> (x: [Float], g: [Float], d: [Float], lo: [Float], hi: [Float]) {
        var rng = SeededRandom(seed: seed)
        let lo = (0..<n).map { _ in Float(rng.uniform(-2, -1)) }, hi = (0..<n).map { _ in Float(rng.uniform(1, 2)) }
        var x = [Float](repeating: 0, count: n)
        for i in 0..<n { x[i] = i % 7 == 0 ? lo[i] : i % 11 == 0 ? hi[i] : Float(rng.uniform(-1, 1)) }
        let g = (0..<n).map { _ in Float(rng.uniform(-1, 1)) }, d = (0..<n).map { _ in Float(rng.uniform(-1, 1)) }
        return (x, g, d, lo, hi)
    }

    /// Every pass of `CPUVectors` with `threads` threads, its results and written vectors.
    private func everyPass(_ n: Int, threads: Int) -> (sums: [Double], written: [[Float]]) {
        let v = CPUVectors(parallel: Parallel(threads: threads))
        let (x, g, d, lo, hi) = vectors(n, seed: 5)
        let b = Bounds(lower: lo, upper: hi)
        var sums: [Double] = [v.dot(x, g), v.maxAbs(d), v.projectedGradientNorm(x: x, g: g, bounds: b),
                              v.projectedGradientNorm(x: x, g: g, bounds: nil)]
        var y = d
        v.axpy(0.375, x, &y); v.scale(-1.5, &y)
        var q = [Float](repeating: 0, count: n)
        v.freeGradient(x: x, g: g, bounds: b, into: &q)
        var dd = d
        sums.append(v.restrictDirection(&dd, negate: true, x: x, g: g, bounds: b))
        var xt = [Float](repeating: 0, count: n)
        let (slope, moved) = v.projectedPoint(x: x, d: d, t: 0.75, bounds: b, g: g, into: &xt)
        sums += [slope, moved ? 1 : 0]
        var s = [Float](repeating: 0, count: n), yy = s
        let p = v.secantPair(xNew: xt, xOld: x, gNew: d, gOld: g, bounds: b, s: &s, y: &yy)
        let p2 = v.secantProducts(xNew: xt, xOld: x, gNew: d, gOld: g, bounds: b)
        sums += [p.sy, p.yy, p.ss, p2.sy, p2.yy, p2.ss]
        var clamped = y
        v.clamp(&clamped, to: b)
        var copied = [Float](repeating: 0, count: n)
        v.copy(y, into: &copied)
        return (sums, [y, q, dd, xt, s, yy, clamped, copied])
    }

    func testTheSameBitsWithAnyThreadCount() {
        let n = 5 * VectorMath.blockSize + 1234
        let one = everyPass(n, threads: 1)
        for threads in [2, 3, 8, 16] {
            let other = everyPass(n, threads: threads)
            XCTAssertEqual(other.sums, one.sums, "\(threads) threads")
            for (a, b) in zip(other.written, one.written) { XCTAssertTrue(a == b, "\(threads) threads: a written vector differs") }
        }
    }

    /// Within one block the passes are the serial ones of `VectorMath`, to the bit.
    func testOneBlockIsTheSerialPass() {
        let n = VectorMath.blockSize - 3
        let (x, g, d, lo, hi) = vectors(n, seed: 8)
        let v = CPUVectors(parallel: Parallel(threads: 3))
        XCTAssertEqual(v.dot(x, g), VectorMath.dot(x, g))
        var y = d, serial = d
        v.axpy(-0.625, x, &y)
        for i in 0..<n { serial[i] += -0.625 * x[i] }
        XCTAssertEqual(y, serial)
        var dd = d, dSerial = d
        let slope = v.restrictDirection(&dd, negate: false, x: x, g: g, bounds: Bounds(lower: lo, upper: hi))
        var serialSlope = 0.0
        for i in 0..<n {
            let active = (x[i] <= lo[i] && g[i] > 0) || (x[i] >= hi[i] && g[i] < 0)
            if active || (x[i] <= lo[i] && dSerial[i] < 0) || (x[i] >= hi[i] && dSerial[i] > 0) { dSerial[i] = 0 }
            serialSlope += Double(g[i]) * Double(dSerial[i])
        }
        XCTAssertEqual(dd, dSerial)
        XCTAssertEqual(slope, serialSlope)
    }

    /// The blocked sums are as accurate as the serial ones: against a compensated
    /// (Kahan–Babuška) Double sum of the exact products, within 1e-13 relative.
    func testBlockedSumsAreAccurate() {
        let n = 24 * VectorMath.blockSize
        let (x, g, _, _, _) = vectors(n, seed: 13)
        var sum = 0.0, c = 0.0
        for i in 0..<n {
            let p = Double(x[i]) * Double(g[i]), t = sum + p
            c += abs(sum) >= abs(p) ? (sum - t) + p : (p - t) + sum
            sum = t
        }
        let exact = sum + c
        let blocked = CPUVectors(parallel: Parallel(threads: 2)).dot(x, g)
        XCTAssertEqual(blocked, exact, accuracy: 1e-13 * x.indices.reduce(0.0) { $0 + abs(Double(x[$1]) * Double(g[$1])) })
        XCTAssertNotEqual(blocked, 0)
    }

    /// A bounded L-BFGS run on 200 000 variables (7 blocks): the same iterates with 1 and 3 threads.
    func testLBFGSTakesTheSameStepsWithOneOrThreeThreads() {
        let n = 200_000
        var rng = SeededRandom(seed: 21)
        let diag = (0..<n).map { _ in Float(rng.uniform(0.1, 10)) }, target = (0..<n).map { _ in Float(rng.uniform(-2, 2)) }
        let box = Box(lower: [Float](repeating: -1, count: n), upper: [Float](repeating: 1, count: n))
        func run(threads: Int) -> [Float] {
            var opt = LBFGS<CPUVectors, Void>(historySize: 8, box: box, vectors: CPUVectors(parallel: Parallel(threads: threads)))
            var x = [Float](repeating: 0, count: n)
            for _ in 0..<15 {
                _ = try? opt.step(&x) { p -> Evaluation<[Float], Void> in
                    var f = 0.0, grad = [Float](repeating: 0, count: n)
                    for i in 0..<n {
                        let r = p[i] - target[i]
                        f += 0.5 * Double(diag[i]) * Double(r) * Double(r)
                        grad[i] = diag[i] * r
                    }
                    return Evaluation(loss: f, gradient: grad)
                }
            }
            return x
        }
        let one = run(threads: 1), three = run(threads: 3)
        XCTAssertTrue(one == three, "the iterates differ between 1 and 3 threads")
        XCTAssertGreaterThan(one.reduce(0) { max($0, abs($1)) }, 0.5)
    }
}
