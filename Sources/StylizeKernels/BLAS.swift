import COpenBLAS

/// The single place where StylizeKit calls BLAS. Every call states its index
/// equation and checks its sizes before handing raw pointers to OpenBLAS.
///
/// All matrices are row-major. Thread count is set once at start-up through
/// `setThreads(_:)`; OpenBLAS keeps its own pool of that size.
public enum BLAS {
    /// Sets OpenBLAS' worker-thread count (`--threads`). Call once, before the first GEMM.
    public static func setThreads(_ count: Int) {
        precondition(count >= 1, "thread count must be positive")
        openblas_set_num_threads(Int32(count))
    }

    /// Runs `body` with OpenBLAS limited to one thread per call, for callers that run
    /// independent `sgemm`s concurrently on their own threads (`Parallel`) instead of letting
    /// OpenBLAS split each one. Concurrent calls are safe in OpenBLAS' pthreads build when
    /// each call is single-threaded. Call from one thread at a time (it sets a global).
    public static func singleThreaded<R>(_ body: () -> R) -> R {
        let saved = openblas_get_num_threads()
        if saved == 1 { return body() }
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(saved) }
        return body()
    }

    /// `C = alpha · op(A) · op(B) + beta · C`, row-major, single precision.
    ///
    /// - `op(A)` is `m × k` (`A` is `m × k` with `lda ≥ k`, or `k × m` with `lda ≥ m` when `transA`).
    /// - `op(B)` is `k × n` (`B` is `k × n` with `ldb ≥ n`, or `n × k` with `ldb ≥ k` when `transB`).
    /// - `C` is `m × n` with `ldc ≥ n`; with `beta == 0` its old contents are ignored (overwritten).
    ///
    /// Index equation: `C[i, j] = alpha · Σ_p op(A)[i, p] · op(B)[p, j] + beta · C[i, j]`.
    @inline(__always)
    public static func sgemm(transA: Bool = false, transB: Bool = false,
                      m: Int, n: Int, k: Int, alpha: Float = 1,
                      a: UnsafePointer<Float>, lda: Int,
                      b: UnsafePointer<Float>, ldb: Int,
                      beta: Float = 0,
                      c: UnsafeMutablePointer<Float>, ldc: Int) {
        precondition(m > 0 && n > 0 && k > 0, "sgemm sizes must be positive (m \(m), n \(n), k \(k))")
        precondition(lda >= (transA ? m : k), "sgemm lda \(lda) too small")
        precondition(ldb >= (transB ? k : n), "sgemm ldb \(ldb) too small")
        precondition(ldc >= n, "sgemm ldc \(ldc) too small")
        cblas_sgemm(CblasRowMajor,
                    transA ? CblasTrans : CblasNoTrans,
                    transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
