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
        if workspace.count < 2 * n * m { workspace = [Float](repeating: 0, count: 2 * n * m) }
        return f.data.withUnsafeBufferPointer { fb in
            mask.withUnsafeBufferPointer { mb in
                workspace.withUnsafeMutableBufferPointer { wb in
                    maskedStyleLoss(fb.baseAddress!, channels: n, positions: m, mask: mb.baseAddress!, target: target,
                                    scale: scale, grad: grad, workspace: wb.baseAddress!, parallel: parallel)
                }
            }
        }
    }

    /// The term on raw pointers, on every thread of `parallel` with the same bits at any thread
    /// count: the element-wise passes (`F_m`, `grad += P · diag(m)`) a run of channels a thread,
    /// the sums (`a`, `G_m`, `Σ D²`) in blocks fixed by the size of what they sum, and `P` one
    /// product split by columns. `workspace` holds `2·N·M` floats: `F_m`, then `P`.
    ///
    /// `G_m` is `gram`'s, in its position blocks and tiles, then multiplied by `Float(1/a)`, so
    /// a layer of more than `positionBlock` positions is summed in the unmasked term's order
    /// (`MaskedStyleTests.testMaskedTermOnEveryThreadCount`: the same bits at 1 to 16 threads,
    /// within 1e-5 of float64). Why and what it gained: docs/EXPERIMENTS.md, *The masked
    /// style term on every thread*.
    private static func maskedStyleLoss(_ f: UnsafePointer<Float>, channels n: Int, positions m: Int,
                                        mask: UnsafePointer<Float>, target: [Float], scale: Float,
                                        grad: UnsafeMutablePointer<Float>?, workspace: UnsafeMutablePointer<Float>,
                                        parallel: Parallel) -> Double {
        // a = Σ_p m_p², each block in position order in Double, the blocks in block order
        let area = VectorMath.blockSums(m, 1, block: sumBlock, parallel: parallel) { r, out in
            var s = 0.0
            for p in r { s += Double(mask[p]) * Double(mask[p]) }
            out[0] = s
        }[0]
        guard area > 1e-6 else { return 0 }
        let fm = workspace, product = workspace + n * m
        // F_m[c, p] = F[c, p] · m_p
        maskColumns(f, mask: mask, into: fm, adding: false, channels: n, positions: m, parallel: parallel)
        // D = G_m / a − S, and Σ D²
        var diff = gram(fm, channels: n, positions: m, parallel: parallel)
        let sum = difference(&diff, times: Float(1 / area), minus: target, parallel: parallel)
        let norm = 4.0 * Double(n) * Double(n)
        guard let grad else { return sum / norm }
        diff.withUnsafeBufferPointer { db in
            // P[i, p] = (scale / (N² a)) · Σ_j D[i, j] · F_m[j, p]   (M = N, N = M, K = N)
            BLAS.sgemm(m: n, n: m, k: n, alpha: Float(Double(scale) / (Double(n) * Double(n) * area)),
                       a: db.baseAddress!, lda: n, b: fm, ldb: m, c: product, ldc: m, parallel: parallel)
        }
        // grad[c, p] += P[c, p] · m_p
        maskColumns(product, mask: mask, into: grad, adding: true, channels: n, positions: m, parallel: parallel)
        return sum / norm
    }

    /// `y[c, p] = x[c, p] · m_p`, or with `adding` `y[c, p] += x[c, p] · m_p`, for the `N × M`
    /// matrices `x` and `y`: each thread a run of channels (element-wise, the same bits).
    private static func maskColumns(_ x: UnsafePointer<Float>, mask: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
                                    adding: Bool, channels n: Int, positions m: Int, parallel: Parallel) {
        parallel.forEachChunk(n, costPerItem: m) { channels in
            for c in channels {
                let x = x + c * m, y = y + c * m
                if adding {
                    for p in 0..<m { y[p] += x[p] * mask[p] }
                } else {
                    for p in 0..<m { y[p] = x[p] * mask[p] }
                }
            }
        }
    }
}
