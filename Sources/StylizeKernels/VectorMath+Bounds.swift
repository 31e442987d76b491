/// Fused passes for optimizers with element-wise bounds `lower[i] ≤ x[i] ≤ upper[i]`.
/// `bounds` is nil for an unbounded problem; `x` is assumed feasible except in `clamp`.
/// A variable is *at its lower bound* when `x[i] ≤ lower[i]`. The definitions are those of
/// `VectorOperations` in StylizeKit, which documents what each is for. Each pass runs its
/// blocks on `parallel`'s threads (`VectorMath+Blocks`: the same bits with any thread count).
extension VectorMath {
    public typealias Bounds = (lower: [Float], upper: [Float])

    /// `x[i] = min(max(x[i], lower[i]), upper[i])`.
    public static func clamp(_ x: inout [Float], lower: [Float], upper: [Float], parallel: Parallel = .serial) {
        precondition(lower.count == x.count && upper.count == x.count, "\(lower.count) bounds for \(x.count) values")
        lower.withUnsafeBufferPointer { lo in
            upper.withUnsafeBufferPointer { hi in
                x.withUnsafeMutableBufferPointer { px in
                    let x = px.baseAddress!, lo = lo.baseAddress!, hi = hi.baseAddress!
                    forEachSlice(px.count, parallel: parallel) { r in
                        clamp(x + r.lowerBound, lower: lo + r.lowerBound, upper: hi + r.lowerBound, count: r.count)
                    }
                }
            }
        }
    }

    static func clamp(_ x: UnsafeMutablePointer<Float>, lower: UnsafePointer<Float>,
                      upper: UnsafePointer<Float>, count n: Int) {
        for i in 0..<n { x[i] = min(max(x[i], lower[i]), upper[i]) }
    }

    /// `‖P(x − g) − x‖∞`; `‖g‖∞` without bounds.
    public static func projectedGradientNorm(x: [Float], g: [Float], bounds: Bounds?, parallel: Parallel = .serial) -> Double {
        withPointers(x, g, bounds) { x, g, lo, hi, n in
            blockResults(n, 1, parallel: parallel) { r, out in
                guard let lo, let hi else { out[0] = maxAbs(g + r.lowerBound, count: r.count); return }
                var m: Float = 0
                for i in r {
                    let gi = g[i]
                    var v = abs(gi)
                    if gi > 0 { v = min(v, x[i] - lo[i]) } else if gi < 0 { v = min(v, hi[i] - x[i]) }
                    m = max(m, v)
                }
                out[0] = Double(m)
            }.reduce(0) { max($0, $1) }
        }
    }

    /// Is variable `i` held by the active set: at a bound with the gradient pointing out of
    /// the box (so that descent, `−g`, would leave it)?
    @inline(__always)
    static func isActive(_ x: Float, _ g: Float, _ lo: Float, _ hi: Float) -> Bool {
        (x <= lo && g > 0) || (x >= hi && g < 0)
    }

    /// `q = g` with the active-set components set to 0.
    public static func freeGradient(x: [Float], g: [Float], bounds: Bounds?, into q: inout [Float], parallel: Parallel = .serial) {
        precondition(q.count == x.count, "free gradient of \(x.count) values into \(q.count)")
        q.withUnsafeMutableBufferPointer { pq in
            let q = pq.baseAddress!
            withPointers(x, g, bounds) { x, g, lo, hi, n in
                forEachSlice(n, parallel: parallel) { r in
                    guard let lo, let hi else { (q + r.lowerBound).update(from: g + r.lowerBound, count: r.count); return }
                    for i in r { q[i] = isActive(x[i], g[i], lo[i], hi[i]) ? 0 : g[i] }
                }
            }
        }
    }

