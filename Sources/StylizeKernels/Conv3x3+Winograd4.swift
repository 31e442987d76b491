import Foundation

/// Winograd's minimal filtering F(4×4, 3×3) (Lavin & Gray, "Fast Algorithms for
/// Convolutional Neural Networks", 2016) for `Conv3x3`: 36 multiplications per 4×4 output
/// tile and channel pair instead of 144, i.e. 4× fewer multiply-adds than im2col + GEMM.
///
/// Interpolation points 0, ±1, ±2 and ∞; with `d` the 6×6 input patch starting at
/// `(4·ty − 1, 4·tx − 1)` (zero outside the image) and `g` the 3×3 kernel,
/// `Y (4×4) = Aᵀ [ Σ_c U ⊙ (Bᵀ d B) ] A`, `U = G g Gᵀ` (6×6):
///
///     Bᵀ = [4  0 −5  0  1  0]    G = [ 1/4     0     0 ]    Aᵀ = [1  1  1  1  1  0]
///          [0 −4 −4  1  1  0]        [−1/6  −1/6  −1/6 ]         [0  1 −1  2 −2  0]
///          [0  4 −4 −1  1  0]        [−1/6   1/6  −1/6 ]         [0  1  1  4  4  0]
///          [0 −2 −1  2  1  0]        [1/24  1/12   1/6 ]         [0  1 −1  8 −8  1]
///          [0  2 −1 −2  1  0]        [1/24 −1/12   1/6 ]
///          [0  4  0 −5  0  1]        [   0     0     1 ]
///
/// Summing over input channels for each of the 36 transform positions ξ = 6·row + col is a
/// matrix product over a chunk of `T` tiles: `M[ξ] (OC × T) = U[ξ] (OC × C) · V[ξ] (C × T)`.
///
/// Layouts: `u` is `(36, OC, C)`; the scratch `V` is `(36, K, T)` and `M` is `(36, M, T)`
/// (K channels summed over, M produced; each plane followed by `planePad` unused floats),
/// tiles numbered row-major over the `⌈H/4⌉ × ⌈W/4⌉` tile grid; edge tiles are clipped.
/// The transforms run in C (`Conv3x3+Winograd4Vector.swift`) with the Swift reference's bits.
///
/// Backward is the exact transpose of that linear map, with the same `u`: for the 4×4
/// output-gradient tile `dY`, `V' = A dY Aᵀ` (6×6), `M'[ξ] (C × T) = U[ξ]ᵀ · V'[ξ]` (one
/// `sgemm` with `transA`), and `B M' Bᵀ` (6×6) is added into the input gradient at the
/// tile's input patch (patches overlap by 2 rows and columns; parallel over channels so no
/// two threads add into the same plane).
///
/// Accuracy: the constants up to 8 and 1/24 make float32 rounding errors larger than
/// im2col's: `max |fast − direct| / max |direct|` measured 3e-6 … 1e-5 on every VGG16 layer
/// shape with VGG-scale weights (im2col: ~3e-7); `WinogradTests` bounds it by 3e-5. That is
/// far below what style transfer can see.
///
/// Parallelism: the transforms split channels over the caller's `Parallel` threads; the 36
/// GEMMs of a chunk are split over the same threads (18/18 with two), each a single-threaded
/// `BLAS.sgemm` (OpenBLAS or stylize's AVX2/AVX-512 kernels, `GEMMKernel`); with a thread count
/// that does not divide 36, each product is cut into column blocks (`Winograd4.pieces`).
struct Winograd4 {
    /// `(36, OC, C)`: `u[(ξ·OC + oc)·C + c] = (G · w[oc, c] · Gᵀ)[ξ]`, computed in Double.
    /// Empty when every product runs in stylize's kernels, which read only the packed copies
    /// below (`transformedKernels` rebuilds it from them).
    let u: [Float]
    let outChannels: Int
    let inChannels: Int
    /// The kernel of the 36 products (`GEMMKernel`).
    let gemm: GEMMKernel
    /// The kernel of the narrow products (at most `GEMMKernel.narrowTiles` tiles in a chunk):
    /// `GEMMKernel.narrow(besides: gemm)` unless given.
    let narrowGemm: GEMMKernel
    /// When `narrowGemm` (or `gemm`) is one of stylize's kernels, each `U[ξ]` packed once for
    /// it (`BLAS.pack`, `packedPlane` floats each), so that no forward product packs the
    /// weights again. Empty when both are OpenBLAS, which packs both operands on every call.
    /// As large as `u` (156 MB for VGG16's Winograd layers).
    let packed: [Float]
    let packedPlane: Int
    /// When `gemm` is one of stylize's kernels (so every product is), each `U[ξ]ᵀ` packed once
    /// for the backward products (`packedPlaneT` floats each), which the kernel then reads
    /// contiguously instead of striding through `U[ξ]` by rows: the same terms in the same
    /// order, so the same bits, and a 512 px evaluation about 5 % faster on the 2-core EPYC
    /// (docs/EXPERIMENTS.md, *The backward weights packed once*). `u` is then dropped, so the
    /// layer holds two copies of its transformed weights either way. Otherwise empty, and
    /// backward products read `u` transposed in place.
    let packedT: [Float]
    let packedPlaneT: Int
    /// The code of the four tile transforms (`Transforms.chosen` unless given): the same bits either way.
    let transforms: Transforms

