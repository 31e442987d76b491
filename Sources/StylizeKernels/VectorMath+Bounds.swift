/// Fused passes for optimizers with element-wise bounds `lower[i] ≤ x[i] ≤ upper[i]`.
/// `lower` and `upper` are both given or both nil (unbounded); `x` is assumed feasible
/// except in `clamp`. A variable is *at its lower bound* when `x[i] ≤ lower[i]`.
extension VectorMath {
    /// `x[i] = min(max(x[i], lower[i]), upper[i])`.
    public static func clamp(_ x: UnsafeMutablePointer<Float>, lower: UnsafePointer<Float>,
                             upper: UnsafePointer<Float>, count n: Int) {
        for i in 0..<n { x[i] = min(max(x[i], lower[i]), upper[i]) }
    }

    /// `‖P(x − g) − x‖∞`, the projected-gradient norm of L-BFGS-B: 0 exactly at a
    /// first-order (KKT) point of the box-constrained problem; `‖g‖∞` without bounds.
    public static func projectedGradientNorm(
        x: UnsafePointer<Float>, g: UnsafePointer<Float>,
        lower: UnsafePointer<Float>?, upper: UnsafePointer<Float>?, count n: Int
    ) -> Double {
        guard let lo = lower, let hi = upper else { return maxAbs(g, count: n) }
        var m: Float = 0
        for i in 0..<n {
            let gi = g[i]
            var v = abs(gi)
            if gi > 0 { v = min(v, x[i] - lo[i]) } else if gi < 0 { v = min(v, hi[i] - x[i]) }
            m = max(m, v)
        }
        return Double(m)
    }

    /// Is variable `i` held by the active set: at a bound with the gradient pointing out of
    /// the box (so that descent, `−g`, would leave it)?
    @inline(__always)
    static func isActive(_ x: Float, _ g: Float, _ lo: Float, _ hi: Float) -> Bool {
        (x <= lo && g > 0) || (x >= hi && g < 0)
    }

    /// `q = g` with the active-set components set to 0; returns `‖q‖∞`.
    public static func freeGradient(
        x: UnsafePointer<Float>, g: UnsafePointer<Float>,
        lower: UnsafePointer<Float>?, upper: UnsafePointer<Float>?,
        into q: UnsafeMutablePointer<Float>, count n: Int
    ) -> Double {
        guard let lo = lower, let hi = upper else {
            q.update(from: g, count: n)
            return maxAbs(g, count: n)
        }
        var m: Float = 0
        for i in 0..<n {
            let v = isActive(x[i], g[i], lo[i], hi[i]) ? 0 : g[i]
            q[i] = v
            m = max(m, abs(v))
        }
        return Double(m)
    }

    /// Turns `d` into a feasible search direction and returns the slope `gᵀd`: negates it
    /// when `negate` (the two-loop recursion yields `H·q`), then zeroes the components of
    /// active variables and those that would leave the box at once (`x[i]` at a bound and
    /// `d[i]` pointing out). With those gone, `P(x + t·d) = x + t·d` for small `t > 0`, so
    /// a negative slope is a true descent along the projected path.
    public static func restrictDirection(
        _ d: UnsafeMutablePointer<Float>, negate: Bool,
        x: UnsafePointer<Float>, g: UnsafePointer<Float>,
        lower: UnsafePointer<Float>?, upper: UnsafePointer<Float>?, count n: Int
    ) -> Double {
        let sign: Float = negate ? -1 : 1
        var slope = 0.0
        guard let lo = lower, let hi = upper else {
            for i in 0..<n {
                let v = sign * d[i]
                d[i] = v
                slope += Double(g[i]) * Double(v)
            }
            return slope
        }
        for i in 0..<n {
            let xi = x[i], gi = g[i], l = lo[i], u = hi[i]
            var v = sign * d[i]
            if isActive(xi, gi, l, u) || (xi <= l && v < 0) || (xi >= u && v > 0) { v = 0 }
            d[i] = v
            slope += Double(gi) * Double(v)
        }
        return slope
    }

