/// A 3×3 convolution with stride 1 and zero padding 1 ("same" size), the only
/// convolution VGG uses, together with its gradient with respect to the input.
///
/// Shapes: input `(C, H, W)`, weight `(OC, C, 3, 3)`, bias `(OC)`, output `(OC, H, W)`,
/// all channels-first and row-major (`Tensor3`). Weight gradients are never needed
/// (the network is frozen), so there is no `backwardWeights`.
///
/// Two algorithms (`Algorithm`), chosen per layer by `defaultAlgorithm`:
///
/// - im2col + GEMM (conv1_1, 3 input channels): each band of output rows is one `sgemm`,
///   `cols (C·9, rows·W)` gathered from the input and
///   `out[oc, p] = Σ_k W[oc, k] · cols[k, p]` (`M = OC`, `N = rows·W`, `K = C·9`). Bands keep
///   the buffer under the `Workspace` budget (32 MB by default instead of 600 MB for conv1_2 at
///   512²). Its input gradient is GEMM + col2im when `C < OC` (`Conv3x3+Col2im.swift`), else
///   the same im2col path with the weights transposed over channels and flipped in space
///   (`Wᵗ[c, oc, ky, kx] = W[oc, c, 2 − ky, 2 − kx]`, `flippedWeight`, prepared once).
/// - Winograd F(4×4, 3×3) (`Winograd4`, every other VGG layer): 4× fewer multiply-adds;
///   its backward is the exact transpose of its forward with the same transformed weights.
///
/// `Conv3x3Reference` is the plain six-loop oracle for both directions.
public struct Conv3x3: Sendable {
    public let inChannels: Int
    public let outChannels: Int
    /// `(OC, C, 3, 3)` row-major, which is also the `(OC, C·9)` GEMM operand. Kept only by
    /// the im2col algorithm; empty for Winograd, which keeps its transformed
    /// kernels instead (the raw weights stay in `VGGWeights`; a second copy here would
    /// cost 59 MB for VGG16).
    public let weight: [Float]
    /// `(OC)`.
    public let bias: [Float]
    /// `(C, OC, 3, 3)`: `flippedWeight[c, oc, ky, kx] = weight[oc, c, 2 − ky, 2 − kx]`
    /// (im2col path with `C ≥ OC` only; empty with Winograd, and when `C < OC`, where the
    /// input gradient is computed by GEMM + col2im from `weight` itself).
    let flippedWeight: [Float]
    /// How the convolution is computed; all give the same values to float32 rounding
    /// (Winograd's a little less tightly, see `Winograd4`).
    public enum Algorithm: Sendable, CaseIterable {
        /// im2col + one `sgemm` per band of rows; 9·C·OC multiply-adds per output pixel.
        case im2col
        /// Winograd F(4×4, 3×3): 36 multiply-adds per 4×4 tile and channel pair (4× fewer).
        case winograd4
    }
    public let algorithm: Algorithm
    /// The kernel of the im2col path's matrix products (`BLAS.sgemm`); Winograd's are `winograd4`'s.
    public let gemm: GEMMKernel
    /// The transformed kernels when `algorithm == .winograd4`.
    let winograd4: Winograd4?

    /// Winograd's transformed kernels `U`, `(36, OC, C)` (`Winograd4.transformedKernels`), when
    /// the layer uses Winograd; the GPU engine uploads them rather than transforming the
    /// weights again. A new array on each call where the layer keeps only packed copies.
    public var winogradKernels: [Float]? { winograd4?.transformedKernels }

    /// The algorithm `init` picks: Winograd F(4×4, 3×3) when both channel counts are at
    /// least 16 (every VGG layer but conv1_1), where its 4× fewer multiply-adds win;
    /// im2col for conv1_1, whose 3 input channels would make Winograd's GEMMs 3 deep.
    public static func defaultAlgorithm(inChannels: Int, outChannels: Int) -> Algorithm {
        inChannels >= 16 && outChannels >= 16 ? .winograd4 : .im2col
    }

    /// Scratch memory for the im2col columns or Winograd's transformed tiles: grown on
    /// demand, kept by the caller (the engine) from call to call, and bounded by `budget`.
    public struct Workspace: Sendable {
        /// Floats the bands (im2col) or tile chunks (Winograd) are sized to stay within; a
        /// single row or tile may exceed it. A per-run setting of the engine.
        public let budget: Int
        var floats: [Float] = []

