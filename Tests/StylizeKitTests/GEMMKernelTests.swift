import XCTest
@testable import StylizeKernels

/// stylize's own GEMM kernels (`GEMMKernel`, `Sources/CKernels`) behind `BLAS.sgemm`, each
/// one this CPU can run, against a float64 product: shapes that exercise every remainder
/// (rows not a multiple of 8 or 6, columns not a multiple of 48 or 16, depths over the
/// 128-term block, more columns than the 768 of a column block), all four storage orders,
/// alpha and beta as the Gram matrices and style gradients use them, and leading dimensions
/// wider than the matrices.
final class GEMMKernelTests: XCTestCase {
    /// (m, n, k, transA, transB, alpha, beta)
    static let cases: [(Int, Int, Int, Bool, Bool, Float, Float)] = [
        (1, 1, 1, false, false, 1, 0), (8, 48, 128, false, false, 1, 0), (8, 48, 128, true, false, 1, 0),
        (13, 77, 37, false, false, 1, 0), (13, 77, 300, true, false, 1, 0), (7, 5, 129, true, false, 1, 0),
        (64, 256, 64, false, false, 1, 0), (64, 100, 200, true, false, 1, 0), (130, 61, 257, false, false, 1, 0),
        (6, 16, 1, true, false, 1, 0), (5, 17, 2, false, false, 1, 0),
        // the Gram matrix F·Fᵀ (transB, long depth) and the masked one (alpha)
        (9, 9, 1000, false, true, 1, 0), (16, 16, 777, false, true, 0.37, 0), (3, 50, 130, true, true, 1, 0),
        // A and a transposed B packed 8 × 8 at a time, with rows, columns and terms left over
        (20, 41, 135, false, true, 0.37, 0), (14, 33, 19, false, false, 0.5, 1),
        // the style gradient (alpha, accumulating into C) over more than one column block
        (10, 1700, 10, false, false, -2.5, 1), (7, 30, 20, true, true, 0.5, 0.75),
    ]

    static var ourKernels: [GEMMKernel] { GEMMKernel.available.filter { $0 != .blas } }

