import CKernels
import COpenBLAS

/// The single place where StylizeKit computes matrix products: with OpenBLAS, or with
/// stylize's own AVX2/AVX-512 kernels where `GEMMKernel` measured them faster (the same
/// contract). Every call states its index equation and checks its sizes before handing raw
/// pointers to either.
///
/// All matrices are row-major.
///
/// Threads: OpenBLAS' thread count is one setting for the whole process, so it cannot belong
/// to a run. It is set to 1 once, before the first call, and never changed: every `sgemm` is
/// single-threaded, and a caller that wants several threads splits the product over its own
/// `Parallel` (`sgemm(…, parallel:)` splits the columns of `C`; Winograd runs its 36
/// independent GEMMs concurrently). Concurrent single-threaded calls are safe in OpenBLAS'
/// pthreads build, so two runs with different thread counts can share the process.
public enum BLAS {
    /// Evaluated once (Swift's lazy statics are thread-safe), before the first GEMM.
    private static let singleThreaded: Void = openblas_set_num_threads(1)

    /// The library and the kernels it chose for this CPU (or that `OPENBLAS_CORETYPE` forced):
    /// `OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64, kernels Cooperlake`.
    /// The kernels can differ by 1.5× on the same machine (docs/EXPERIMENTS.md), so
    /// `stylize --version` prints this.
    public static var description: String {
        let config = openblas_get_config().map { String(cString: $0) } ?? "OpenBLAS (configuration unknown)"
        let core = openblas_get_corename().map { String(cString: $0) } ?? "unknown"
        return "\(config), kernels \(core)"
    }

