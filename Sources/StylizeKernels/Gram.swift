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
    /// 64 or fewer it is the whole product. A layer of more than `positionBlock` positions is
    /// summed in blocks of that many positions (`positionBlocks`): each block's `F_b · F_bᵀ` is
    /// one product, and `G` is their sum in block order. The blocks depend only on the layer's
    /// size, and each element of a block's product is one sum in the same order however the
    /// rows and columns are cut (and `a·b = b·a` exactly), so `G` has the same bits at every
    /// thread count: with one block the whole product's (`KernelTests.testGramHalfIsTheWholeProductsBits`).
    public static func gram(of f: Tensor3, parallel: Parallel) -> [Float] {
        f.data.withUnsafeBufferPointer { gram($0.baseAddress!, channels: f.channels, positions: f.positions, parallel: parallel) }
    }

    /// The same of the `channels × positions` matrix at `f0` (row-major): the masked term's
    /// `F_m` (`Gram.maskedStyleLoss`) is summed in the same blocks and tiles.
    static func gram(_ f0: UnsafePointer<Float>, channels n: Int, positions m: Int, parallel: Parallel) -> [Float] {
        var g = [Float](repeating: 0, count: n * n)
        let blocks = positionBlocks(m)
        let first = stripStarts(n)  // each strip's first row, and n
        g.withUnsafeMutableBufferPointer { gb in
            let g0 = gb.baseAddress!
            if blocks.count == 2 {
                upper(f0, channels: n, positions: m, blocks: blocks, into: g0, parallel: parallel)
            } else {
                // Each block's upper part in a matrix of its own, then added up in block order.
                let count = blocks.count - 1
                let partial = [Float](unsafeUninitializedCapacity: count * n * n) { buffer, initialized in
                    upper(f0, channels: n, positions: m, blocks: blocks, into: buffer.baseAddress!, parallel: parallel)
                    initialized = count * n * n
                }
                partial.withUnsafeBufferPointer { pb in
                    let p0 = pb.baseAddress!
                    parallel.forEachChunk(n, costPerItem: n * count) { rows in
                        for i in rows {
                            let i0 = first[first.lastIndex { $0 <= i }!]
                            for j in i0..<n {
                                var s = p0[i * n + j]
                                for b in 1..<count { s += p0[b * n * n + i * n + j] }
                                g0[i * n + j] = s
                            }
                        }
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
        return g
    }

    /// The upper part (each strip's rows from its first row's column on) of every position
    /// block's `F_b · F_bᵀ`, block `b`'s at `c + b·N²` (`N × N`, row-major; below it untouched).
    private static func upper(_ f0: UnsafePointer<Float>, channels n: Int, positions m: Int, blocks: [Int],
                              into c: UnsafeMutablePointer<Float>, parallel: Parallel) {
        let kernel = GEMMKernel.chosen(for: .general)
        let first = stripStarts(n)
        let count = blocks.count - 1
        if kernel == .blas || !ThreadSplit.fine {
            // OpenBLAS rounds narrow blocks differently (docs/EXPERIMENTS.md, *Thread counts and
            // bits*): whole strips, each split by `BLAS.sgemm`'s column blocks (and with
            // `STYLIZE_SPLIT=whole`, as before the tiles), one block after another.
            for b in 0..<count {
                let p0 = blocks[b], cb = c + b * n * n
                for (i0, i1) in zip(first, first.dropFirst()) {
                    // G_b[i₀ + i, i₀ + j] = Σ_p F[i₀ + i, p] · F[i₀ + j, p]   (M = i₁ − i₀, N = N − i₀, K = block)
                    BLAS.sgemm(kernel: kernel, transB: true, m: i1 - i0, n: n - i0, k: blocks[b + 1] - p0,
                               a: f0 + i0 * m + p0, lda: m, b: f0 + i0 * m + p0, ldb: m,
                               c: cb + i0 * n + i0, ldc: n, parallel: parallel)
                }
            }
            return
        }
        // One loop over every block's tiles; with B blocks the tiles are cut for threads / B.
        let tiles = GramTiles.planned(channels: n, threads: (parallel.threads + count - 1) / count)
        parallel.forEachChunk(count * tiles.count, costPerItem: 1 << 20) { range in
            for item in range {
                let b = item / tiles.count, t = tiles[item % tiles.count], p0 = blocks[b]
                // G_b[r₀ + i, j₀ + j] = Σ_p F[r₀ + i, p] · F[j₀ + j, p]   (M = r₁ − r₀, N = j₁ − j₀, K = block)
                BLAS.sgemm(kernel: kernel, transB: true, m: t.r1 - t.r0, n: t.j1 - t.j0, k: blocks[b + 1] - p0,
                           a: f0 + t.r0 * m + p0, lda: m, b: f0 + t.j0 * m + p0, ldb: m,
                           c: c + b * n * n + t.r0 * n + t.j0, ldc: n)
            }
        }
    }

    /// Positions per block of a Gram matrix's sum. At 512², `relu1_1`'s 262 144 positions are
    /// 16 blocks and `relu2_1`'s 65 536 are 4, the deeper layers one: the threads then share a
    /// 64-channel Gram matrix by positions, each reading its own part of `F` once, where tiles
    /// of `G` each re-read whole rows of `F` and ran narrow products (relu1_1 on 16 modelled
    /// threads: 57 ms of work in 16 tiles against 26 ms whole; docs/EXPERIMENTS.md).
    static let positionBlock = 1 << 14

    /// The first position of each of the `positionBlock`-position blocks of `m`, then `m`.
    static func positionBlocks(_ m: Int) -> [Int] {
        let count = max(1, (m + positionBlock - 1) / positionBlock)
        return (0...count).map { min(m, $0 * positionBlock) }
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
        let sum = difference(&diff, minus: target, parallel: parallel)
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

    /// `D = c·G − A` in place of `G` (`N × N` values; with `c` = 1 the bits of `G − A`) and
    /// `Σ D²`, the sum in fixed blocks of `sumBlock` values added in block order (the same bits
    /// at every thread count; at most 90 channels, one block, the plain sum).
    static func difference(_ g: inout [Float], times c: Float = 1, minus target: [Float], parallel: Parallel) -> Double {
        g.withUnsafeMutableBufferPointer { db in
            target.withUnsafeBufferPointer { tb in
                let d = db.baseAddress!, a = tb.baseAddress!
                return VectorMath.blockSums(db.count, 1, block: sumBlock, parallel: parallel) { r, out in
                    var s = 0.0
                    for i in r {
                        let v = c * d[i] - a[i]
                        d[i] = v
                        s += Double(v) * Double(v)
                    }
                    out[0] = s
                }[0]
            }
        }
    }
}