    /// C = alpha·op(A)·op(B) + beta·C0 with padding everywhere: lda, ldb = stored row + 3,
    /// ldc = n + 7. C0 is `initial` in the matrix and a sentinel in the padding.
    static func product(_ kernel: GEMMKernel, _ m: Int, _ n: Int, _ k: Int, _ transA: Bool, _ transB: Bool,
                        _ alpha: Float, _ beta: Float, a: [Float], b: [Float], initial: [Float],
                        cols: Range<Int>? = nil) -> [Float] {
        let lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 3, ldc = n + 7
        var c = initial
        let cols = cols ?? 0..<n
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            BLAS.sgemm(kernel: kernel, transA: transA, transB: transB, m: m, n: cols.count, k: k, alpha: alpha,
                       a: ap.baseAddress!, lda: lda,
                       b: bp.baseAddress! + (transB ? cols.lowerBound * ldb : cols.lowerBound), ldb: ldb,
                       beta: beta, c: cp.baseAddress! + cols.lowerBound, ldc: ldc)
        } } }
        return c
    }

    static func operands(_ m: Int, _ n: Int, _ k: Int, _ transA: Bool, _ transB: Bool, seed: UInt64)
        -> (a: [Float], b: [Float], c: [Float]) {
        var rng = SeededRandom(seed: seed)
        let lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 3, ldc = n + 7
        let a = (0..<((transA ? k : m) * lda)).map { _ in Float(rng.uniform(-1, 1)) }
        let b = (0..<((transB ? n : k) * ldb)).map { _ in Float(rng.uniform(-1, 1)) }
        var c = [Float](repeating: 12345, count: m * ldc)
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] = Float(rng.uniform(-1, 1)) } }
        return (a, b, c)
    }

    func testEveryKernelMatchesAFloat64Product() throws {
        if Self.ourKernels.isEmpty { throw XCTSkip("this CPU has neither AVX2+FMA nor AVX-512F") }
        for (index, (m, n, k, transA, transB, alpha, beta)) in Self.cases.enumerated() {
            let (a, b, c0) = Self.operands(m, n, k, transA, transB, seed: UInt64(index + 1))
            let lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 3, ldc = n + 7
            func elementA(_ i: Int, _ p: Int) -> Double { Double(transA ? a[p * lda + i] : a[i * lda + p]) }
            func elementB(_ p: Int, _ j: Int) -> Double { Double(transB ? b[j * ldb + p] : b[p * ldb + j]) }
            for kernel in Self.ourKernels {
                let c = Self.product(kernel, m, n, k, transA, transB, alpha, beta, a: a, b: b, initial: c0)
                let name = "\(kernel) \(m)×\(n)×\(k) transA \(transA) transB \(transB) alpha \(alpha) beta \(beta)"
                for i in 0..<m {
                    for j in 0..<n {
                        var sum = 0.0, magnitude = 0.0
                        for p in 0..<k {
                            sum += elementA(i, p) * elementB(p, j)
                            magnitude += abs(elementA(i, p) * elementB(p, j))
                        }
                        let exact = Double(alpha) * sum + Double(beta) * Double(c0[i * ldc + j])
                        // k float32 roundings of partial sums, each at most 2⁻²⁴ of the running
                        // magnitude, then the scaling (2 more): a loose, always-valid bound.
                        let bound = Double(k + 2) * 0x1p-24 * (abs(Double(alpha)) * magnitude
                            + abs(Double(beta) * Double(c0[i * ldc + j]))) + 1e-30
                        XCTAssertLessThanOrEqual(abs(Double(c[i * ldc + j]) - exact), bound, "\(name) at (\(i), \(j))")
                    }
                    // The padding of each row of C is never written.
                    for j in n..<ldc { XCTAssertEqual(c[i * ldc + j], 12345, "\(name) wrote C[\(i), \(j)]") }
                }
            }
        }
    }

    /// The sums run over p in increasing order whatever the columns' grouping: a product split
    /// into two column ranges at an odd place gives the bits of the whole (what lets
    /// `BLAS.sgemm(…, parallel:)` split products over threads without changing a result).
    func testSplitColumnsGiveTheSameBits() throws {
        if Self.ourKernels.isEmpty { throw XCTSkip("this CPU has neither AVX2+FMA nor AVX-512F") }
        let m = 20, n = 131, k = 300
        for (transA, transB, alpha, beta) in [(false, false, Float(1), Float(0)), (true, false, 1, 0),
                                              (false, true, 0.3, 0), (false, false, 2, 1)] {
            let (a, b, c0) = Self.operands(m, n, k, transA, transB, seed: 5)
            for kernel in Self.ourKernels {
                let whole = Self.product(kernel, m, n, k, transA, transB, alpha, beta, a: a, b: b, initial: c0)
                let left = Self.product(kernel, m, n, k, transA, transB, alpha, beta, a: a, b: b, initial: c0, cols: 0..<37)
                let both = Self.product(kernel, m, n, k, transA, transB, alpha, beta, a: a, b: b, initial: left, cols: 37..<n)
                XCTAssertEqual(both, whole, "\(kernel) transA \(transA) transB \(transB) alpha \(alpha) beta \(beta)")
            }
        }
    }

    /// A matrix packed once (`BLAS.pack`, what Winograd does with its transformed kernels)
    /// gives the bits of the same product with `A` packed by each call, overwriting `C` or
    /// adding into it, for rows that are not a multiple of either kernel's panel, depths over
    /// one 128-term block and more columns than one 768-column block; and a transposed `A`
    /// (read in place when alpha is 1) the bits of the same matrix stored untransposed; packed
    /// from its transposed storage, `A` gives the same packed floats.
    func testPackedOnceGivesTheBitsOfPackingEachCall() throws {
        if Self.ourKernels.isEmpty { throw XCTSkip("this CPU has neither AVX2+FMA nor AVX-512F") }
        for (index, (m, n, k)) in [(1, 1, 1), (8, 48, 128), (13, 77, 300), (64, 16, 64), (130, 800, 257), (512, 4, 512)].enumerated() {
            for beta: Float in [0, 1] {
                let (a, b, c0) = Self.operands(m, n, k, false, false, seed: UInt64(40 + index))
                let lda = k + 3, ldb = n + 3, ldc = n + 7
                // the same A stored transposed (k × m, ld m + 3)
                var at = [Float](repeating: 0, count: k * (m + 3))
                for i in 0..<m { for p in 0..<k { at[p * (m + 3) + i] = a[i * lda + p] } }
                for kernel in Self.ourKernels {
                    let each = Self.product(kernel, m, n, k, false, false, 1, beta, a: a, b: b, initial: c0)
                    let transposed = Self.product(kernel, m, n, k, true, false, 1, beta, a: at, b: b, initial: c0)
                    let packed = a.withUnsafeBufferPointer { BLAS.pack(kernel: kernel, m: m, k: k, a: $0.baseAddress!, lda: lda) }
                    var once = c0
                    packed.withUnsafeBufferPointer { pp in b.withUnsafeBufferPointer { bp in once.withUnsafeMutableBufferPointer { cp in
                        BLAS.sgemm(kernel: kernel, m: m, n: n, k: k, packedA: pp.baseAddress!, packedCount: pp.count,
                                   b: bp.baseAddress!, ldb: ldb, beta: beta, c: cp.baseAddress!, ldc: ldc)
                    } } }
                    // the transposed storage packed once (Winograd's backward weights)
                    let packedT = at.withUnsafeBufferPointer {
                        BLAS.pack(kernel: kernel, transA: true, m: m, k: k, a: $0.baseAddress!, lda: m + 3)
                    }
                    XCTAssertEqual(packedT, packed, "\(kernel) \(m)×\(k): packed from the transpose")
                    XCTAssertEqual(once, each, "\(kernel) \(m)×\(n)×\(k) beta \(beta): packed once")
                    XCTAssertEqual(transposed, each, "\(kernel) \(m)×\(n)×\(k) beta \(beta): transposed A")
                    XCTAssertNotEqual(each, c0, "\(kernel) \(m)×\(n)×\(k): the product wrote nothing")
                }
            }
        }
    }

    /// A row-major `B` whose rows are far apart (`ldb` ≥ 1024, as a style gradient's `F` is) is
    /// copied into panels before the products read it (`b_panels` in `sgemm.c`); it gives the
    /// bits of the same product reading `B` in place (`ldb` < 1024), overwriting `C` or adding
    /// into it, with NaN in the far rows' padding that must never be read.
    func testFarApartRowsOfBGiveTheBitsOfReadingInPlace() throws {
        if Self.ourKernels.isEmpty { throw XCTSkip("this CPU has neither AVX2+FMA nor AVX-512F") }
        for (index, (m, n, k)) in [(13, 77, 300), (64, 1000, 64), (9, 800, 129)].enumerated() {
            for beta: Float in [0, 1] {
                let (a, b, c0) = Self.operands(m, n, k, false, false, seed: UInt64(70 + index))
                let ldb = n + 3, far = 4096  // rows 16 KB apart, a multiple of 4 KB
                var bFar = [Float](repeating: .nan, count: k * far)
                for p in 0..<k { for j in 0..<n { bFar[p * far + j] = b[p * ldb + j] } }
                for kernel in Self.ourKernels {
                    let inPlace = Self.product(kernel, m, n, k, false, false, -0.5, beta, a: a, b: b, initial: c0)
                    var panels = c0
                    a.withUnsafeBufferPointer { ap in bFar.withUnsafeBufferPointer { bp in panels.withUnsafeMutableBufferPointer { cp in
                        BLAS.sgemm(kernel: kernel, m: m, n: n, k: k, alpha: -0.5, a: ap.baseAddress!, lda: k + 3,
                                   b: bp.baseAddress!, ldb: far, beta: beta, c: cp.baseAddress!, ldc: n + 7)
                    } } }
                    XCTAssertEqual(panels.map(\.bitPattern), inPlace.map(\.bitPattern),
                                   "\(kernel) \(m)×\(n)×\(k) beta \(beta): B copied into panels")
                    XCTAssertNotEqual(inPlace, c0, "\(kernel) \(m)×\(n)×\(k): the product wrote nothing")
                }
            }
        }
    }

    /// `STYLIZE_GEMM_NARROW`'s dispatch inside a Winograd layer: with OpenBLAS for the wide
    /// products and one of ours for the narrow ones, a layer whose chunks have at most
    /// `GEMMKernel.narrowTiles` tiles gives, forward and backward, the bits of the layer with
    /// ours for every product (the weights packed once, forward and transposed for the
    /// backward products, where the mixed layer reads them transposed in place), and a layer
    /// with wider chunks the bits of OpenBLAS alone. A layer with ours for every product keeps
    /// only the packed copies, and rebuilds the transformed weights from them exactly.
    func testNarrowProductsRunInTheirOwnKernel() throws {
        guard let ours = Self.ourKernels.last else { throw XCTSkip("this CPU has neither AVX2+FMA nor AVX-512F") }
        let (c, oc) = (512, 512)  // conv4's depth, where OpenBLAS's sums round differently from ours
        let (weight, bias) = WinogradTests.vggScaleWeights(c, oc, seed: 77)
        func run(_ gemm: GEMMKernel, _ narrow: GEMMKernel, h: Int, w: Int) -> (forward: [Float], backward: [Float]) {
            let layer = Winograd4(weight: weight, outChannels: oc, inChannels: c, gemm: gemm, narrowGemm: narrow, parallel: .serial)
            let x = WinogradTests.reluLike(c, h, w, seed: 78)
            let g = randomTensor(oc, h, w, seed: 79)
            var out = Tensor3(zeros: oc, h, w), grad = Tensor3(zeros: c, h, w), ws = Conv3x3.Workspace()
            layer.convolve(x, transposed: false, bias: bias, relu: false, into: &out, workspace: &ws, parallel: .serial)
            layer.convolve(g, transposed: true, into: &grad, workspace: &ws, parallel: .serial)
            return (out.data, grad.data)
        }
        // 20 × 23 px: 5 × 6 = 30 tiles (narrow); 64 × 60 px: 16 × 15 = 240 tiles in one chunk (wide)
        let narrowMixed = run(.blas, ours, h: 20, w: 23), narrowOurs = run(ours, ours, h: 20, w: 23)
        let narrowBLAS = run(.blas, .blas, h: 20, w: 23)
        XCTAssertEqual(narrowMixed.forward, narrowOurs.forward, "\(ours): narrow forward")
        XCTAssertEqual(narrowMixed.backward, narrowOurs.backward, "\(ours): narrow backward")
        XCTAssertNotEqual(narrowMixed.forward, narrowBLAS.forward, "the narrow products did not leave OpenBLAS")
        let wideMixed = run(.blas, ours, h: 64, w: 60), wideBLAS = run(.blas, .blas, h: 64, w: 60)
        XCTAssertEqual(wideMixed.forward, wideBLAS.forward, "\(ours): wide forward")
        XCTAssertEqual(wideMixed.backward, wideBLAS.backward, "\(ours): wide backward")
        let packedOnly = Winograd4(weight: weight, outChannels: oc, inChannels: c, gemm: ours, narrowGemm: ours, parallel: .serial)
        let plain = Winograd4(weight: weight, outChannels: oc, inChannels: c, gemm: .blas, narrowGemm: .blas, parallel: .serial)
        XCTAssertTrue(packedOnly.u.isEmpty && !packedOnly.packedT.isEmpty && plain.packedT.isEmpty)
        XCTAssertEqual(plain.u.count, 36 * c * oc)
        XCTAssertEqual(packedOnly.transformedKernels, plain.u, "\(ours): the transformed weights rebuilt from the packed copy")
    }

    /// The whole Winograd convolution, forward and backward, and the im2col one (conv1_1's
    /// shape), with each of our kernels in place of OpenBLAS, against the direct reference.
    func testConvolutionsWithEachKernel() throws {
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
            // im2col (1e-5, as stylize-bench's check): conv1_1 (col2im backward) and 16 → 8 (flipped weights)
            for (c, oc) in [(3, 64), (16, 8)] {
                let e = WinogradTests.errors(.im2col, c: c, oc: oc, h: 11, w: 13, seed: UInt64(c), gemm: kernel)
                XCTAssertLessThanOrEqual(e.forward, 1e-5, "\(kernel) im2col forward \(c)→\(oc)")
                XCTAssertLessThanOrEqual(e.backward, 1e-5, "\(kernel) im2col backward \(c)→\(oc)")
            }
        }
    }

    /// In a Gram matrix (`F · Fᵀ`, `a` and `b` the same rows) our kernels read `A`'s panels from
    /// the block of `B` they already transposed instead of packing them again: the same bits as
    /// the product of `F` with a copy of itself (which packs `A`), for a whole Gram and for a
    /// strip (rows 40 ..< 100 against columns 40 ..< 100), and within 1e-5 of float64.
    func testAGramReadsItsRowsFromTheTransposedBlockWithTheSameBits() throws {
        if Self.ourKernels.isEmpty { throw XCTSkip("this CPU has neither AVX2+FMA nor AVX-512F") }
        let n = 100, m = 700
        var rng = SeededRandom(seed: 11)
        let f = rng.floats(n * m, 0, 2), copy = Array(f)
        for kernel in Self.ourKernels {
            for first in [0, 40] {
                let rows = n - first
                var same = [Float](repeating: 0, count: rows * rows), other = same
                f.withUnsafeBufferPointer { pf in copy.withUnsafeBufferPointer { pc in
                    let a = pf.baseAddress! + first * m
                    same.withUnsafeMutableBufferPointer { c in
                        BLAS.sgemm(kernel: kernel, transB: true, m: rows, n: rows, k: m, a: a, lda: m, b: a, ldb: m,
                                   c: c.baseAddress!, ldc: rows)
                    }
                    other.withUnsafeMutableBufferPointer { c in
                        BLAS.sgemm(kernel: kernel, transB: true, m: rows, n: rows, k: m, a: a, lda: m,
                                   b: pc.baseAddress! + first * m, ldb: m, c: c.baseAddress!, ldc: rows)
                    }
                } }
                XCTAssertTrue(same == other, "\(kernel), rows from \(first)")
                for (i, j) in [(0, 0), (rows - 1, 3), (17, rows - 1)] {
                    let exact = (0..<m).reduce(0.0) { $0 + Double(f[(first + i) * m + $1]) * Double(f[(first + j) * m + $1]) }
                    XCTAssertEqual(Double(same[i * rows + j]), exact, accuracy: 1e-5 * exact, "\(kernel) (\(i), \(j))")
                }
            }
        }
    }

    /// A product split over many threads gives one call's bits with OpenBLAS too, also with
    /// `beta = 1` (the style gradient's accumulation): no column block falls onto OpenBLAS'
    /// small-matrix path when the whole product is above it. Without that cap, 16 blocks of
    /// this product differed from one call in 5492 of 259 584 values.
    /// Skipped where OpenBLAS' kernels do not keep a product's bits in pieces at all (its
    /// Haswell and Zen kernels), which is why the calibration then leaves it out.
    func testSplittingOverThreadsKeepsOneCallsBitsWithOpenBLAS() throws {
        if !GEMMKernel.keepsBitsInPieces(.general, kernel: .blas) {
            throw XCTSkip("OpenBLAS' kernels on this CPU round a product computed in pieces differently: "
                          + "stylize's kernels run these products here")
        }
        let n = 64, m = 4056
        var rng = SeededRandom(seed: 5)
        let a = rng.floats(n * n, -1, 1), b = rng.floats(n * m, 0, 3), c0 = rng.floats(n * m, -30, 30)
        for beta: Float in [0, 1] {
            func product(threads: Int) -> [Float] {
                var c = c0
                a.withUnsafeBufferPointer { ab in b.withUnsafeBufferPointer { bb in c.withUnsafeMutableBufferPointer { cb in
                    BLAS.sgemm(kernel: .blas, m: n, n: m, k: n, alpha: 0.37, a: ab.baseAddress!, lda: n, b: bb.baseAddress!, ldb: m,
                               beta: beta, c: cb.baseAddress!, ldc: m, parallel: Parallel(threads: threads))
                } } }
                return c
            }
            let one = product(threads: 1)
            for threads in [2, 16, 64] {
                XCTAssertEqual(zip(product(threads: threads), one).filter { $0 != $1 }.count, 0, "beta \(beta), \(threads) threads")
            }
        }
    }
}
