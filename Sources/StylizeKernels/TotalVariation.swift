/// Total variation of an image, the smoothness prior of the objective.
///
/// `L_tv = Σ_c Σ_(i,j) [(x[c,i+1,j] − x[c,i,j])² + (x[c,i,j+1] − x[c,i,j])²] / (3·H·W)`,
/// over valid neighbour pairs only (no wrap-around, no padding), on the preprocessed
/// tensor `x` `(C, H, W)`. Dividing by `3·H·W` makes the value a per-pixel mean, so its
/// weight means the same at every image size. Differences are formed in Float and summed in
/// Double.
///
/// On `parallel`'s threads: the image is cut into fixed blocks of `block` values (of the flat
/// index `c·H·W + i·W + j`), each pixel's two terms (below, then right) summed in index order
/// within a block and the blocks' sums added in block order, so that every thread count gives
/// the same bits; an image of at most one block gives exactly the plain pass's
/// (`lossReference`). Each gradient value is gathered by its own pixel, its four terms in the
/// order the plain pass scatters them, so the gradient has the plain pass's bits at any size.
/// In one pass on the calling thread TV was about 1.8 ms of the 10 ms of work no loop split in
/// a 512² evaluation on 16 modelled threads (issue 18, `stylize-bench threads 512 --sites`).
public enum TotalVariation {
    /// Values per block: a 512² image's 786 432 values are 96 blocks.
    static let block = 1 << 13

    /// `L_tv` of `x`.
    public static func loss(_ x: Tensor3, parallel: Parallel = .serial) -> Double {
        loss(x, scale: 0, grad: nil, parallel: parallel)
    }

    /// `L_tv` of `x`, and adds `scale · ∂L_tv/∂x` to `grad` (same layout and count as `x`).
    public static func loss(_ x: Tensor3, scale: Float, grad: inout [Float], parallel: Parallel = .serial) -> Double {
        precondition(grad.count == x.count, "TV gradient has \(grad.count) values, the image \(x.count)")
        return grad.withUnsafeMutableBufferPointer { loss(x, scale: scale, grad: $0.baseAddress!, parallel: parallel) }
    }

    static func loss(_ x: Tensor3, scale: Float, grad: UnsafeMutablePointer<Float>?, parallel: Parallel) -> Double {
        let h = x.height, w = x.width
        let norm = 3.0 * Double(h) * Double(w)
        let gs = Float(2.0 * Double(scale) / norm)
        let sum = x.data.withUnsafeBufferPointer { xb in
            let xp = xb.baseAddress!
            return VectorMath.blockSums(x.count, 1, block: block, parallel: parallel) { r, out in
                var s = 0.0
                var i = r.lowerBound
                while i < r.upperBound {  // a row's stretch at a time
                    let y = i / w % h, rowStart = i - i % w, end = min(r.upperBound, rowStart + w)
                    row(xp, from: i, to: end, rowStart: rowStart, width: w, y: y, height: h, gs: gs, grad: grad, sum: &s)
                    i = end
                }
                out[0] = s
            }[0]
        }
        return sum / norm
    }

    /// Pixels `from ..< to` of one row (its first pixel at `rowStart`, row `y` of its plane):
    /// their terms added to `sum` in index order, and each one's gradient.
    @inline(__always)
    private static func row(_ x: UnsafePointer<Float>, from: Int, to: Int, rowStart: Int, width w: Int, y: Int, height h: Int,
                            gs: Float, grad: UnsafeMutablePointer<Float>?, sum: inout Double) {
        let up = y > 0, down = y + 1 < h
        for i in from..<to {
            let xx = i - rowStart, v = x[i]
            if down { let d = x[i + w] - v; sum += Double(d) * Double(d) }
            if xx + 1 < w { let d = x[i + 1] - v; sum += Double(d) * Double(d) }
            guard let grad else { continue }
            // The plain pass adds to this pixel: from the one above (+), from the left one (+),
            // then its own two terms (−, −), in that order.
            var g = grad[i]
            if up { g += gs * (v - x[i - w]) }
            if xx > 0 { g += gs * (v - x[i - 1]) }
            if down { g -= gs * (x[i + w] - v) }
            if xx + 1 < w { g -= gs * (x[i + 1] - v) }
            grad[i] = g
        }
    }

    /// The plain pass the blocked one is checked against: one sum in memory order on the calling
    /// thread, each term's gradient scattered to its two pixels (`KernelTests`).
    static func lossReference(_ x: Tensor3, scale: Float, grad: inout [Float]) -> Double {
        let c = x.channels, h = x.height, w = x.width
        let norm = 3.0 * Double(h) * Double(w)
        let gs = Float(2.0 * Double(scale) / norm)
        var sum = 0.0
        let xb = x.data
        for ch in 0..<c {
            let plane = ch * h * w
            for y in 0..<h {
                for xx in 0..<w {
                    let i = plane + y * w + xx
                    let v = xb[i]
                    if y + 1 < h {
                        let d = xb[i + w] - v
                        sum += Double(d) * Double(d)
                        grad[i + w] += gs * d; grad[i] -= gs * d
                    }
                    if xx + 1 < w {
                        let d = xb[i + 1] - v
                        sum += Double(d) * Double(d)
                        grad[i + 1] += gs * d; grad[i] -= gs * d
                    }
                }
            }
        }
        return sum / norm
    }
}
