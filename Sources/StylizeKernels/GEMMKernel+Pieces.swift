/// Whether a kernel gives a product the same bits when it is computed in pieces.
///
/// stylize promises that a run's result does not depend on `--threads`, `--jobs` or the
/// workspace: products are split over threads by columns (`BLAS.sgemm(…, parallel:)`), a
/// Gram matrix is computed in strips of rows (`Gram.gram`), and a Winograd layer's products
/// are as wide as its tile chunk (`Winograd4.chunkTiles`). That holds only if every element
/// of a product is the same sum, to the bit, whatever the product's width and height around
/// it. stylize's own kernels are built so (`Sources/CKernels/sgemm.c`: each element's terms
/// in one order, whatever the blocking). OpenBLAS 0.3.21 keeps it with every kernel set tried
/// on the 2-core EPYC (Cooperlake, Skylake-X, Sandy Bridge, Nehalem, Core 2, Penryn, Dunnington,
/// Atom, Prescott, Barcelona) but its Haswell one, which it also uses on AMD Zen without AVX-512,
/// and so on most laptops and desktops (`OPENBLAS_CORETYPE=Haswell` or `Zen`: 850 of 32 768
/// elements of a 128 × 128 by 128 × 256 product changed when it was computed as two halves,
/// and `EngineTests` saw other gradients with other thread counts). So the calibration asks
/// OpenBLAS first, on one product of each kind the run makes, and where its bits move it is
/// left out for that role (`Choice.piecesChangeBits`).
extension GEMMKernel {
    /// Computes `role`'s probe products with `kernel`, whole and in pieces, and says whether
    /// every element came out the same. For `.winograd`: a 128 × 128 by 128 × 256 product
    /// (conv2's shape), plain and with `A` transposed (the backward products), against its
    /// two 128-column halves. For `.general`: a style gradient (64 × 64 by 64 × 4056, added into
    /// `C`) against two column blocks as `BLAS.sgemm(…, parallel:)` splits it; a Gram matrix's
    /// lower-right quarter (128 × 1024 by its transpose) against that quarter alone, as
    /// `Gram.gram` computes its strips; and conv1_1's im2col and col2im products (64 × 27 by
    /// 27 × 4056, and its transpose) in two column blocks.
    static func keepsBitsInPieces(_ role: Role, kernel: GEMMKernel) -> Bool {
        var rng: UInt64 = 0x9E37_79B9_7F4A_7C15
        func values(_ count: Int) -> [Float] {
            (0..<count).map { _ in
                rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Float(Int(truncatingIfNeeded: rng >> 40) % 2001 - 1000) / 997
            }
        }
        /// `C = op(A) · op(B) + beta · C0` (m × n, row-major) whole, and again as the column
        /// blocks `cuts` (each its own call): equal to the bit?
        func sameInColumnBlocks(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, beta: Float, cuts: [Int]) -> Bool {
            let a = values(m * k), b = values(k * n), c0 = values(m * n)
            let lda = transA ? m : k, ldb = transB ? k : n
            var whole = c0, pieces = c0
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
                whole.withUnsafeMutableBufferPointer { pc in
                    BLAS.sgemm(kernel: kernel, transA: transA, transB: transB, m: m, n: n, k: k, a: pa.baseAddress!, lda: lda,
                               b: pb.baseAddress!, ldb: ldb, beta: beta, c: pc.baseAddress!, ldc: n)
                }
                pieces.withUnsafeMutableBufferPointer { pc in
                    for (j0, j1) in zip([0] + cuts, cuts + [n]) {
                        // op(B)'s columns j0 ..< j1: B's columns, or its rows when transposed
                        BLAS.sgemm(kernel: kernel, transA: transA, transB: transB, m: m, n: j1 - j0, k: k,
                                   a: pa.baseAddress!, lda: lda, b: pb.baseAddress! + (transB ? j0 * ldb : j0), ldb: ldb,
                                   beta: beta, c: pc.baseAddress! + j0, ldc: n)
                    }
                }
            } }
            return whole == pieces
        }
        if role == .winograd {
            return sameInColumnBlocks(transA: false, transB: false, m: 128, n: 256, k: 128, beta: 0, cuts: [128])
                && sameInColumnBlocks(transA: true, transB: false, m: 128, n: 256, k: 128, beta: 0, cuts: [128])
        }
        guard sameInColumnBlocks(transA: false, transB: false, m: 64, n: 4056, k: 64, beta: 1, cuts: [2016]),
              sameInColumnBlocks(transA: false, transB: false, m: 64, n: 4056, k: 27, beta: 0, cuts: [2016]),
              sameInColumnBlocks(transA: true, transB: false, m: 27, n: 4056, k: 64, beta: 0, cuts: [2016]) else { return false }
        // G = F · Fᵀ (F 128 × 1024): its rows and columns 64 ..< 128 alone, as a strip's product
        let n = 128, m = 1024, f = values(n * m)
        var g = [Float](repeating: 0, count: n * n), quarter = [Float](repeating: 0, count: 64 * 64)
        f.withUnsafeBufferPointer { pf in
            let f0 = pf.baseAddress!
            g.withUnsafeMutableBufferPointer { pg in
                BLAS.sgemm(kernel: kernel, transB: true, m: n, n: n, k: m, a: f0, lda: m, b: f0, ldb: m, c: pg.baseAddress!, ldc: n)
            }
            quarter.withUnsafeMutableBufferPointer { pq in
                BLAS.sgemm(kernel: kernel, transB: true, m: 64, n: 64, k: m, a: f0 + 64 * m, lda: m, b: f0 + 64 * m, ldb: m,
                           c: pq.baseAddress!, ldc: 64)
            }
        }
        return (0..<64).allSatisfy { i in (0..<64).allSatisfy { j in g[(64 + i) * n + 64 + j] == quarter[i * 64 + j] } }
    }
}