    /// A point on the projected path: `xt = P(x + t·d)`. Returns `gᵀ(xt − x)` (the
    /// first-order change of f along the actual step, for the Armijo test) and whether
    /// any component of `xt` differs from `x` (in Float, a small enough `t` moves nothing).
    public static func projectedPoint(
        x: UnsafePointer<Float>, d: UnsafePointer<Float>, t: Float,
        lower: UnsafePointer<Float>?, upper: UnsafePointer<Float>?,
        g: UnsafePointer<Float>, into xt: UnsafeMutablePointer<Float>, count n: Int
    ) -> (gTimesStep: Double, moved: Bool) {
        var slope = 0.0
        var moved = false
        if let lo = lower, let hi = upper {
            for i in 0..<n {
                let xi = x[i], v = min(max(xi + t * d[i], lo[i]), hi[i])
                xt[i] = v
                moved = moved || v != xi
                slope += Double(g[i]) * (Double(v) - Double(xi))
            }
        } else {
            for i in 0..<n {
                let xi = x[i], v = xi + t * d[i]
                xt[i] = v
                moved = moved || v != xi
                slope += Double(g[i]) * (Double(v) - Double(xi))
            }
        }
        return (slope, moved)
    }
}

extension VectorMath {
    /// One fused Adam update: `saved = x`, then `m = β₁m + (1−β₁)g`, `v = β₂v + (1−β₂)g²`,
    /// `x −= rate·m / (√v + eps)`, clamped into the bounds when given.
    public static func adamUpdate(
        x: UnsafeMutablePointer<Float>, saved: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>,
        m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
        beta1: Float, beta2: Float, rate: Float, eps: Float,
        lower: UnsafePointer<Float>?, upper: UnsafePointer<Float>?, count n: Int
    ) {
        for i in 0..<n {
            let gi = g[i], xi = x[i]
            saved[i] = xi
            let mi = beta1 * m[i] + (1 - beta1) * gi
            let vi = beta2 * v[i] + (1 - beta2) * gi * gi
            m[i] = mi; v[i] = vi
            x[i] = xi - rate * mi / (vi.squareRoot() + eps)
        }
        if let lower, let upper { clamp(x, lower: lower, upper: upper, count: n) }
    }
}

extension VectorMath {
    /// An L-BFGS curvature pair `s = xNew − xOld`, `y = gNew − gOld` in one pass, with
    /// `y[i] = 0` for every variable that did not move and sits at a bound in `xNew`
    /// (held by the active set or stopped by the box). The pair then describes the
    /// Hessian on the free variables, `Zᵀ∇²f·Z·s`, instead of mixing in the gradient
    /// change of fixed ones, which would shrink γ and bend the direction for nothing.
    /// Stores `s` and `y` when the outputs are given; returns `(sᵀy, yᵀy, sᵀs)` in Double.
    public static func secantPair(
        xNew: UnsafePointer<Float>, xOld: UnsafePointer<Float>,
        gNew: UnsafePointer<Float>, gOld: UnsafePointer<Float>,
        lower: UnsafePointer<Float>?, upper: UnsafePointer<Float>?,
        s: UnsafeMutablePointer<Float>?, y: UnsafeMutablePointer<Float>?, count n: Int
    ) -> (sy: Double, yy: Double, ss: Double) {
        var sy = 0.0, yy = 0.0, ss = 0.0
        for i in 0..<n {
            let si = xNew[i] - xOld[i]
            var yi = gNew[i] - gOld[i]
            if si == 0, let lower, let upper, xNew[i] <= lower[i] || xNew[i] >= upper[i] { yi = 0 }
            if let s, let y { s[i] = si; y[i] = yi }
            let ds = Double(si), dy = Double(yi)
            sy += ds * dy; yy += dy * dy; ss += ds * ds
        }
        return (sy, yy, ss)
    }
}