    init(weight: [Float], outChannels: Int, inChannels: Int, gemm: GEMMKernel = GEMMKernel.chosen(for: .winograd),
         narrowGemm: GEMMKernel? = nil, transforms: Transforms = .chosen, parallel: Parallel) {
        precondition(GEMMKernel.available.contains(gemm), "\(gemm.rawValue) is not available on this CPU")
        self.outChannels = outChannels
        self.inChannels = inChannels
        self.gemm = gemm
        precondition(Transforms.available.contains(transforms), "Winograd transforms \(transforms) not available on this CPU")
        self.transforms = transforms
        let plane = outChannels * inChannels
        var u = [Float](repeating: 0, count: 36 * plane)
        // G applied to a 3-vector (a, b, c): the 6 rows above, in Double.
        @inline(__always) func g6(_ a: Double, _ b: Double, _ c: Double) -> SIMD8<Double> {
            [a / 4, -(a + b + c) / 6, -(a - b + c) / 6, a / 24 + b / 12 + c / 6, a / 24 - b / 12 + c / 6, c, 0, 0]
        }
        weight.withUnsafeBufferPointer { w in
            u.withUnsafeMutableBufferPointer { ub in
                // Parallel over output channels: each writes only its own (ξ, oc, ·) entries.
                parallel.forEachChunk(outChannels, costPerItem: inChannels * 200) { range in
                    for oc in range {
                        for c in 0..<inChannels {
                            let k = w.baseAddress! + (oc * inChannels + c) * 9
                            // G·g (6×3): G applied down each of the 3 kernel columns.
                            let c0 = g6(Double(k[0]), Double(k[3]), Double(k[6]))
                            let c1 = g6(Double(k[1]), Double(k[4]), Double(k[7]))
                            let c2 = g6(Double(k[2]), Double(k[5]), Double(k[8]))
                            // (G·g)·Gᵀ (6×6): G applied along each row i = (c0[i], c1[i], c2[i]).
                            for i in 0..<6 {
                                let row = g6(c0[i], c1[i], c2[i])
                                for j in 0..<6 { ub[(6 * i + j) * plane + oc * inChannels + c] = Float(row[j]) }
                            }
                        }
                    }
                }
            }
        }
        let narrow = narrowGemm ?? GEMMKernel.narrow(besides: gemm)
        precondition(GEMMKernel.available.contains(narrow) && (gemm == .blas || narrow == gemm),
                     "narrow products in \(narrow.rawValue) beside \(gemm.rawValue)")
        self.narrowGemm = narrow
        if narrow == .blas {
            packed = []; packedPlane = 0
        } else {
            (packed, packedPlane) = Winograd4.pack(u, kernel: narrow, transposed: false, outChannels: outChannels,
                                                   inChannels: inChannels, parallel: parallel)
        }
        if gemm == .blas {
            packedT = []; packedPlaneT = 0
            self.u = u
        } else {
            (packedT, packedPlaneT) = Winograd4.pack(u, kernel: gemm, transposed: true, outChannels: outChannels,
                                                     inChannels: inChannels, parallel: parallel)
            self.u = []
        }
    }

    /// `u`, rebuilt from the packed copy when the layer dropped it (for the GPU engine, which
    /// uploads the transformed weights once).
    var transformedKernels: [Float] {
        if !u.isEmpty { return u }
        let plane = outChannels * inChannels
        return packed.withUnsafeBufferPointer { pb in
            [Float](unsafeUninitializedCapacity: 36 * plane) { buffer, initialized in
                for xi in 0..<36 {
                    BLAS.unpack(kernel: narrowGemm, m: outChannels, k: inChannels,
                                packed: UnsafeBufferPointer(rebasing: pb[(xi * packedPlane)..<((xi + 1) * packedPlane)]),
                                into: buffer.baseAddress! + xi * plane, lda: inChannels)
                }
                initialized = 36 * plane
            }
        }
    }

