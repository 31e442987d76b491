/// Gram matrices and the two feature-space losses of Gatys et al., each with its gradient.
///
/// `F` is a layer's activation `(N, H, W)` read as an `N × M` matrix, `M = H·W`.
/// Losses are returned in `Double`. Each loss comes as a pair: the value alone, and the value
/// with its gradient ACCUMULATED into the caller's `grad` (`grad += scale · ∂E/∂F`, same
/// layout and count as `f`), because several terms can meet at one layer.
public enum Gram {
    /// `G = F · Fᵀ`, `N × N`, row-major. `G` is symmetric, so only its upper part is
    /// computed, in strips of `stripRows` rows: strip `[i₀, i₁)` is `G[i₀..<i₁, i₀..<N]`, cut
    /// into tiles for `parallel`'s threads (`GramTiles`), and the part left of it is mirrored
    /// from the strips above. With 512 channels that is 9/16 of the multiply-adds, with 128 3/4; with
    /// 64 or fewer it is the whole product. Each element is still one sum over all positions
    /// in the same order (and `a·b = b·a` exactly), so `G` has the whole product's bits
    /// (`KernelTests.testGramHalfIsTheWholeProductsBits`).
    public static func gram(of f: Tensor3, parallel: Parallel) -> [Float] {
        let n = f.channels, m = f.positions
        var g = [Float](repeating: 0, count: n * n)
        let kernel = GEMMKernel.chosen(for: .general)
        f.data.withUnsafeBufferPointer { fb in
            g.withUnsafeMutableBufferPointer { gb in
                let f0 = fb.baseAddress!, g0 = gb.baseAddress!
                let first = stripStarts(n)  // each strip's first row, and n
                if kernel == .blas || !ThreadSplit.fine {
                    // OpenBLAS rounds narrow blocks differently (docs/EXPERIMENTS.md, *Thread counts
                    // and bits*): whole strips, each split by `BLAS.sgemm`'s column blocks (and
                    // with `STYLIZE_SPLIT=whole`, as before the tiles).
                    for (i0, i1) in zip(first, first.dropFirst()) {
                        // G[i₀ + i, i₀ + j] = Σ_p F[i₀ + i, p] · F[i₀ + j, p]   (M = i₁ − i₀, N = N − i₀, K = M)
                        BLAS.sgemm(kernel: kernel, transB: true, m: i1 - i0, n: n - i0, k: m,
                                   a: f0 + i0 * m, lda: m, b: f0 + i0 * m, ldb: m,
                                   c: g0 + i0 * n + i0, ldc: n, parallel: parallel)
                    }
                } else {
                    let tiles = GramTiles.planned(channels: n, threads: parallel.threads)
                    parallel.forEachChunk(tiles.count, costPerItem: 1 << 20) { range in
                        for t in tiles[range] {
                            // G[r₀ + i, j₀ + j] = Σ_p F[r₀ + i, p] · F[j₀ + j, p]   (M = r₁ − r₀, N = j₁ − j₀, K = M)
                            BLAS.sgemm(kernel: kernel, transB: true, m: t.r1 - t.r0, n: t.j1 - t.j0, k: m,
                                       a: f0 + t.r0 * m, lda: m, b: f0 + t.j0 * m, ldb: m,
                                       c: g0 + t.r0 * n + t.j0, ldc: n)
                        }
                    }
                }
                // G[i, j] = G[j, i] left of each strip
                parallel.forEachChunk(n, costPerItem: n) { rows in
                    for i in rows {
                        let i0 = first[first.lastIndex { $0 <= i }!]  // the first row of i's strip
                        for j in 0..<i0 { g0[i * n + j] = g0[j * n + i] }
                    }
                }
            }
        }
        return g
    }

    /// Rows per strip of `gram(of:)`; the first VGG layers (64 channels) take the whole
    /// product. Measured at 512², two threads, the five style layers: 56.3 ms whole, 51.4 ms
    /// in 64-row strips, 51.8 ms in 128, 54.2 ms in 256 (docs/EXPERIMENTS.md): the strips
    /// re-read `F` and each is a separate split product, so the saving is far below the
    /// multiply-adds'.
    static let stripRows = 64

    /// The first row of each of `gram(of:)`'s equal strips of about `stripRows` rows, then `n`.
    static func stripStarts(_ n: Int) -> [Int] {
        let strips = max(1, n / stripRows)
        return (0...strips).map { n * $0 / strips }
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
        // D = G − A and Σ D², the sum in fixed blocks of `contentBlock` values added in block
        // order (the same bits at every thread count; at most 90 channels, one block, the plain sum).
        let sum = diff.withUnsafeMutableBufferPointer { db in
            target.withUnsafeBufferPointer { tb in
                let d = db.baseAddress!, a = tb.baseAddress!
                return VectorMath.blockSums(n * n, 1, block: contentBlock, parallel: parallel) { r, out in
                    var s = 0.0
                    for i in r {
                        let v = d[i] - a[i]
                        d[i] = v
                        s += Double(v) * Double(v)
                    }
                    out[0] = s
                }[0]
            }
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
}