    /// Negates `d` when `negate`, zeroes the components of active variables and those that
    /// would leave the box at once (`x[i]` at a bound and `d[i]` pointing out); returns the
    /// slope `gᵀd` of the result (summed by blocks, `VectorMath+Blocks`).
    public static func restrictDirection(_ d: inout [Float], negate: Bool, x: [Float], g: [Float],
                                         bounds: Bounds?, parallel: Parallel = .serial) -> Double {
        precondition(d.count == x.count, "direction of \(d.count) values for \(x.count) variables")
        let sign: Float = negate ? -1 : 1
        return d.withUnsafeMutableBufferPointer { pd in
            let d = pd.baseAddress!
            return withPointers(x, g, bounds) { x, g, lo, hi, n in
                blockSums(n, 1, parallel: parallel) { r, out in
                    var slope = 0.0
                    if let lo, let hi {
                        for i in r {
                            let xi = x[i], gi = g[i], l = lo[i], u = hi[i]
                            var v = sign * d[i]
                            if isActive(xi, gi, l, u) || (xi <= l && v < 0) || (xi >= u && v > 0) { v = 0 }
                            d[i] = v
                            slope += Double(gi) * Double(v)
                        }
                    } else {
                        for i in r {
                            let v = sign * d[i]
                            d[i] = v
                            slope += Double(g[i]) * Double(v)
                        }
                    }
                    out[0] = slope
                }[0]
            }
        }
    }

    /// `xt = P(x + t·d)`; returns `gᵀ(xt − x)` (summed by blocks) and whether any
    /// component of `xt` differs from `x`.
    public static func projectedPoint(x: [Float], d: [Float], t: Float, bounds: Bounds?, g: [Float],
                                      into xt: inout [Float], parallel: Parallel = .serial) -> (gTimesStep: Double, moved: Bool) {
        precondition(d.count == x.count && xt.count == x.count, "projected point: vectors of different sizes")
        return d.withUnsafeBufferPointer { pd in
            xt.withUnsafeMutableBufferPointer { pt in
                let d = pd.baseAddress!, xt = pt.baseAddress!
                return withPointers(x, g, bounds) { x, g, lo, hi, n in
                  let sums = blockSums(n, 2, parallel: parallel) { r, out in
                    var slope = 0.0
                    var moved = false
                    if let lo, let hi {
                        for i in r {
                            let xi = x[i], v = min(max(xi + t * d[i], lo[i]), hi[i])
                            xt[i] = v
                            moved = moved || v != xi
                            slope += Double(g[i]) * (Double(v) - Double(xi))
                        }
                    } else {
                        for i in r {
                            let xi = x[i], v = xi + t * d[i]
                            xt[i] = v
                            moved = moved || v != xi
                            slope += Double(g[i]) * (Double(v) - Double(xi))
                        }
                    }
                    out[0] = slope; out[1] = moved ? 1 : 0
                  }
                  return (sums[0], sums[1] > 0)
                }
            }
        }
    }

    /// The products `(sᵀy, yᵀy, sᵀs)` (Double, summed by blocks) of the curvature pair
    /// `s = xNew − xOld`, `y = gNew − gOld` with `y[i] = 0` for every variable that did not
    /// move and sits at a bound in `xNew`, without storing it.
    public static func secantProducts(xNew: [Float], xOld: [Float], gNew: [Float], gOld: [Float],
                                      bounds: Bounds?, parallel: Parallel = .serial) -> (sy: Double, yy: Double, ss: Double) {
        secantPair(xNew: xNew, xOld: xOld, gNew: gNew, gOld: gOld, bounds: bounds, s: nil, y: nil, parallel: parallel)
    }

    /// The same pair, stored into `s` and `y`; returns the same products.
    public static func secantPair(xNew: [Float], xOld: [Float], gNew: [Float], gOld: [Float], bounds: Bounds?,
                                  s: inout [Float], y: inout [Float], parallel: Parallel = .serial) -> (sy: Double, yy: Double, ss: Double) {
        precondition(s.count == xNew.count && y.count == xNew.count, "secant pair: vectors of different sizes")
        return s.withUnsafeMutableBufferPointer { ps in
            y.withUnsafeMutableBufferPointer { py in
                secantPair(xNew: xNew, xOld: xOld, gNew: gNew, gOld: gOld, bounds: bounds,
                           s: ps.baseAddress!, y: py.baseAddress!, parallel: parallel)
            }
        }
    }