    /// Each `U[ξ]` (`OC × C`), or with `transposed` each `U[ξ]ᵀ` (`C × OC`), packed for
    /// `kernel` (`BLAS.pack`): 36 planes of the returned plane size.
    static func pack(_ u: [Float], kernel: GEMMKernel, transposed: Bool, outChannels: Int, inChannels: Int,
                     parallel: Parallel) -> ([Float], Int) {
        let (m, k) = transposed ? (inChannels, outChannels) : (outChannels, inChannels)
        let each = BLAS.packedCount(kernel: kernel, m: m, k: k), plane = outChannels * inChannels
        let packed = u.withUnsafeBufferPointer { ub in
            [Float](unsafeUninitializedCapacity: 36 * each) { buffer, initialized in
                let base = buffer.baseAddress!
                parallel.forEachChunk(36, costPerItem: plane * 4) { range in
                    for xi in range {
                        BLAS.pack(kernel: kernel, transA: transposed, m: m, k: k, a: ub.baseAddress! + xi * plane, lda: inChannels,
                                  into: UnsafeMutableBufferPointer(start: base + xi * each, count: each))
                    }
                }
                initialized = 36 * each
            }
        }
        return (packed, each)
    }

    /// Tile-chunk size target: `V` and `M` of one chunk together hold about this many floats
    /// (see `chunkTiles`). 1 Mi floats = 4 MB, so for the 64- and 128-channel layers a chunk
    /// stays in the L3 between the input transform, the 36 GEMMs and the output transform
    /// (docs/EXPERIMENTS.md, *Winograd chunks*).
    static let chunkFloats = 1 << 20
    /// Never fewer tiles per chunk than this, unless the workspace budget forces it:
    /// every chunk re-reads (and packs) all of `U`, 36·OC·C floats (38 MB for
    /// 512 → 512, more than the L3), so for the deep layers wide chunks matter more than
    /// cache residency of `V` and `M` (docs/EXPERIMENTS.md, *Winograd chunks*).
    static let minChunkTiles = 256

    /// Floats between consecutive planes of `V` and of `M` beyond their `channels · T`
    /// (`Grid.planePad`): one cache line, so that the 36 planes a transform writes (or reads)
    /// for one channel do not all fall in the same cache set when a plane is a multiple of
    /// 4 KB, as it is for every VGG layer (docs/EXPERIMENTS.md, *The transforms in C*).
    static let planePad = 16

    /// Floats after each channel's `T` tiles in a chunk's `V` and `M` planes: their rows are
    /// `T + rowPad` floats apart (`Grid.stride`), the `ldb` and `ldc` of the 36 products. With
    /// `T` = 256 (most chunks) rows 1 KB apart put the 128 rows of a 16-column panel of `V`,
    /// which the GEMM kernel reads once for every 6 rows of `U`, in 4 of L1's 64 sets;
    /// 1088 bytes apart they spread over all of them. On the 2-core AVX2 EPYC (Zen 3) the 36
    /// products of a chunk took 3–15 % less (one thread, the two layouts taking turns), a 512²
    /// evaluation about 4 % less (docs/EXPERIMENTS.md, *A 2-core AVX2 EPYC (Zen 3), the Gram
    /// matrices' packing and the Winograd planes' rows*). The same products, so the same bits.
    static let rowPad = 16

    /// The layout of one tile chunk's planes for an image of `height × width` (`tilesWide`
    /// tiles a row) and chunks of `chunk` tiles: rows `chunk + rowPad` apart, planes
    /// `planePad` apart.
    static func chunkGrid(height: Int, width: Int, tilesWide: Int, chunk: Int) -> Grid {
        Grid(height: height, width: width, tilesWide: tilesWide, stride: chunk + rowPad, planePad: planePad)
    }

    /// Tiles per chunk for GEMM depth `k`, `m` produced channels and a workspace of `budget`
    /// floats (the chunk's planes, rows padded by `rowPad`, stay within it).
    static func chunkTiles(tiles: Int, k: Int, m: Int, budget: Int) -> Int {
        let perTile = 36 * (k + m)
        let byCache = max(minChunkTiles, chunkFloats / perTile)
        let byBudget = max(1, budget / perTile - rowPad)
        let most = max(1, min(tiles, byCache, byBudget))
        // Equal chunks rather than full ones and a small remainder (256 tiles by at most 227
        // would be 227 + 29, and the 29-tile chunk re-reads all of U for little work).
        let chunks = (tiles + most - 1) / most
        return (tiles + chunks - 1) / chunks
    }

