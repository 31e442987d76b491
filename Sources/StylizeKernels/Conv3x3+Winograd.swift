/// Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, "Fast Algorithms for
/// Convolutional Neural Networks", 2016) for `Conv3x3`: the same "same"-padded 3×3
/// convolution with 16 multiplications per 2×2 output tile and channel pair instead of 36,
/// i.e. 2.25× fewer multiply-adds than im2col + GEMM.
///
/// For every 2×2 output tile, with `d` the 4×4 input patch around it (zero outside):
/// `Y = Aᵀ [ U ⊙ (Bᵀ d B) ] A`, summed over input channels, where `U = G g Gᵀ` is the
/// transformed 3×3 kernel. Summing over channels for each of the 16 positions ξ of the
/// 4×4 transform domain is a matrix product:
/// `M[ξ] (OC × T) = U[ξ] (OC × C) · V[ξ] (C × T)`, one `sgemm` per ξ over a chunk of `T` tiles.
///
/// Layouts: `U` is `(16, OC, C)`; the scratch `V` is `(16, C, T)` and `M` is `(16, OC, T)`
/// for a chunk of `T` tiles, tiles numbered row-major over the `⌈H/2⌉ × ⌈W/2⌉` tile grid.
///
/// Backward: the input gradient is a convolution with the channel-transposed, spatially
/// flipped kernel. Since `G·J = Π·G` (J reverses 3 entries, Π swaps entries 0 and 3 of 4),
/// its transform is `U[π(a), π(b)]ᵀ`: the forward `U` read with permuted ξ and transposed
/// in the GEMM, so no second copy of the weights is kept.
///
/// Accuracy: the transform constants are 0, ±1 and ±½, so float32 results differ from
/// the direct convolution by a few ulps more than im2col's; the tests bound both.
struct Winograd {
    /// `(16, OC, C)`: `u[(ξ·OC + oc)·C + c] = (G · w[oc, c] · Gᵀ)[ξ]`, ξ = 4·row + col.
    let u: [Float]
    let outChannels: Int
    let inChannels: Int

    init(weight: [Float], outChannels: Int, inChannels: Int) {
        self.outChannels = outChannels
        self.inChannels = inChannels
        var u = [Float](repeating: 0, count: 16 * outChannels * inChannels)
        let plane = outChannels * inChannels
        for oc in 0..<outChannels {
            for c in 0..<inChannels {
                let g = Array(weight[((oc * inChannels + c) * 9)..<((oc * inChannels + c) * 9 + 9)])
                // G·g (4×3): rows g0, (g0+g1+g2)/2, (g0−g1+g2)/2, g2 — where gi are the kernel's rows.
                var gg = [Float](repeating: 0, count: 12)
                for j in 0..<3 {
                    let a = g[j], b = g[3 + j], d = g[6 + j]
                    gg[j] = a; gg[3 + j] = 0.5 * (a + b + d); gg[6 + j] = 0.5 * (a - b + d); gg[9 + j] = d
                }
                // (G·g)·Gᵀ (4×4): the same combination along each row.
                for i in 0..<4 {
                    let a = gg[3 * i], b = gg[3 * i + 1], d = gg[3 * i + 2]
                    let row = [a, 0.5 * (a + b + d), 0.5 * (a - b + d), d]
                    for j in 0..<4 { u[(4 * i + j) * plane + oc * inChannels + c] = row[j] }
                }
            }
        }
        self.u = u
    }

    /// Swaps transform index 0 and 3 (the Π of the backward identity).
    @inline(__always) static func flip(_ xi: Int) -> Int {
        let r = xi >> 2, c = xi & 3
        let fr = r == 0 ? 3 : (r == 3 ? 0 : r), fc = c == 0 ? 3 : (c == 3 ? 0 : c)
        return fr * 4 + fc
    }

