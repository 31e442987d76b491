import Foundation

/// A layer's Gram matrix and style term on a GPU, as `Gram.gram` and `Gram.styleLoss`:
/// `G = F·Fᵀ` (one product), `E = Σ (G − A)² / (4 N² M²)` (the `style_difference` kernel), and
/// with a gradient `grad += scale · (G − A)·F / (N² M²)` (one product, accumulating).
///
/// Row-major `F (N × M)` is cuBLAS's column-major `F_c (M × N)`, so `G = F_cᵀ · F_c` (T, N) and
/// the gradient's column-major view `gradᵀ += α · F_c · Dᵀ`, where `D`'s row-major storage is
/// exactly its transpose's column-major one (N, N).
enum GPUStyleTerm {
    /// `G (N × N) = F·Fᵀ` into `g`, for the features at `f` (`n` channels × `m` positions).
    static func gram(_ backend: any GPUBackend, _ f: UInt64, channels n: Int, positions m: Int, into g: GPUBuffer) throws {
        precondition(g.bytes >= n * n * 4, "Gram buffer too small")
        // G (N × N) = F_cᵀ (N × M) · F_c (M × N)
        try backend.gemm(transA: true, transB: false, m: n, n: n, k: m, alpha: 1, a: f, lda: m, b: f, ldb: m,
                         beta: 0, c: g.address, ldc: n)
    }

    /// `E` for the features at `f` against the Gram `target` (N × N); adds `scale · ∂E/∂F` into
    /// `grad` when given. `g` is scratch of at least `N²` floats.
    static func loss(_ backend: any GPUBackend, _ f: UInt64, channels n: Int, positions m: Int, target: GPUBuffer,
                     scale: Float, grad: UInt64?, scratch g: GPUBuffer, partials: GPUBuffer? = nil) throws -> Double {
        try gram(backend, f, channels: n, positions: m, into: g)
        let sum = try backend.reduce("style_difference", over: n * n, scratch: partials) { partial in
            [.buffer(g), .buffer(target), .buffer(partial), .count(n * n)]
        }[0]
        let norm = 4.0 * Double(n) * Double(n) * Double(m) * Double(m)
        if let grad {
            // gradᵀ (M × N) += α · F_c (M × N) · D (N × N, as stored)
            try backend.gemm(transA: false, transB: false, m: m, n: n, k: n, alpha: Float(Double(scale) * 4 / norm),
                             a: f, lda: m, b: g.address, ldb: n, beta: 1, c: grad, ldc: m)
        }
        return sum / norm
    }
}
