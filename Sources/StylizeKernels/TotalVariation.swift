/// Total variation of an image, the smoothness prior of the objective.
///
/// `L_tv = Σ_c Σ_(i,j) [(x[c,i+1,j] − x[c,i,j])² + (x[c,i,j+1] − x[c,i,j])²] / (3·H·W)`,
/// over valid neighbour pairs only (no wrap-around, no padding), on the preprocessed
/// tensor `x` `(C, H, W)`. Dividing by `3·H·W` makes the value a per-pixel mean, so its
/// weight means the same at every image size. Differences are formed in Float and summed in
/// Double, in one pass in memory order.
public enum TotalVariation {
    /// `L_tv` of `x`.
    public static func loss(_ x: Tensor3) -> Double {
        loss(x, scale: 0, grad: nil)
    }

    /// `L_tv` of `x`, and adds `scale · ∂L_tv/∂x` to `grad` (same layout and count as `x`).
    public static func loss(_ x: Tensor3, scale: Float, grad: inout [Float]) -> Double {
        precondition(grad.count == x.count, "TV gradient has \(grad.count) values, the image \(x.count)")
        return grad.withUnsafeMutableBufferPointer { loss(x, scale: scale, grad: $0.baseAddress!) }
    }

    static func loss(_ x: Tensor3, scale: Float, grad: UnsafeMutablePointer<Float>?) -> Double {
        let c = x.channels, h = x.height, w = x.width
        let norm = 3.0 * Double(h) * Double(w)
        let gs = Float(2.0 * Double(scale) / norm)
        var sum = 0.0
        x.data.withUnsafeBufferPointer { xb in
            for ch in 0..<c {
                let plane = ch * h * w
                for y in 0..<h {
                    for xx in 0..<w {
                        let i = plane + y * w + xx
                        let v = xb[i]
                        if y + 1 < h {
                            let d = xb[i + w] - v
                            sum += Double(d) * Double(d)
                            if let grad { grad[i + w] += gs * d; grad[i] -= gs * d }
                        }
                        if xx + 1 < w {
                            let d = xb[i + 1] - v
                            sum += Double(d) * Double(d)
                            if let grad { grad[i + 1] += gs * d; grad[i] -= gs * d }
                        }
                    }
                }
            }
        }
        return sum / norm
    }
}
