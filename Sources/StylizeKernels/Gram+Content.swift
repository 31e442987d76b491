/// The content term of Gatys et al., `L = Σ_x w_x Σ_c (F_cx − P_cx)² / (4 N M)` with one weight
/// per position (`w` = 1 everywhere without `positionWeights`), and its gradient.
///
/// The gradient is element-wise, so its bits do not depend on who computes it. The sum is taken
/// in fixed blocks of `sumBlock` values: each block in index order in Double (a Float
/// difference squared is exact there), the blocks' sums then added in block order. The blocks
/// depend only on the layer's size, so every thread count gives the same bits; a layer of at
/// most one block gives exactly the plain pass's (`contentLossReference`), and a larger one
/// differs from it only in the Double sum's last bits. Taken in one pass on the calling thread,
/// the term was about 1.9 ms of the 10 ms of work no loop split in a 512² evaluation on 16
/// modelled threads (issue 18, `stylize-bench threads 512 --sites`).
extension Gram {
    /// Values per block of the loss terms' sums (the content term's, and the style term's
    /// `Σ (G − A)²`): 2 M values at relu4_2 of a 512² image are 256 blocks, even over any
    /// thread count up to 64.
    static let sumBlock = 1 << 13

    /// `L` as above without weights.
    public static func contentLoss(_ f: Tensor3, target: [Float], parallel: Parallel = .serial) -> Double {
        contentLoss(f, target: target, positionWeights: nil, parallel: parallel)
    }

    /// `L`, and adds `scale · (F − P) / (2 N M)` (= `scale · ∂L/∂F`) to `grad`.
    public static func contentLoss(_ f: Tensor3, target: [Float], scale: Float, grad: inout [Float],
                                   parallel: Parallel = .serial) -> Double {
        contentLoss(f, target: target, positionWeights: nil, scale: scale, grad: &grad, parallel: parallel)
    }

    /// The weighted `L` (`positionWeights` = `w`, `M` values; nil is every `w_x = 1`).
    public static func contentLoss(_ f: Tensor3, target: [Float], positionWeights: [Float]?,
                                   parallel: Parallel = .serial) -> Double {
        withWeights(positionWeights) { contentLoss(f, target: target, weights: $0, scale: 0, grad: nil, parallel: parallel) }
    }

    /// The weighted `L`, and adds `scale · w_x (F − P) / (2 N M)` (= `scale · ∂L/∂F`) to `grad`.
    public static func contentLoss(_ f: Tensor3, target: [Float], positionWeights: [Float]?, scale: Float,
                                   grad: inout [Float], parallel: Parallel = .serial) -> Double {
        precondition(grad.count == f.count, "content gradient has \(grad.count) values, the layer \(f.count)")
        return withWeights(positionWeights) { w in
            grad.withUnsafeMutableBufferPointer {
                contentLoss(f, target: target, weights: w, scale: scale, grad: $0.baseAddress!, parallel: parallel)
            }
        }
    }

    private static func withWeights<R>(_ weights: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let weights else { return body(nil) }
        return weights.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    static func contentLoss(_ f: Tensor3, target: [Float], weights: UnsafePointer<Float>?, scale: Float,
                            grad: UnsafeMutablePointer<Float>?, parallel: Parallel) -> Double {
        precondition(target.count == f.count, "content target does not match the layer's shape")
        let m = f.positions
        let norm = 4.0 * Double(f.channels) * Double(m)
        let gscale = Float(Double(scale) * 2.0 / norm)
        let sum = f.data.withUnsafeBufferPointer { fb in
            target.withUnsafeBufferPointer { tb in
                let fp = fb.baseAddress!, tp = tb.baseAddress!
                return VectorMath.blockSums(f.count, 1, block: sumBlock, parallel: parallel) { r, out in
                    out[0] = contentSum(fp, tp, weights: weights, positions: m, range: r, gscale: gscale, grad: grad)
                }[0]
            }
        }
        return sum / norm
    }

    /// One block `range` of the flat index `i = c·M + x`: its sum in index order, and its gradient.
    private static func contentSum(_ f: UnsafePointer<Float>, _ p: UnsafePointer<Float>, weights: UnsafePointer<Float>?,
                                   positions m: Int, range: Range<Int>, gscale: Float,
                                   grad: UnsafeMutablePointer<Float>?) -> Double {
        var sum = 0.0
        guard let weights else {
            for i in range {
                let d = f[i] - p[i]
                sum += Double(d) * Double(d)
                if let grad { grad[i] += gscale * d }
            }
            return sum
        }
        var i = range.lowerBound
        while i < range.upperBound {  // a channel's stretch at a time, so that `x = i − c·M` walks with `i`
            let c0 = i - i % m, end = min(range.upperBound, c0 + m)  // this channel's first index
            while i < end {
                let d = f[i] - p[i], w = weights[i - c0]
                sum += Double(w) * Double(d) * Double(d)
                if let grad { grad[i] += gscale * w * d }
                i += 1
            }
        }
        return sum
    }

    /// The plain pass the blocked one is checked against: one sum over the whole layer in index
    /// order on the calling thread (`KernelTests`).
    static func contentLossReference(_ f: Tensor3, target: [Float], positionWeights: [Float]?, scale: Float,
                                     grad: inout [Float]) -> Double {
        let m = f.positions
        let norm = 4.0 * Double(f.channels) * Double(m)
        let gscale = Float(Double(scale) * 2.0 / norm)
        var sum = 0.0
        for c in 0..<f.channels {
            for x in 0..<m {
                let i = c * m + x, d = f.data[i] - target[i], w = positionWeights?[x] ?? 1
                sum += Double(w) * Double(d) * Double(d)
                grad[i] += gscale * w * d
            }
        }
        return sum / norm
    }
}