    /// Forward (`transposed == false`): `out (OC, H, W) = conv(input (C, H, W)) + bias`, then
    /// ReLU when `relu`. Backward (`transposed == true`, `bias` ignored): `out (C, H, W) =
    /// convᵀ(input (OC, H, W))`, the input gradient for output gradient `input`.
    /// Overwrites `out` (already shaped).
    func convolve(_ input: Tensor3, transposed: Bool, bias: [Float] = [], relu: Bool = false,
                  into out: inout Tensor3, workspace: inout Conv3x3.Workspace, parallel: Parallel) {
        precondition(transposed || bias.count == outChannels, "Winograd4 forward needs the bias")
        let k = transposed ? outChannels : inChannels       // GEMM depth: channels summed over
        let m = transposed ? inChannels : outChannels       // channels produced
        precondition(input.channels == k && out.channels == m, "Winograd channel mismatch")
        let h = input.height, w = input.width
        let th = (h + 3) / 4, tw = (w + 3) / 4, tiles = th * tw
        let chunk = Winograd4.chunkTiles(tiles: tiles, k: k, m: m, budget: workspace.budget)
        let grid = Winograd4.chunkGrid(height: h, width: w, tilesWide: tw, chunk: chunk)
        let vPlane = grid.plane(k), mPlane = grid.plane(m)
        workspace.reserve(36 * (vPlane + mPlane))
        input.data.withUnsafeBufferPointer { inBuf in
            u.withUnsafeBufferPointer { uBuf in bias.withUnsafeBufferPointer { bBuf in
                (transposed ? packedT : packed).withUnsafeBufferPointer { pBuf in
                workspace.floats.withUnsafeMutableBufferPointer { wsBuf in
                    out.data.withUnsafeMutableBufferPointer { outBuf in
                        let v = wsBuf.baseAddress!, mm = v + 36 * vPlane
                        let src = inBuf.baseAddress!, dst = outBuf.baseAddress!
                        var t0 = 0
                        var cuts: [Int] = [], cutsFor = -1  // the column blocks of products of `cutsFor` columns
                        while t0 < tiles {
                            let n = min(chunk, tiles - t0)
                            Winograd4.transformIn(src, transposed: transposed, channels: k, grid: grid, firstTile: t0,
                                                  count: n, into: v, transforms: transforms, parallel: parallel)
                            let kernel = n <= GEMMKernel.narrowTiles ? narrowGemm : gemm
                            // Columns j₀ ..< j₁ of product ξ:
                            // forward:  M[ξ][o, t] = Σ_c U[ξ][o, c] · V[ξ][c, t]   (M = OC, N = j₁ − j₀, K = C)
                            // backward: M[ξ][c, t] = Σ_o U[ξ][o, c] · V[ξ][o, t]   (M = C,  N = j₁ − j₀, K = OC)
                            let product = { (xi: Int, j0: Int, j1: Int) in
                                let b = v + xi * vPlane + j0, c = mm + xi * mPlane + j0
                                if kernel != .blas && !(transposed && packedT.isEmpty) {
                                    let plane = transposed ? packedPlaneT : packedPlane
                                    BLAS.sgemm(kernel: kernel, m: m, n: j1 - j0, k: k, packedA: pBuf.baseAddress! + xi * plane,
                                               packedCount: plane, b: b, ldb: grid.stride, c: c, ldc: grid.stride)
                                    return
                                }
                                BLAS.sgemm(kernel: kernel, transA: transposed, m: m, n: j1 - j0, k: k,
                                           a: uBuf.baseAddress! + xi * outChannels * inChannels, lda: inChannels,
                                           b: b, ldb: grid.stride, c: c, ldc: grid.stride)
                            }
                            if cutsFor != n {
                                cuts = Winograd4.pieceCuts(columns: n, pieces: Winograd4.pieces(columns: n, threads: parallel.threads,
                                                                                                 kernel: kernel))
                                cutsFor = n
                            }
                            let pieces = cuts.count - 1
                            parallel.forEachChunk(36 * pieces, costPerItem: 1 << 20) { range in
                                for item in range {
                                    let q = item % pieces
                                    product(item / pieces, cuts[q], cuts[q + 1])
                                }
                            }
                            Winograd4.transformOut(mm, transposed: transposed, channels: m, grid: grid, firstTile: t0,
                                                   count: n, bias: bBuf.baseAddress, relu: relu,
                                                   zeroFirst: transposed && t0 == 0, into: dst,
                                                   transforms: transforms, parallel: parallel)
                            t0 += n
                        }
                    }
                }
            } } }
        }
    }
}
