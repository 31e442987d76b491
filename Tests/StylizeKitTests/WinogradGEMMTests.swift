import XCTest
@testable import StylizeKernels

/// stylize's own Winograd-domain GEMM kernels (`WinogradGEMM`, `Sources/CKernels`), each one
/// this CPU can run, against a float64 product, on shapes that exercise every remainder
/// (rows not a multiple of 8 or 6, columns not a multiple of 48 or 16, depths over the
/// 128-term block), both storage orders of A, and leading dimensions wider than the matrices.
final class WinogradGEMMTests: XCTestCase {
    /// (m, n, k, transA)
    static let shapes = [(1, 1, 1, false), (8, 48, 128, false), (8, 48, 128, true), (13, 77, 37, false),
                         (13, 77, 300, true), (7, 5, 129, true), (64, 256, 64, false), (64, 100, 200, true),
                         (130, 61, 257, false), (6, 16, 1, true), (5, 17, 2, false)]

    static var ourKernels: [WinogradGEMM.Kernel] { WinogradGEMM.available.filter { $0 != .blas } }

    /// C = op(A)·B with padding around every matrix: lda = (k or m) + 3, ldb = n + 5, ldc = n + 7.
    static func product(_ kernel: WinogradGEMM.Kernel, m: Int, n: Int, k: Int, transA: Bool, a: [Float], b: [Float],
                        cols: Range<Int>? = nil, sentinel: Float = 12345) -> [Float] {
        let lda = (transA ? m : k) + 3, ldb = n + 5, ldc = n + 7
        var c = [Float](repeating: sentinel, count: m * ldc)
        let cols = cols ?? 0..<n
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            WinogradGEMM.multiply(kernel, transA: transA, m: m, n: cols.count, k: k, a: ap.baseAddress!, lda: lda,
                                  b: bp.baseAddress! + cols.lowerBound, ldb: ldb,
                                  c: cp.baseAddress! + cols.lowerBound, ldc: ldc)
        } } }
        return c
    }

    func testEveryKernelMatchesAFloat64Product() throws {
        if Self.ourKernels.isEmpty { throw XCTSkip("this CPU has neither AVX2+FMA nor AVX-512F") }
        var rng = SeededRandom(seed: 18)
        for (m, n, k, transA) in Self.shapes {
            let lda = (transA ? m : k) + 3, ldb = n + 5, ldc = n + 7
            let a = (0..<((transA ? k : m) * lda)).map { _ in Float(rng.uniform(-1, 1)) }
            let b = (0..<(k * ldb)).map { _ in Float(rng.uniform(-1, 1)) }
            func elementA(_ i: Int, _ p: Int) -> Double { Double(transA ? a[p * lda + i] : a[i * lda + p]) }
            for kernel in Self.ourKernels {
                let c = Self.product(kernel, m: m, n: n, k: k, transA: transA, a: a, b: b)
                for i in 0..<m {
                    for j in 0..<n {
                        var sum = 0.0, magnitude = 0.0
                        for p in 0..<k {
                            sum += elementA(i, p) * Double(b[p * ldb + j])
                            magnitude += abs(elementA(i, p) * Double(b[p * ldb + j]))
                        }
                        // k float32 roundings of partial sums, each at most 2⁻²⁴ of the running
                        // magnitude: |error| ≤ k · 2⁻²⁴ · Σ|a·b| (a loose, always-valid bound).
                        let bound = Double(k) * 0x1p-24 * magnitude + 1e-30
                        XCTAssertLessThanOrEqual(abs(Double(c[i * ldc + j]) - sum), bound,
                                                 "\(kernel) \(m)×\(n)×\(k) transA \(transA) at (\(i), \(j))")
                    }
                    // The padding of each row of C is never written.
                    for j in n..<ldc { XCTAssertEqual(c[i * ldc + j], 12345, "\(kernel) wrote C[\(i), \(j)]") }
                }
            }
        }
    }

    /// The sums run over p in increasing order whatever the columns' grouping: a product split
    /// into two column ranges at an odd place gives the bits of the whole.
    func testSplitColumnsGiveTheSameBits() throws {
        if Self.ourKernels.isEmpty { throw XCTSkip("this CPU has neither AVX2+FMA nor AVX-512F") }
        var rng = SeededRandom(seed: 5)
        let m = 20, n = 131, k = 300
        for transA in [false, true] {
            let a = (0..<((transA ? k : m) * ((transA ? m : k) + 3))).map { _ in Float(rng.uniform(-1, 1)) }
            let b = (0..<(k * (n + 5))).map { _ in Float(rng.uniform(-1, 1)) }
            for kernel in Self.ourKernels {
                let whole = Self.product(kernel, m: m, n: n, k: k, transA: transA, a: a, b: b)
                var left = Self.product(kernel, m: m, n: n, k: k, transA: transA, a: a, b: b, cols: 0..<37)
                let right = Self.product(kernel, m: m, n: n, k: k, transA: transA, a: a, b: b, cols: 37..<n)
                for i in 0..<m { for j in 37..<n { left[i * (n + 7) + j] = right[i * (n + 7) + j] } }
                XCTAssertEqual(left, whole, "\(kernel) transA \(transA)")
            }
        }
    }

    /// The whole Winograd convolution, forward and backward, with each of our kernels in place
    /// of OpenBLAS, against the direct reference (the bound of `WinogradTests`), on VGG layer
    /// shapes and on odd ones with several chunks.
    func testWinogradConvolutionWithEachKernel() throws {
        if Self.ourKernels.isEmpty { throw XCTSkip("this CPU has neither AVX2+FMA nor AVX-512F") }
        let shapes = [(64, 64, 12, 10, 8 << 20), (128, 256, 9, 11, 8 << 20), (512, 512, 5, 6, 8 << 20),
                      (17, 18, 7, 9, 36 * 35), (24, 16, 13, 6, 36 * 40 * 2)]
        for kernel in Self.ourKernels {
            for (c, oc, h, w, budget) in shapes {
                let e = WinogradTests.errors(.winograd4, c: c, oc: oc, h: h, w: w, seed: UInt64(c + oc + h),
                                             budget: budget, gemm: kernel)
                XCTAssertLessThanOrEqual(e.forward, WinogradTests.tolerance, "\(kernel) forward \(c)→\(oc) \(h)×\(w)")
                XCTAssertLessThanOrEqual(e.backward, WinogradTests.tolerance, "\(kernel) backward \(c)→\(oc) \(h)×\(w)")
            }
        }
    }

    /// The process's choice follows its rule: our fastest kernel only when it beat OpenBLAS by
    /// 20 % in the calibration (or when STYLIZE_GEMM pins one), and every candidate was timed.
    func testTheChoiceFollowsTheCalibration() {
        let choice = WinogradGEMM.choice
        XCTAssertTrue(WinogradGEMM.available.contains(choice.kernel))
        if choice.pinned { return }
        XCTAssertEqual(Set(choice.seconds.keys), Set(WinogradGEMM.available))
        for (_, t) in choice.seconds { XCTAssertGreaterThan(t, 0); XCTAssertLessThan(t, 1) }
        let blas = choice.seconds[.blas]!
        if choice.kernel == .blas {
            for kernel in Self.ourKernels { XCTAssertGreaterThanOrEqual(choice.seconds[kernel]!, 0.8 * blas) }
        } else {
            XCTAssertLessThan(choice.seconds[choice.kernel]!, 0.8 * blas)
            for kernel in Self.ourKernels { XCTAssertGreaterThanOrEqual(choice.seconds[kernel]!, choice.seconds[choice.kernel]!) }
        }
        XCTAssertTrue(WinogradGEMM.description.hasPrefix("Winograd GEMM: "))
    }
}