    /// `C = alpha · op(A) · op(B) + beta · C`, row-major, single precision, on the calling
    /// thread.
    ///
    /// - `op(A)` is `m × k` (`A` is `m × k` with `lda ≥ k`, or `k × m` with `lda ≥ m` when `transA`).
    /// - `op(B)` is `k × n` (`B` is `k × n` with `ldb ≥ n`, or `n × k` with `ldb ≥ k` when `transB`).
    /// - `C` is `m × n` with `ldc ≥ n`; with `beta == 0` its old contents are ignored (overwritten).
    ///
    /// Index equation: `C[i, j] = alpha · Σ_p op(A)[i, p] · op(B)[p, j] + beta · C[i, j]`.
    ///
    /// `kernel`: OpenBLAS or one of stylize's kernels (`GEMMKernel.available`); by default the
    /// one this process chose for products other than Winograd's (which pass their own). Stylize's kernels sum over `p` in increasing order with fused
    /// multiply-adds and then apply `alpha` and `beta`, so splitting the columns or rows of a
    /// product among calls does not change a bit.
    @inline(__always)
    public static func sgemm(kernel: GEMMKernel = GEMMKernel.chosen(for: .general), transA: Bool = false, transB: Bool = false,
                      m: Int, n: Int, k: Int, alpha: Float = 1,
                      a: UnsafePointer<Float>, lda: Int,
                      b: UnsafePointer<Float>, ldb: Int,
                      beta: Float = 0,
                      c: UnsafeMutablePointer<Float>, ldc: Int) {
        precondition(m > 0 && n > 0 && k > 0, "sgemm sizes must be positive (m \(m), n \(n), k \(k))")
        precondition(lda >= (transA ? m : k), "sgemm lda \(lda) too small")
        precondition(ldb >= (transB ? k : n), "sgemm ldb \(ldb) too small")
        precondition(ldc >= n, "sgemm ldc \(ldc) too small")
        if kernel != .blas {
            precondition(GEMMKernel.available.contains(kernel), "\(kernel.rawValue) is not available on this CPU")
            precondition(m <= Int(Int32.max) && n <= Int(Int32.max) && k <= Int(Int32.max), "sgemm sizes too large")
            stylize_gemm(kernel.kind, transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k),
                         alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        _ = singleThreaded
        cblas_sgemm(CblasRowMajor,
                    transA ? CblasTrans : CblasNoTrans,
                    transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Floats of `pack(kernel:m:k:a:lda:into:)`'s copy of an `m × k` matrix.
    public static func packedCount(kernel: GEMMKernel, m: Int, k: Int) -> Int {
        precondition(kernel != .blas && GEMMKernel.available.contains(kernel), "only stylize's kernels take packed matrices")
        precondition(m > 0 && k > 0 && m <= Int(Int32.max) && k <= Int(Int32.max), "pack sizes (m \(m), k \(k))")
        return stylize_gemm_packed_floats(kernel.kind, Int32(m), Int32(k))
    }

    /// `op(A)` (`m × k`: `A` row-major with `lda ≥ k`, or with `transA` its transpose, `A`
    /// stored `k × m` with `lda ≥ m`) into `packed` (`packedCount` floats) in the order
    /// stylize's kernel `kernel` reads it (`stylize_gemm_pack`), for
    /// `sgemm(kernel:m:n:k:packedA:…)`: a matrix used in many products, like Winograd's
    /// transformed kernels (and their transposes for the backward products), is then packed
    /// once instead of on every call.
    public static func pack(kernel: GEMMKernel, transA: Bool = false, m: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                            into packed: UnsafeMutableBufferPointer<Float>) {
        precondition(lda >= (transA ? m : k) && packed.count == packedCount(kernel: kernel, m: m, k: k),
                     "pack: lda \(lda) or \(packed.count) floats")
        stylize_gemm_pack(kernel.kind, transA ? 1 : 0, Int32(m), Int32(k), a, lda, packed.baseAddress!)
    }

    /// The same into a new array.
    public static func pack(kernel: GEMMKernel, transA: Bool = false, m: Int, k: Int, a: UnsafePointer<Float>, lda: Int) -> [Float] {
        let count = packedCount(kernel: kernel, m: m, k: k)
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            pack(kernel: kernel, transA: transA, m: m, k: k, a: a, lda: lda,
                 into: UnsafeMutableBufferPointer(rebasing: buffer[0..<count]))
            initialized = count
        }
    }

    /// The inverse of `pack` (untransposed): `A` (`m × k`, row-major, `lda ≥ k`) from `packed`.
    public static func unpack(kernel: GEMMKernel, m: Int, k: Int, packed: UnsafeBufferPointer<Float>,
                              into a: UnsafeMutablePointer<Float>, lda: Int) {
        precondition(lda >= k && packed.count == packedCount(kernel: kernel, m: m, k: k), "unpack: lda \(lda) or \(packed.count) floats")
        stylize_gemm_unpack(kernel.kind, Int32(m), Int32(k), packed.baseAddress!, a, lda)
    }

    /// `C = A · B + beta · C` (`beta` 0 or 1) with `A` (`m × k`) packed by `pack(kernel:m:k:a:lda:)`
    /// for the same kernel, and `B` `k × n` row-major (`ldb ≥ n`): the bits of
    /// `sgemm(kernel:m:n:k:a:lda:b:ldb:beta:c:ldc:)` on the unpacked `A` (with `transA` when
    /// it was packed transposed: the kernel sums the same terms in the same order).
    ///
    /// Index equation: `C[i, j] = Σ_p A[i, p] · B[p, j] + beta · C[i, j]`.
    @inline(__always)
    public static func sgemm(kernel: GEMMKernel, m: Int, n: Int, k: Int, packedA: UnsafePointer<Float>, packedCount: Int,
                             b: UnsafePointer<Float>, ldb: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        precondition(n > 0 && n <= Int(Int32.max), "sgemm n \(n)")
        precondition(ldb >= n && ldc >= n, "sgemm ldb \(ldb) or ldc \(ldc) too small")
        precondition(beta == 0 || beta == 1, "a packed product adds into C or overwrites it")
        precondition(packedCount == Self.packedCount(kernel: kernel, m: m, k: k), "packed A of the wrong size")
        stylize_gemm_prepacked(kernel.kind, Int32(m), Int32(n), Int32(k), packedA, b, ldb, beta == 1 ? 1 : 0, c, ldc)
    }

    /// The same product split over `parallel`'s threads by columns of `C`: thread `w` computes
    /// `C[:, j₀ ..< j₁] = alpha · op(A) · op(B)[:, j₀ ..< j₁] + beta · C[:, j₀ ..< j₁]` with one
    /// single-threaded `sgemm` (`op(B)`'s columns are `B`'s columns, or its rows when
    /// `transB`). Every element is still one call's sum over all of `k`; column blocks start
    /// at multiples of 16, the width of OpenBLAS' kernels. Below 2¹⁸ multiply-adds (where
    /// OpenBLAS itself would not start threads) or with one thread it is one call.
    ///
    /// OpenBLAS (0.3.21, Skylake-X and Cooperlake kernels) takes a small-matrix path for
    /// products of at most 10⁶ multiply-adds, which rounds some elements differently
    /// (measured, 64 × 64 by 64 × 4056 against one call: with `beta = 1`, 5144 of 259 584
    /// values differed in 16 blocks of 240–264 columns and none in 14 blocks; with `beta = 0`,
    /// 414 in 64 blocks). So when the whole product is above that size, every block is kept
    /// above it too (at most `m·n·k / 1.25·10⁶` blocks): the bits then do not depend on the
    /// thread count (`GEMMKernelTests`, `EngineTests` with 16 threads).
    public static func sgemm(kernel: GEMMKernel = GEMMKernel.chosen(for: .general), transA: Bool = false, transB: Bool = false,
                             m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0,
                             c: UnsafeMutablePointer<Float>, ldc: Int, parallel: Parallel,
                             site: StaticString = #fileID, line: UInt = #line) {
        let size = Double(m) * Double(n) * Double(k)
        let aboveSmallPath = size > 1e6 ? max(1, Int(size / 1.25e6)) : Int.max
        let workers = min(parallel.threads, n / 32, aboveSmallPath)
        guard workers > 1, m * n * k >= 1 << 18 else {
            sgemm(kernel: kernel, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                  b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        let firstColumn = { (w: Int) in w == workers ? n : (n * w / workers) & ~15 }
        parallel.forEachChunk(workers, costPerItem: 1 << 20, site: site, line: line) { range in
            for w in range {
                let j0 = firstColumn(w), j1 = firstColumn(w + 1)
                if j1 <= j0 { continue }
                // C[i, j₀ + j] = alpha · Σ_p op(A)[i, p] · op(B)[p, j₀ + j] + beta · C[i, j₀ + j]   (M = m, N = j₁ − j₀, K = k)
                sgemm(kernel: kernel, transA: transA, transB: transB, m: m, n: j1 - j0, k: k, alpha: alpha, a: a, lda: lda,
                      b: b + (transB ? j0 * ldb : j0), ldb: ldb, beta: beta, c: c + j0, ldc: ldc)
            }
        }
    }
}