        /// 8 Mi floats = 32 MB: large enough that every VGG layer at 512² runs bands of
        /// thousands of columns, where OpenBLAS is at full speed.
        public static let defaultBudget = 8 << 20

        public init(budget: Int = Workspace.defaultBudget) {
            precondition(budget >= 1, "workspace budget must be positive")
            self.budget = budget
        }

        /// Floats allocated so far.
        public var allocated: Int { floats.count }

        /// Grows the scratch to at least `count` floats.
        mutating func reserve(_ count: Int) {
            if floats.count < count { floats = [Float](repeating: 0, count: count) }
        }
    }

    /// `parallel` splits the Winograd weight transform over output channels (the result does
    /// not depend on it). `gemm` picks the kernel of every one of the layer's matrix products
    /// (default: the ones `GEMMKernel` measured fastest on this CPU for each kind of product,
    /// and `GEMMKernel.narrow(besides:)` for Winograd's narrow ones).
    public init(inChannels: Int, outChannels: Int, weight: [Float], bias: [Float], algorithm: Algorithm? = nil,
                gemm: GEMMKernel? = nil, parallel: Parallel = .serial) {
        precondition(weight.count == outChannels * inChannels * 9, "conv weight must be (OC, C, 3, 3)")
        precondition(bias.count == outChannels, "conv bias must be (OC)")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.bias = bias
        self.gemm = gemm ?? GEMMKernel.chosen(for: .general)
        self.algorithm = algorithm ?? Conv3x3.defaultAlgorithm(inChannels: inChannels, outChannels: outChannels)
        winograd4 = self.algorithm == .winograd4
            ? Winograd4(weight: weight, outChannels: outChannels, inChannels: inChannels,
                        gemm: gemm ?? GEMMKernel.chosen(for: .winograd), narrowGemm: gemm, parallel: parallel) : nil
        guard self.algorithm == .im2col else {
            self.weight = []
            flippedWeight = []
            return
        }
        self.weight = weight
        if inChannels < outChannels {  // backward by col2im (Conv3x3+Col2im.swift) needs no flipped copy
            flippedWeight = []
            return
        }
        var flipped = [Float](repeating: 0, count: weight.count)
        for oc in 0..<outChannels {
            for c in 0..<inChannels {
                for k in 0..<9 {
                    flipped[(c * outChannels + oc) * 9 + (8 - k)] = weight[(oc * inChannels + c) * 9 + k]
                }
            }
        }
        self.flippedWeight = flipped
    }

    // MARK: - Forward

    /// `output = conv(input) + bias`, followed by ReLU when `fuseReLU` (VGG always has one).
    /// Overwrites `output`, which is resized to `(OC, H, W)` if needed.
    public func forward(_ input: Tensor3, into output: inout Tensor3, fuseReLU: Bool,
                        workspace: inout Workspace, parallel: Parallel) {
        precondition(input.channels == inChannels, "conv input has \(input.channels) channels, expected \(inChannels)")
        output.reshape(channels: outChannels, height: input.height, width: input.width, parallel: parallel)
        if let winograd4 {  // adds the bias and applies the ReLU itself
            winograd4.convolve(input, transposed: false, bias: bias, relu: fuseReLU, into: &output,
                               workspace: &workspace, parallel: parallel)
            return
        }
        Conv3x3.convolve(input, weight: weight, outChannels: outChannels, gemm: gemm, into: &output, workspace: &workspace,
                         parallel: parallel)
        let hw = input.height * input.width
        bias.withUnsafeBufferPointer { b in
            output.data.withUnsafeMutableBufferPointer { out in
                let o = out.baseAddress!
                parallel.forEachChunk(outChannels, costPerItem: hw) { range in
                    for oc in range {
                        let row = o + oc * hw, bv = b[oc]
                        if fuseReLU {
                            for p in 0..<hw { row[p] = max(row[p] + bv, 0) }
                        } else {
                            for p in 0..<hw { row[p] += bv }
                        }
                    }
                }
            }
        }
    }

    // MARK: - Backward