    static func secantPair(xNew: [Float], xOld: [Float], gNew: [Float], gOld: [Float], bounds: Bounds?,
                           s: UnsafeMutablePointer<Float>?, y: UnsafeMutablePointer<Float>?,
                           parallel: Parallel) -> (sy: Double, yy: Double, ss: Double) {
        precondition(xOld.count == xNew.count && gNew.count == xNew.count && gOld.count == xNew.count,
                     "secant pair: vectors of different sizes")
        return xOld.withUnsafeBufferPointer { pxo in
            gOld.withUnsafeBufferPointer { pgo in
                withPointers(xNew, gNew, bounds) { xNew, gNew, lower, upper, n in
                    let xOld = pxo.baseAddress!, gOld = pgo.baseAddress!
                    let sums = blockSums(n, 3, parallel: parallel) { r, out in
                        var sy = 0.0, yy = 0.0, ss = 0.0
                        for i in r {
                            let si = xNew[i] - xOld[i]
                            var yi = gNew[i] - gOld[i]
                            if si == 0, let lower, let upper, xNew[i] <= lower[i] || xNew[i] >= upper[i] { yi = 0 }
                            if let s, let y { s[i] = si; y[i] = yi }
                            let ds = Double(si), dy = Double(yi)
                            sy += ds * dy; yy += dy * dy; ss += ds * ds
                        }
                        out[0] = sy; out[1] = yy; out[2] = ss
                    }
                    return (sums[0], sums[1], sums[2])
                }
            }
        }
    }

    /// One fused Adam update: `saved = x`, then `m = β₁m + (1−β₁)g`, `v = β₂v + (1−β₂)g²`,
    /// `x −= rate·m / (√v + eps)`, clamped into the bounds when given.
    public static func adamUpdate(x: inout [Float], saved: inout [Float], g: [Float], m: inout [Float], v: inout [Float],
                                  beta1: Float, beta2: Float, rate: Float, eps: Float, bounds: Bounds?) {
        let n = x.count
        precondition(saved.count == n && g.count == n && m.count == n && v.count == n, "Adam: vectors of different sizes")
        x.withUnsafeMutableBufferPointer { px in
            saved.withUnsafeMutableBufferPointer { ps in
                m.withUnsafeMutableBufferPointer { pm in
                    v.withUnsafeMutableBufferPointer { pv in
                        g.withUnsafeBufferPointer { pg in
                            let x = px.baseAddress!, saved = ps.baseAddress!, g = pg.baseAddress!
                            let m = pm.baseAddress!, v = pv.baseAddress!
                            for i in 0..<n {
                                let gi = g[i], xi = x[i]
                                saved[i] = xi
                                let mi = beta1 * m[i] + (1 - beta1) * gi
                                let vi = beta2 * v[i] + (1 - beta2) * gi * gi
                                m[i] = mi; v[i] = vi
                                x[i] = xi - rate * mi / (vi.squareRoot() + eps)
                            }
                        }
                    }
                }
            }
        }
        if let bounds { clamp(&x, lower: bounds.lower, upper: bounds.upper) }
    }

    /// Calls `body` with pointers to `x`, `g` and the bounds (nil without), and their count.
    static func withPointers<R>(
        _ x: [Float], _ g: [Float], _ bounds: Bounds?,
        _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>?, UnsafePointer<Float>?, Int) -> R
    ) -> R {
        precondition(g.count == x.count, "\(g.count) gradient values for \(x.count) variables")
        precondition(bounds.map { $0.lower.count == x.count && $0.upper.count == x.count } ?? true,
                     "bounds do not match the \(x.count) variables")
        return x.withUnsafeBufferPointer { px in
            g.withUnsafeBufferPointer { pg in
                guard let bounds else { return body(px.baseAddress!, pg.baseAddress!, nil, nil, px.count) }
                return bounds.lower.withUnsafeBufferPointer { lo in
                    bounds.upper.withUnsafeBufferPointer { hi in
                        body(px.baseAddress!, pg.baseAddress!, lo.baseAddress!, hi.baseAddress!, px.count)
                    }
                }
            }
        }
    }
}
