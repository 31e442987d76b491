/// Gram matrices and the two feature-space losses of Gatys et al., each with its gradient.
///
/// `F` is a layer's activation `(N, H, W)` read as an `N × M` matrix, `M = H·W`.
/// Losses are returned in `Double`. Each loss comes as a pair: the value alone, and the value
/// with its gradient ACCUMULATED into the caller's `grad` (`grad += scale · ∂E/∂F`, same
/// layout and count as `f`), because several terms can meet at one layer.
public enum Gram {
    /// `G = F · Fᵀ`, `N × N`, row-major.
    public static func gram(of f: Tensor3, parallel: Parallel) -> [Float] {
        let n = f.channels, m = f.positions
        var g = [Float](repeating: 0, count: n * n)
        f.data.withUnsafeBufferPointer { fb in
            g.withUnsafeMutableBufferPointer { gb in
                // G[i, j] = Σ_p F[i, p] · F[j, p]   (M = N, N = N, K = M)
                BLAS.sgemm(transB: true, m: n, n: n, k: m,
                           a: fb.baseAddress!, lda: m, b: fb.baseAddress!, ldb: m,
                           c: gb.baseAddress!, ldc: n, parallel: parallel)
            }
        }
        return g
    }

    // MARK: - Style term

    /// Style term of one layer: `E = Σ (G − A)² / (4 N² M²)` with `G = gram(of: f)` and
    /// `target` = `A` (`N × N`).
    public static func styleLoss(_ f: Tensor3, target: [Float], parallel: Parallel) -> Double {
        styleLoss(f, target: target, scale: 0, grad: nil, parallel: parallel)
    }

    /// `E` as above, and adds `scale · ∂E/∂F` to `grad`, where `∂E/∂F = (G − A) · F / (N² M²)`
    /// (from `∂E/∂G = (G − A) / (2 N² M²)` and the symmetry of `G − A`).
    public static func styleLoss(_ f: Tensor3, target: [Float], scale: Float, grad: inout [Float],
                                 parallel: Parallel) -> Double {
        precondition(grad.count == f.count, "style gradient has \(grad.count) values, the layer \(f.count)")
        return grad.withUnsafeMutableBufferPointer {
            styleLoss(f, target: target, scale: scale, grad: $0.baseAddress!, parallel: parallel)
        }
    }

    static func styleLoss(_ f: Tensor3, target: [Float], scale: Float, grad: UnsafeMutablePointer<Float>?,
                          parallel: Parallel) -> Double {
        let n = f.channels, m = f.positions
        precondition(target.count == n * n, "style target must be \(n)×\(n)")
        var diff = gram(of: f, parallel: parallel)
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
                               beta: 1, c: grad, ldc: m, parallel: parallel)
                }
            }
        }
        return sum / norm
    }

    // MARK: - Content term

    /// Content term of one layer: `L = Σ (F − P)² / (4 N M)`, `target` = `P` (same shape as `f`).
    public static func contentLoss(_ f: Tensor3, target: [Float]) -> Double {
        contentLoss(f, target: target, scale: 0, grad: nil)
    }

    /// `L` as above, and adds `scale · (F − P) / (2 N M)` (= `scale · ∂L/∂F`) to `grad`.
    public static func contentLoss(_ f: Tensor3, target: [Float], scale: Float, grad: inout [Float]) -> Double {
        precondition(grad.count == f.count, "content gradient has \(grad.count) values, the layer \(f.count)")
        return grad.withUnsafeMutableBufferPointer { contentLoss(f, target: target, scale: scale, grad: $0.baseAddress!) }
    }

    static func contentLoss(_ f: Tensor3, target: [Float], scale: Float, grad: UnsafeMutablePointer<Float>?) -> Double {
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
