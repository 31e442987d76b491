/// The plain direct 3×3 / stride 1 / pad 1 convolution: the oracle for `Conv3x3`'s
/// im2col + GEMM path in tests and benchmarks, and the definition written out in full.
/// Accumulates in `Double` so it can also serve as the finite-difference baseline.
public enum Conv3x3Reference {
    /// `out[o, y, x] = bias[o] + Σ_{c, ky, kx} w[o, c, ky, kx] · in[c, y + ky − 1, x + kx − 1]`.
    /// Input `(C, H, W)`, weight `(OC, C, 3, 3)`, bias `(OC)`, output `(OC, H, W)`. No ReLU.
    public static func forward(_ input: Tensor3, weight: [Float], bias: [Float], outChannels: Int) -> Tensor3 {
        let c = input.channels, h = input.height, w = input.width
        var out = Tensor3(zeros: outChannels, h, w)
        for o in 0..<outChannels {
            for y in 0..<h {
                for x in 0..<w {
                    var s = Double(bias[o])
                    for ci in 0..<c {
                        for ky in 0..<3 {
                            let sy = y + ky - 1
                            if sy < 0 || sy >= h { continue }
                            for kx in 0..<3 {
                                let sx = x + kx - 1
                                if sx < 0 || sx >= w { continue }
                                s += Double(weight[((o * c + ci) * 3 + ky) * 3 + kx]) * Double(input[ci, sy, sx])
                            }
                        }
                    }
                    out[o, y, x] = Float(s)
                }
            }
        }
        return out
    }

    /// `gin[c, sy, sx] = Σ_{o, ky, kx} w[o, c, ky, kx] · gout[o, sy − ky + 1, sx − kx + 1]`:
    /// the adjoint of `forward` (without bias), scattered exactly as the chain rule reads.
    public static func backwardInput(_ gradOutput: Tensor3, weight: [Float], inChannels: Int) -> Tensor3 {
        let oc = gradOutput.channels, h = gradOutput.height, w = gradOutput.width
        var acc = [Double](repeating: 0, count: inChannels * h * w)
        for o in 0..<oc {
            for y in 0..<h {
                for x in 0..<w {
                    let g = Double(gradOutput[o, y, x])
                    if g == 0 { continue }
                    for ci in 0..<inChannels {
                        for ky in 0..<3 {
                            let sy = y + ky - 1
                            if sy < 0 || sy >= h { continue }
                            for kx in 0..<3 {
                                let sx = x + kx - 1
                                if sx < 0 || sx >= w { continue }
                                acc[(ci * h + sy) * w + sx] += Double(weight[((o * inChannels + ci) * 3 + ky) * 3 + kx]) * g
                            }
                        }
                    }
                }
            }
        }
        return Tensor3(channels: inChannels, height: h, width: w, data: acc.map { Float($0) })
    }
}
