/// How VGG's 2×2, stride-2 pooling layers combine each window.
public enum Pooling: String, Sendable, CaseIterable {
    /// The maximum of the window, as VGG was trained.
    case max
    /// The mean of the window. Gatys et al. report slightly smoother results with it.
    case average = "avg"
}

/// 2×2 pooling with stride 2, forward and backward side by side.
///
/// Shapes: input `(C, H, W)`, output `(C, H / 2, W / 2)` with floor division: an odd last
/// row or column is dropped (PyTorch's `ceil_mode = False`, Caffe's VGG on even sizes),
/// and it receives zero gradient. Max pooling routes the gradient to the first maximum of
/// each window in row-major order; the caller keeps the forward input (a ReLU output it
/// stores anyway), so no index cache is needed.
public enum Pool2x2 {
    /// Overwrites `output` (resized to `(C, H/2, W/2)`).
    public static func forward(_ input: Tensor3, mode: Pooling, into output: inout Tensor3) {
        let c = input.channels, h = input.height, w = input.width
        let oh = h / 2, ow = w / 2
        output.reshape(channels: c, height: oh, width: ow)
        input.data.withUnsafeBufferPointer { inBuf in
            output.data.withUnsafeMutableBufferPointer { outBuf in
                let src = inBuf.baseAddress!, dst = outBuf.baseAddress!
                Parallel.forEachChunk(c, costPerItem: h * w) { range in
                    for ch in range {
                        let plane = src + ch * h * w, o = dst + ch * oh * ow
                        for y in 0..<oh {
                            let r0 = plane + 2 * y * w, r1 = r0 + w
                            for x in 0..<ow {
                                let a = r0[2 * x], b = r0[2 * x + 1], d = r1[2 * x], e = r1[2 * x + 1]
                                o[y * ow + x] = mode == .max ? Swift.max(Swift.max(a, b), Swift.max(d, e))
                                                             : 0.25 * ((a + b) + (d + e))
                            }
                        }
                    }
                }
            }
        }
    }

    /// `gradInput = ∂L/∂input` from `gradOutput = ∂L/∂output` and the forward `input`.
    /// Overwrites `gradInput` (resized to the input's shape; dropped edges get zero).
    public static func backward(_ gradOutput: Tensor3, input: Tensor3, mode: Pooling, into gradInput: inout Tensor3) {
        let c = input.channels, h = input.height, w = input.width
        let oh = h / 2, ow = w / 2
        precondition(gradOutput.channels == c && gradOutput.height == oh && gradOutput.width == ow,
                     "pool gradient shape does not match its input")
        gradInput.reshape(channels: c, height: h, width: w)
        input.data.withUnsafeBufferPointer { inBuf in
            gradOutput.data.withUnsafeBufferPointer { gBuf in
                gradInput.data.withUnsafeMutableBufferPointer { giBuf in
                    let src = inBuf.baseAddress!, g = gBuf.baseAddress!, gi = giBuf.baseAddress!
                    Parallel.forEachChunk(c, costPerItem: h * w) { range in
                        for ch in range {
                            let plane = src + ch * h * w, gp = g + ch * oh * ow, out = gi + ch * h * w
                            out.update(repeating: 0, count: h * w)
                            for y in 0..<oh {
                                let i0 = 2 * y * w, i1 = i0 + w
                                for x in 0..<ow {
                                    let gv = gp[y * ow + x]
                                    let p00 = i0 + 2 * x, p01 = p00 + 1, p10 = i1 + 2 * x, p11 = p10 + 1
                                    if mode == .average {
                                        let q = 0.25 * gv
                                        out[p00] = q; out[p01] = q; out[p10] = q; out[p11] = q
                                    } else {
                                        var best = p00
                                        if plane[p01] > plane[best] { best = p01 }
                                        if plane[p10] > plane[best] { best = p10 }
                                        if plane[p11] > plane[best] { best = p11 }
                                        out[best] = gv
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// ReLU's backward: `grad[i] = 0` wherever the ReLU output `activation[i]` is 0.
/// (The forward is fused into `Conv3x3.forward`.) Modifies `grad` in place.
public enum ReLU {
    public static func backward(_ grad: inout Tensor3, activation: Tensor3) {
        precondition(grad.count == activation.count, "ReLU gradient shape does not match")
        let n = grad.count
        activation.data.withUnsafeBufferPointer { aBuf in
            grad.data.withUnsafeMutableBufferPointer { gBuf in
                let a = aBuf.baseAddress!, g = gBuf.baseAddress!
                Parallel.forEachChunk(n / 4096 + 1, costPerItem: 4096) { range in
                    let lo = range.lowerBound * 4096, hi = min(n, range.upperBound * 4096)
                    var i = lo
                    while i < hi { if a[i] <= 0 { g[i] = 0 }; i += 1 }
                }
            }
        }
    }
}
