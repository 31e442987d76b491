/// Gram matrices and the two feature-space losses of Gatys et al., each with its gradient.
///
/// `F` is a layer's activation `(N, H, W)` read as an `N × M` matrix, `M = H·W`.
/// Losses are returned in `Double`; gradients are ACCUMULATED into the caller's buffer
/// (`grad += scale · ∂E/∂F`), because several terms can meet at one layer.
public enum Gram {
    /// `G = F · Fᵀ`, `N × N`, row-major.
    public static func gram(of f: Tensor3) -> [Float] {
        let n = f.channels, m = f.positions
        var g = [Float](repeating: 0, count: n * n)
        f.data.withUnsafeBufferPointer { fb in
            g.withUnsafeMutableBufferPointer { gb in
                // G[i, j] = Σ_p F[i, p] · F[j, p]   (M = N, N = N, K = M)
                BLAS.sgemm(transB: true, m: n, n: n, k: m,
                           a: fb.baseAddress!, lda: m, b: fb.baseAddress!, ldb: m,
                           c: gb.baseAddress!, ldc: n)
            }
        }
        return g
    }

    /// Style term of one layer: `E = Σ (G − A)² / (4 N² M²)` with `G = gram(of: f)`.
    ///
    /// `target` is `A` (`N × N`). When `grad` is given, adds `scale · ∂E/∂F` to it, where
    /// `∂E/∂F = (G − A) · F / (N² M²)` (from `∂E/∂G = (G − A) / (2 N² M²)` and the
    /// symmetry of `G − A`).
    public static func styleLoss(_ f: Tensor3, target: [Float], scale: Float = 1, grad: UnsafeMutablePointer<Float>?) -> Double {
        let n = f.channels, m = f.positions
        precondition(target.count == n * n, "style target must be \(n)×\(n)")
        var diff = gram(of: f)
        var sum = 0.0
        for i in 0..<(n * n) {
            let d = diff[i] - target[i]
            diff[i] = d
            sum += Double(d) * Double(d)
        }
        let norm = 4.0 * Double(n) * Double(n) * Double(m) * Double(m)
        if let grad {
            let alpha = Float(Double(scale) * 4.0 / norm)  // = scale / (N² M²)
            f.data.withUnsafeBufferPointer { fb in
                diff.withUnsafeBufferPointer { db in
                    // grad[i, p] += alpha · Σ_j D[i, j] · F[j, p]   (M = N, N = M, K = N)
                    BLAS.sgemm(m: n, n: m, k: n, alpha: alpha,
                               a: db.baseAddress!, lda: n, b: fb.baseAddress!, ldb: m,
                               beta: 1, c: grad, ldc: m)
                }
            }
        }
        return sum / norm
    }

    /// Content term of one layer: `L = Σ (F − P)² / (4 N M)`. When `grad` is given, adds
    /// `scale · (F − P) / (2 N M)` to it.
    public static func contentLoss(_ f: Tensor3, target: [Float], scale: Float = 1, grad: UnsafeMutablePointer<Float>?) -> Double {
        precondition(target.count == f.count, "content target does not match the layer's shape")
        let norm = 4.0 * Double(f.channels) * Double(f.positions)
        let gscale = Float(Double(scale) * 2.0 / norm)
        var sum = 0.0
        f.data.withUnsafeBufferPointer { fb in
            target.withUnsafeBufferPointer { tb in
                for i in 0..<f.count {
                    let d = fb[i] - tb[i]
                    sum += Double(d) * Double(d)
                    if let grad { grad[i] += gscale * d }
                }
            }
        }
        return sum / norm
    }
}
