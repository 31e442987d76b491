/// The input gradient of an im2col convolution with fewer input than output channels
/// (conv1_1: 3 ← 64), as GEMM + col2im instead of im2col of the output gradient:
/// `cols (C·9 × rows·W) = Wᵀ (C·9 × OC) · gradOutput (OC × rows·W)`, then every row of
/// `cols` is added, shifted by its kernel offset, into its input-gradient plane.
/// It gathers C·9 rows instead of OC·9 (27 instead of 576 for conv1_1): that much less
/// memory traffic (docs/EXPERIMENTS.md has the timings).
extension Conv3x3 {
    /// `gin[c, y + ky − 1, x + kx − 1] += Σ_o w[o, c, ky, kx] · gout[o, y, x]` (inside the image).
    /// `gin` must have shape `(C, H, W)`; it is overwritten.
    static func backwardCol2im(_ gout: Tensor3, weight: [Float], inChannels c: Int, gemm: GEMMKernel,
                               into gin: inout Tensor3, workspace: inout Workspace, parallel: Parallel) {
        let oc = gout.channels, h = gout.height, w = gout.width
        let k = c * 9
        let rowsPerBand = max(1, min(h, workspace.budget / (k * w)))
        workspace.reserve(k * rowsPerBand * w)
        gin.data.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        gout.data.withUnsafeBufferPointer { gBuf in
            weight.withUnsafeBufferPointer { wBuf in
                workspace.floats.withUnsafeMutableBufferPointer { colsBuf in
                    gin.data.withUnsafeMutableBufferPointer { inBuf in
                        let cols = colsBuf.baseAddress!, gi = inBuf.baseAddress!
                        var y0 = 0
                        while y0 < h {
                            let rows = min(rowsPerBand, h - y0), n = rows * w
                            // cols[kRow, p] = Σ_o W[o, kRow] · gout[o, y0·W + p]   (M = C·9, N = rows·W, K = OC)
                            BLAS.sgemm(kernel: gemm, transA: true, m: k, n: n, k: oc,
                                       a: wBuf.baseAddress!, lda: k,
                                       b: gBuf.baseAddress! + y0 * w, ldb: h * w,
                                       c: cols, ldc: n, parallel: parallel)
                            // Parallel over input channels: each adds only into its own plane.
                            parallel.forEachChunk(c, costPerItem: 9 * n) { range in
                                for ci in range {
                                    let plane = gi + ci * h * w
                                    for kk in 0..<9 {
                                        let ky = kk / 3, dx = kk % 3 - 1
                                        let lo = max(0, -dx), hi = min(w, w - dx)
                                        for y in y0..<(y0 + rows) {
                                            let sy = y + ky - 1
                                            if sy < 0 || sy >= h { continue }
                                            let src = cols + (ci * 9 + kk) * n + (y - y0) * w
                                            let dst = plane + sy * w + dx
                                            for x in lo..<hi { dst[x] += src[x] }
                                        }
                                    }
                                }
                            }
                            y0 += rows
                        }
                    }
                }
            }
        }
    }
}