    /// Forward (`transposed == false`): `out (OC, H, W) = conv(input (C, H, W))`.
    /// Backward (`transposed == true`): `out (C, H, W) = convᵀ(input (OC, H, W))`, the input
    /// gradient for output gradient `input`. Overwrites `out` (already shaped); no bias.
    func convolve(_ input: Tensor3, transposed: Bool, into out: inout Tensor3, workspace: inout [Float]) {
        let k = transposed ? outChannels : inChannels       // GEMM depth: channels summed over
        let m = transposed ? inChannels : outChannels       // channels produced
        precondition(input.channels == k && out.channels == m, "Winograd channel mismatch")
        let h = input.height, w = input.width
        let th = (h + 1) / 2, tw = (w + 1) / 2, tiles = th * tw
        let chunk = max(1, min(tiles, Conv3x3.workspaceBudget / (16 * (k + m))))
        let needed = 16 * (k + m) * chunk
        if workspace.count < needed { workspace = [Float](repeating: 0, count: needed) }
        input.data.withUnsafeBufferPointer { inBuf in
            u.withUnsafeBufferPointer { uBuf in
                workspace.withUnsafeMutableBufferPointer { wsBuf in
                    out.data.withUnsafeMutableBufferPointer { outBuf in
                        let v = wsBuf.baseAddress!, mm = v + 16 * k * chunk
                        var t0 = 0
                        while t0 < tiles {
                            let n = min(chunk, tiles - t0)
                            Winograd.transformInput(inBuf.baseAddress!, channels: k, height: h, width: w,
                                                    tilesWide: tw, firstTile: t0, count: n, stride: chunk, into: v)
                            for xi in 0..<16 {
                                let a = uBuf.baseAddress! + (transposed ? Winograd.flip(xi) : xi) * outChannels * inChannels
                                // M[ξ][o, t] = Σ_c U[ξ][o, c] · V[ξ][c, t]          (M = OC, N = n, K = C)
                                // backward: M[ξ][c, t] = Σ_o U[π ξ][o, c] · V[ξ][o, t] (M = C,  N = n, K = OC)
                                BLAS.sgemm(transA: transposed, m: m, n: n, k: k,
                                           a: a, lda: inChannels,
                                           b: v + xi * k * chunk, ldb: chunk,
                                           c: mm + xi * m * chunk, ldc: chunk)
                            }
                            Winograd.transformOutput(mm, channels: m, height: h, width: w, tilesWide: tw,
                                                     firstTile: t0, count: n, stride: chunk, into: outBuf.baseAddress!)
                            t0 += n
                        }
                    }
                }
            }
        }
    }

    /// `V[ξ][c, t − firstTile] = (Bᵀ d B)[ξ]` for tiles `firstTile ..< firstTile + count`, where
    /// `d` is the 4×4 patch of channel c starting at (2·ty − 1, 2·tx − 1), zero outside.
    /// `V` planes are `(channels, stride)`. Parallel over channels.
    static func transformInput(_ input: UnsafePointer<Float>, channels: Int, height h: Int, width w: Int,
                               tilesWide tw: Int, firstTile: Int, count: Int, stride: Int,
                               into v: UnsafeMutablePointer<Float>) {
        let planeStride = channels * stride
        let padded = 2 * tw + 2  // one tile row's input rows, with a zero column on each side
        Parallel.forEachChunk(channels, costPerItem: count * 16) { range in
            // Four zero-padded input rows: rows[r][1 + x] = in[c, y0 + r, x], zero elsewhere.
            let rows = UnsafeMutablePointer<Float>.allocate(capacity: 4 * padded)
            defer { rows.deallocate() }
            for c in range {
                let plane = input + c * h * w
                let dst = v + c * stride
                var t = firstTile
                while t < firstTile + count {
                    let ty = t / tw, txa = t % tw
                    let txb = min(tw, txa + (firstTile + count - t))
                    let y0 = 2 * ty - 1
                    for r in 0..<4 {
                        let row = rows + r * padded
                        row.update(repeating: 0, count: padded)
                        let y = y0 + r
                        if y >= 0 && y < h { (row + 1).update(from: plane + y * w, count: w) }
                    }
                    // Bᵀ·d down the columns, for the whole tile row at once (in place):
                    // a0 = d0 − d2, a1 = d1 + d2, a2 = d2 − d1, a3 = d1 − d3.
                    let a0 = rows, a1 = rows + padded, a2 = rows + 2 * padded, a3 = rows + 3 * padded
                    for p in 0..<padded {
                        let d0 = a0[p], d1 = a1[p], d2 = a2[p], d3 = a3[p]
                        a0[p] = d0 - d2; a1[p] = d1 + d2; a2[p] = d2 - d1; a3[p] = d1 - d3
                    }
                    // ·B along the rows: tile tx reads padded columns 2·tx … 2·tx + 3.
                    let j0 = t - firstTile - txa
                    for i in 0..<4 {
                        let a = rows + i * padded  // a0 … a3
                        let o0 = dst + 4 * i * planeStride + j0, o1 = o0 + planeStride
                        let o2 = o1 + planeStride, o3 = o2 + planeStride
                        for tx in txa..<txb {
                            let x = 2 * tx
                            let e0 = a[x], e1 = a[x + 1], e2 = a[x + 2], e3 = a[x + 3]
                            o0[tx] = e0 - e2; o1[tx] = e1 + e2; o2[tx] = e2 - e1; o3[tx] = e1 - e3
                        }
                    }
                    t += txb - txa
                }
            }
        }
    }

