/// The guided Gram matrix of Gatys et al., *Controlling Perceptual Factors in Neural Style
/// Transfer* (CVPR 2017, §4): the style term of one region, the region given as a mask.
///
/// Layout: `f` is a layer's activation `(N, H, W)` read as an `N × M` matrix, `M = H·W`;
/// `mask` holds `M` values in `0…1`, row-major `(H, W)`, at the layer's own size.
///
/// Definitions, with `m_p` the mask at position p:
/// - `F_m = F · diag(m)` (the paper's `F ∘ T`), `G_m = F_m · F_mᵀ = Σ_p m_p² F_p F_pᵀ`;
/// - the region's area `a = Σ_p m_p²`, so that `G_m / a` is a per-position correlation
///   whatever the region's size (a soft edge counts as much as it enters the Gram);
/// - `E = Σ (G_m / a − S)² / (4 N²)`, with `S` the style image's Gram divided by its own
///   number of positions.
///
/// With `m ≡ 1` this is exactly `Gram.styleLoss` against the target `A = M·S`:
/// `a = M` and `Σ (G/M − A/M)² / (4N²) = Σ (G − A)² / (4N²M²)`.
extension Gram {
    /// `E` of one region (see the type's definitions); 0 when the region is empty at this
    /// layer (`a` below 1e-6 of a position).
    ///
    /// `workspace` grows to at least `2·N·M` (`F_m`, then the gradient product) and is
    /// overwritten: the caller keeps one across calls so the evaluation allocates no
    /// image-sized buffer.
    public static func maskedStyleLoss(_ f: Tensor3, mask: [Float], target: [Float],
                                       workspace: inout [Float], parallel: Parallel) -> Double {
        maskedStyleLoss(f, mask: mask, target: target, scale: 0, grad: nil, workspace: &workspace, parallel: parallel)
    }

    /// `E` as above, and adds `scale · ∂E/∂F` to `grad` (same layout and count as `f`): from
    /// `∂E/∂G_m = (G_m/a − S) / (2N²a)` and the symmetry of `G_m/a − S`,
    /// `∂E/∂F = (G_m/a − S) · F_m · diag(m) / (N² a)`.
    public static func maskedStyleLoss(_ f: Tensor3, mask: [Float], target: [Float], scale: Float,
                                       grad: inout [Float], workspace: inout [Float], parallel: Parallel) -> Double {
        precondition(grad.count == f.count, "style gradient has \(grad.count) values, the layer \(f.count)")
        return grad.withUnsafeMutableBufferPointer {
            maskedStyleLoss(f, mask: mask, target: target, scale: scale, grad: $0.baseAddress!,
                            workspace: &workspace, parallel: parallel)
        }
    }

    static func maskedStyleLoss(_ f: Tensor3, mask: [Float], target: [Float], scale: Float,
                                grad: UnsafeMutablePointer<Float>?, workspace: inout [Float], parallel: Parallel) -> Double {
        let n = f.channels, m = f.positions
        precondition(mask.count == m, "mask must have the layer's \(m) positions")
        precondition(target.count == n * n, "style target must be \(n)×\(n)")
        var area = 0.0
        for v in mask { area += Double(v) * Double(v) }
        guard area > 1e-6 else { return 0 }
        if workspace.count < 2 * n * m { workspace = [Float](repeating: 0, count: 2 * n * m) }
        // F_m = F · diag(m)
        f.data.withUnsafeBufferPointer { fb in
            mask.withUnsafeBufferPointer { mb in
                workspace.withUnsafeMutableBufferPointer { wb in
                    for c in 0..<n {
                        let row = c * m
                        for p in 0..<m { wb[row + p] = fb[row + p] * mb[p] }
                    }
                }
            }
        }
        var diff = [Float](repeating: 0, count: n * n)
        workspace.withUnsafeBufferPointer { wb in
            diff.withUnsafeMutableBufferPointer { db in
                // G_m / a: D[i, j] = (1/a) · Σ_p F_m[i, p] · F_m[j, p]   (M = N, N = N, K = M)
                BLAS.sgemm(transB: true, m: n, n: n, k: m, alpha: Float(1 / area),
                           a: wb.baseAddress!, lda: m, b: wb.baseAddress!, ldb: m,
                           c: db.baseAddress!, ldc: n, parallel: parallel)
            }
        }
        var sum = 0.0
        for i in 0..<(n * n) {
            let d = diff[i] - target[i]
            diff[i] = d
            sum += Double(d) * Double(d)
        }
        let norm = 4.0 * Double(n) * Double(n)
        guard let grad else { return sum / norm }
        workspace.withUnsafeMutableBufferPointer { wb in
            let fm = wb.baseAddress!, product = wb.baseAddress! + n * m
            diff.withUnsafeBufferPointer { db in
                // P[i, p] = (scale / (N² a)) · Σ_j D[i, j] · F_m[j, p]   (M = N, N = M, K = N)
                BLAS.sgemm(m: n, n: m, k: n, alpha: Float(Double(scale) / (Double(n) * Double(n) * area)),
                           a: db.baseAddress!, lda: n, b: fm, ldb: m, c: product, ldc: m, parallel: parallel)
            }
            // grad += P · diag(m)
            mask.withUnsafeBufferPointer { mb in
                for c in 0..<n {
                    let row = c * m
                    for p in 0..<m { grad[row + p] += product[row + p] * mb[p] }
                }
            }
        }
        return sum / norm
    }
}
