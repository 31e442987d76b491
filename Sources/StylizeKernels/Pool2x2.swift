import CKernels

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
    public static func forward(_ input: Tensor3, mode: Pooling, into output: inout Tensor3, parallel: Parallel) {
        let c = input.channels, h = input.height, w = input.width
        let oh = h / 2, ow = w / 2
        output.reshape(channels: c, height: oh, width: ow, parallel: parallel)
        input.data.withUnsafeBufferPointer { inBuf in
            output.data.withUnsafeMutableBufferPointer { outBuf in
                let src = inBuf.baseAddress!, dst = outBuf.baseAddress!
                parallel.forEachChunk(c, costPerItem: h * w) { range in
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

    /// Average pooling's backward, which needs only the input's size: `gradInput (C, height, width)`
    /// gets a quarter of each output gradient in its window. Overwrites `gradInput`.
    public static func backwardAverage(_ gradOutput: Tensor3, inputHeight h: Int, inputWidth w: Int,
                                       into gradInput: inout Tensor3, parallel: Parallel) {
        let c = gradOutput.channels, oh = h / 2, ow = w / 2
        precondition(gradOutput.height == oh && gradOutput.width == ow, "pool gradient shape does not match its input")
        gradInput.reshape(channels: c, height: h, width: w, parallel: parallel)
        gradOutput.data.withUnsafeBufferPointer { gBuf in
            gradInput.data.withUnsafeMutableBufferPointer { giBuf in
                let g = gBuf.baseAddress!, gi = giBuf.baseAddress!
                parallel.forEachChunk(c, costPerItem: h * w) { range in
                    for ch in range {
                        let gp = g + ch * oh * ow, out = gi + ch * h * w
                        out.update(repeating: 0, count: h * w)
                        for y in 0..<oh {
                            for x in 0..<ow {
                                let q = 0.25 * gp[y * ow + x], p = 2 * y * w + 2 * x
                                out[p] = q; out[p + 1] = q; out[p + w] = q; out[p + w + 1] = q
                            }
                        }
                    }
                }
            }
        }
    }

    /// `gradInput = ∂L/∂input` from `gradOutput = ∂L/∂output` and the forward `input`.
    /// Overwrites `gradInput` (resized to the input's shape; dropped edges get zero).
    public static func backward(_ gradOutput: Tensor3, input: Tensor3, mode: Pooling, into gradInput: inout Tensor3,
                                parallel: Parallel) {
        let c = input.channels, h = input.height, w = input.width
        let oh = h / 2, ow = w / 2
        precondition(gradOutput.channels == c && gradOutput.height == oh && gradOutput.width == ow,
                     "pool gradient shape does not match its input")
        gradInput.reshape(channels: c, height: h, width: w, parallel: parallel)
        input.data.withUnsafeBufferPointer { inBuf in
            gradOutput.data.withUnsafeBufferPointer { gBuf in
                gradInput.data.withUnsafeMutableBufferPointer { giBuf in
                    let src = inBuf.baseAddress!, g = gBuf.baseAddress!, gi = giBuf.baseAddress!
                    parallel.forEachChunk(c, costPerItem: h * w) { range in
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

/// Max pooling's backward routing kept as one byte per output: `index[o]` is the position
/// (0…3, row-major in the 2×2 window) of the window's first maximum, the one the gradient
/// goes to. A quarter of the pooled output's element count in bytes, instead of the whole
/// input, which `Pool2x2.backward` would otherwise need.
public struct MaxPoolIndices: Sendable {
    public private(set) var index: [UInt8] = []
    /// Shape of the pooling's input, `(C, H, W)`.
    public private(set) var inputShape = (channels: 0, height: 0, width: 0)

    public init() {}

    /// The C kernels' vector kind (`stylize_maxpool.h`), or nil for the Swift loops below, as
    /// the ReLU masks choose (`ReLUMask.kind`). Every choice gives the same bits.
    static let kind: Int32? = Winograd4.Transforms.chosen.kind

    /// Max pooling forward that also records the argmax of every window. Overwrites
    /// `output` (resized to `(C, H/2, W/2)`). Same values as `Pool2x2.forward(mode: .max)`.
    public mutating func forward(_ input: Tensor3, into output: inout Tensor3, parallel: Parallel) {
        forward(input, into: &output, kind: MaxPoolIndices.kind, parallel: parallel)
    }

    /// `forward` with the C kernels of vector kind `kind` (0, 1, 2), or the Swift loops (nil).
    mutating func forward(_ input: Tensor3, into output: inout Tensor3, kind: Int32?, parallel: Parallel) {
        let c = input.channels, h = input.height, w = input.width
        let oh = h / 2, ow = w / 2
        output.reshape(channels: c, height: oh, width: ow, parallel: parallel)
        inputShape = (c, h, w)
        let n = c * oh * ow
        if index.count != n { index = [UInt8](repeating: 0, count: n) }
        input.data.withUnsafeBufferPointer { inBuf in
            output.data.withUnsafeMutableBufferPointer { outBuf in
                index.withUnsafeMutableBufferPointer { idxBuf in
                    let src = inBuf.baseAddress!, dst = outBuf.baseAddress!, idx = idxBuf.baseAddress!
                    parallel.forEachChunk(c, costPerItem: h * w) { range in
                        if let kind {
                            stylize_maxpool_forward(kind, src, h, w, range.lowerBound, range.upperBound, dst, idx)
                            return
                        }
                        for ch in range {
                            let plane = src + ch * h * w, o = dst + ch * oh * ow, io = idx + ch * oh * ow
                            for y in 0..<oh {
                                let r0 = plane + 2 * y * w, r1 = r0 + w
                                for x in 0..<ow {
                                    var best = r0[2 * x], k: UInt8 = 0
                                    if r0[2 * x + 1] > best { best = r0[2 * x + 1]; k = 1 }
                                    if r1[2 * x] > best { best = r1[2 * x]; k = 2 }
                                    if r1[2 * x + 1] > best { best = r1[2 * x + 1]; k = 3 }
                                    o[y * ow + x] = best
                                    io[y * ow + x] = k
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `gradInput = ∂L/∂input` from `gradOutput`, routing each value to its window's recorded
    /// maximum. Overwrites `gradInput` (resized to the input's shape; dropped edges get zero).
    /// Same values as `Pool2x2.backward(mode: .max)` with the forward input.
    public func backward(_ gradOutput: Tensor3, into gradInput: inout Tensor3, parallel: Parallel) {
        backward(gradOutput, into: &gradInput, kind: MaxPoolIndices.kind, parallel: parallel)
    }

    /// `backward` with the C kernels of vector kind `kind` (0, 1, 2), or the Swift loops (nil).
    func backward(_ gradOutput: Tensor3, into gradInput: inout Tensor3, kind: Int32?, parallel: Parallel) {
        let (c, h, w) = inputShape
        let oh = h / 2, ow = w / 2
        precondition(gradOutput.channels == c && gradOutput.height == oh && gradOutput.width == ow,
                     "pool gradient shape does not match its input")
        gradInput.reshape(channels: c, height: h, width: w, parallel: parallel)
        gradOutput.data.withUnsafeBufferPointer { gBuf in
            gradInput.data.withUnsafeMutableBufferPointer { giBuf in
                index.withUnsafeBufferPointer { idxBuf in
                    let g = gBuf.baseAddress!, gi = giBuf.baseAddress!, idx = idxBuf.baseAddress!
                    parallel.forEachChunk(c, costPerItem: h * w) { range in
                        if let kind {
                            stylize_maxpool_backward(kind, g, idx, h, w, range.lowerBound, range.upperBound, gi)
                            return
                        }
                        for ch in range {
                            let gp = g + ch * oh * ow, ip = idx + ch * oh * ow, out = gi + ch * h * w
                            out.update(repeating: 0, count: h * w)
                            for y in 0..<oh {
                                for x in 0..<ow {
                                    let k = Int(ip[y * ow + x])
                                    out[(2 * y + (k >> 1)) * w + 2 * x + (k & 1)] = gp[y * ow + x]
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