    /// `gradInput = ∂L/∂input` given `gradOutput = ∂L/∂output` (before bias; the ReLU's
    /// mask must already be applied by the caller). Overwrites `gradInput` (resized to `(C, H, W)`).
    public func backwardInput(_ gradOutput: Tensor3, into gradInput: inout Tensor3, workspace: inout Workspace,
                              parallel: Parallel) {
        precondition(gradOutput.channels == outChannels, "conv gradient has \(gradOutput.channels) channels, expected \(outChannels)")
        gradInput.reshape(channels: inChannels, height: gradOutput.height, width: gradOutput.width, parallel: parallel)
        if let winograd4 {
            winograd4.convolve(gradOutput, transposed: true, into: &gradInput, workspace: &workspace, parallel: parallel)
        } else if flippedWeight.isEmpty {
            Conv3x3.backwardCol2im(gradOutput, weight: weight, inChannels: inChannels, gemm: gemm, into: &gradInput,
                                   workspace: &workspace, parallel: parallel)
        } else {
            Conv3x3.convolve(gradOutput, weight: flippedWeight, outChannels: inChannels, gemm: gemm, into: &gradInput,
                             workspace: &workspace, parallel: parallel)
        }
    }

    // MARK: - im2col + GEMM

    /// `out[o, y, x] = Σ_{c, ky, kx} w[o, c, ky, kx] · in[c, y + ky − 1, x + kx − 1]` (zero outside),
    /// without bias. `out` must already have shape `(outChannels, H, W)`; it is overwritten.
    static func convolve(_ input: Tensor3, weight: [Float], outChannels: Int, gemm: GEMMKernel,
                         into out: inout Tensor3, workspace: inout Workspace, parallel: Parallel) {
        let c = input.channels, h = input.height, w = input.width
        let k = c * 9
        let rowsPerBand = max(1, min(h, workspace.budget / (k * w)))
        workspace.reserve(k * rowsPerBand * w)
        input.data.withUnsafeBufferPointer { inBuf in
            weight.withUnsafeBufferPointer { wBuf in
                workspace.floats.withUnsafeMutableBufferPointer { colsBuf in
                    out.data.withUnsafeMutableBufferPointer { outBuf in
                        var y0 = 0
                        while y0 < h {
                            let rows = min(rowsPerBand, h - y0)
                            im2col(inBuf.baseAddress!, channels: c, height: h, width: w,
                                   firstRow: y0, rows: rows, cols: colsBuf.baseAddress!, parallel: parallel)
                            // out[o, y0·W + p] = Σ_k W[o, k] · cols[k, p]   (M = OC, N = rows·W, K = C·9)
                            BLAS.sgemm(kernel: gemm, m: outChannels, n: rows * w, k: k,
                                       a: wBuf.baseAddress!, lda: k,
                                       b: colsBuf.baseAddress!, ldb: rows * w,
                                       c: outBuf.baseAddress! + y0 * w, ldc: h * w, parallel: parallel)
                            y0 += rows
                        }
                    }
                }
            }
        }
    }

    /// Gathers `cols[(c·9 + ky·3 + kx), (y − firstRow)·W + x] = in[c, y + ky − 1, x + kx − 1]`
    /// (zero outside the image) for rows `firstRow ..< firstRow + rows`.
    /// `cols` holds `C·9 × rows·W` floats. Parallel over the `C·9` rows of `cols`.
    static func im2col(_ input: UnsafePointer<Float>, channels: Int, height h: Int, width w: Int,
                       firstRow: Int, rows: Int, cols: UnsafeMutablePointer<Float>, parallel: Parallel) {
        let n = rows * w
        parallel.forEachChunk(channels * 9, costPerItem: n) { range in
            for kRow in range {
                let c = kRow / 9, ky = (kRow % 9) / 3, kx = kRow % 3
                let dx = kx - 1
                let plane = input + c * h * w
                var dst = cols + kRow * n
                for y in firstRow..<(firstRow + rows) {
                    let sy = y + ky - 1
                    if sy < 0 || sy >= h {
                        dst.update(repeating: 0, count: w)
                    } else {
                        let src = plane + sy * w
                        // dst[x] = src[x + dx] where 0 ≤ x + dx < w
                        let lo = max(0, -dx), hi = min(w, w - dx)
                        if lo > 0 { dst[0] = 0 }
                        if hi < w { dst[w - 1] = 0 }
                        if hi > lo { (dst + lo).update(from: src + lo + dx, count: hi - lo) }
                    }
                    dst += w
                }
            }
        }
    }
}