    /// `out[c, 2·ty + i, 2·tx + j] = (Aᵀ m A)[i, j]` with `m[ξ] = M[ξ][c, t − firstTile]`,
    /// for output positions inside the image. Parallel over channels.
    static func transformOutput(_ mm: UnsafePointer<Float>, channels: Int, height h: Int, width w: Int,
                                tilesWide tw: Int, firstTile: Int, count: Int, stride: Int,
                                into out: UnsafeMutablePointer<Float>) {
        let planeStride = channels * stride
        Parallel.forEachChunk(channels, costPerItem: count * 16) { range in
            for c in range {
                let src = mm + c * stride
                let plane = out + c * h * w
                var t = firstTile
                while t < firstTile + count {
                    let ty = t / tw, txa = t % tw
                    let txb = min(tw, txa + (firstTile + count - t))
                    let y = 2 * ty
                    let m = src + (t - firstTile - txa)  // m[ξ·planeStride + tx]
                    let row0 = plane + y * w, row1 = plane + (y + 1) * w
                    let full = y + 1 < h
                    // Tiles whose 2×2 output lies inside the image; the last may stick out when W is odd.
                    let inside = min(txb, w / 2)
                    for tx in txa..<inside {
                        // Aᵀ·m: s0 = m0 + m1 + m2 (rows of the 4×4 m), s1 = m1 − m2 − m3; then ·A along columns.
                        let s00 = m[tx] + m[4 * planeStride + tx] + m[8 * planeStride + tx]
                        let s01 = m[planeStride + tx] + m[5 * planeStride + tx] + m[9 * planeStride + tx]
                        let s02 = m[2 * planeStride + tx] + m[6 * planeStride + tx] + m[10 * planeStride + tx]
                        let s03 = m[3 * planeStride + tx] + m[7 * planeStride + tx] + m[11 * planeStride + tx]
                        row0[2 * tx] = s00 + s01 + s02
                        row0[2 * tx + 1] = s01 - s02 - s03
                        if full {
                            let s10 = m[4 * planeStride + tx] - m[8 * planeStride + tx] - m[12 * planeStride + tx]
                            let s11 = m[5 * planeStride + tx] - m[9 * planeStride + tx] - m[13 * planeStride + tx]
                            let s12 = m[6 * planeStride + tx] - m[10 * planeStride + tx] - m[14 * planeStride + tx]
                            let s13 = m[7 * planeStride + tx] - m[11 * planeStride + tx] - m[15 * planeStride + tx]
                            row1[2 * tx] = s10 + s11 + s12
                            row1[2 * tx + 1] = s11 - s12 - s13
                        }
                    }
                    if inside < txb {  // odd width: only the left column of the last tile exists
                        let tx = inside
                        row0[2 * tx] = (m[tx] + m[4 * planeStride + tx] + m[8 * planeStride + tx])
                            + (m[planeStride + tx] + m[5 * planeStride + tx] + m[9 * planeStride + tx])
                            + (m[2 * planeStride + tx] + m[6 * planeStride + tx] + m[10 * planeStride + tx])
                        if full {
                            row1[2 * tx] = (m[4 * planeStride + tx] - m[8 * planeStride + tx] - m[12 * planeStride + tx])
                                + (m[5 * planeStride + tx] - m[9 * planeStride + tx] - m[13 * planeStride + tx])
                                + (m[6 * planeStride + tx] - m[10 * planeStride + tx] - m[14 * planeStride + tx])
                        }
                    }
                    t += txb - txa
                }
            }
        }
    }
}
