/// The vector operations the optimizers use (`LBFGS`, `Adam`), on an engine's vectors.
///
/// An optimizer holds its state (L-BFGS' curvature history, Adam's moments, the trial point)
/// as `Vector`s and touches them only through these operations, so an engine decides where
/// they live: `CPUVectors` keeps `[Float]` arrays in main memory; a GPU engine's operations
/// would keep device buffers, and the whole optimization would stay on the device.
///
/// Every operation is one pass over its vectors (element-wise, plus a reduction where it
/// returns a number), which a GPU implements as one kernel. Vectors of one call have the
/// same count. Reductions are computed in Double.
///
/// Bounds (`Bounds`, nil for an unbounded problem): `lower[i] ≤ x[i] ≤ upper[i]`; `x` is
/// feasible on entry except in `clamp`. Variable `i` is *at its lower bound* when
/// `x[i] ≤ lower[i]`, at its upper bound when `x[i] ≥ upper[i]`, and *active* (held fixed
/// by the active set of a projected method) when it is at a bound with the gradient pointing
/// out of the box, `(x[i] ≤ lower[i] ∧ g[i] > 0) ∨ (x[i] ≥ upper[i] ∧ g[i] < 0)`, so that
/// descent, `−g`, would leave the box.
public protocol VectorOperations {
    associatedtype Vector

    // MARK: Moving values

    /// A vector holding `values`.
    func upload(_ values: [Float]) -> Vector
    /// The values of `x`.
    func download(_ x: Vector) -> [Float]
    /// `count` zeros.
    func zeros(_ count: Int) -> Vector
    /// The number of values in `x`.
    func count(_ x: Vector) -> Int
    /// `y = x`, into `y`'s own storage.
    func copy(_ x: Vector, into y: inout Vector)

    // MARK: Linear algebra

    /// `Σ x[i]·y[i]`.
    func dot(_ x: Vector, _ y: Vector) -> Double
    /// `y += alpha·x`.
    func axpy(_ alpha: Float, _ x: Vector, _ y: inout Vector)
    /// `x *= alpha`.
    func scale(_ alpha: Float, _ x: inout Vector)
    /// `max |x[i]|` (0 when empty).
    func maxAbs(_ x: Vector) -> Double
    /// True when no value is NaN or infinite.
    func isFinite(_ x: Vector) -> Bool

    // MARK: Bounds

    /// `x = P(x)`, the projection `x[i] = min(max(x[i], lower[i]), upper[i])`.
    func clamp(_ x: inout Vector, to bounds: Bounds<Vector>)
    /// `‖P(x − g) − x‖∞`, the projected-gradient norm of L-BFGS-B: 0 exactly at a
    /// first-order (KKT) point of the box-constrained problem; `‖g‖∞` without bounds.
    func projectedGradientNorm(x: Vector, g: Vector, bounds: Bounds<Vector>?) -> Double
    /// `q = g` with the components of active variables set to 0.
    func freeGradient(x: Vector, g: Vector, bounds: Bounds<Vector>?, into q: inout Vector)
    /// Turns `d` into a feasible search direction and returns the slope `gᵀd`: negates it
    /// when `negate`, then zeroes the components of active variables and those that would
    /// leave the box at once (`x[i]` at a bound and `d[i]` pointing out). With those gone,
    /// `P(x + t·d) = x + t·d` for small `t > 0`, so a negative slope is a true descent along
    /// the projected path.
    func restrictDirection(_ d: inout Vector, negate: Bool, x: Vector, g: Vector, bounds: Bounds<Vector>?) -> Double
    /// A point on the projected path, `xt = P(x + t·d)`. Returns `gᵀ(xt − x)` (the
    /// first-order change of f along the actual step, for the Armijo test) and whether any
    /// component of `xt` differs from `x` (in Float, a small enough `t` moves nothing).
    func projectedPoint(x: Vector, d: Vector, t: Float, bounds: Bounds<Vector>?, g: Vector,
                        into xt: inout Vector) -> (gTimesStep: Double, moved: Bool)
    /// The products `(sᵀy, yᵀy, sᵀs)` of the curvature pair `s = xNew − xOld`,
    /// `y = gNew − gOld`, where `y[i] = 0` for every variable that did not move (`s[i] = 0`)
    /// and sits at a bound in `xNew` (held by the active set or stopped by the box). The pair
    /// then describes the Hessian on the free variables, `Zᵀ∇²f·Z·s`, instead of mixing in
    /// the gradient change of fixed ones, which would shrink γ and bend the direction for nothing.
    func secantProducts(xNew: Vector, xOld: Vector, gNew: Vector, gOld: Vector,
                        bounds: Bounds<Vector>?) -> (sy: Double, yy: Double, ss: Double)
    /// The same pair stored into `s` and `y`; returns the same products.
    func secantPair(xNew: Vector, xOld: Vector, gNew: Vector, gOld: Vector, bounds: Bounds<Vector>?,
                    s: inout Vector, y: inout Vector) -> (sy: Double, yy: Double, ss: Double)
    /// One Adam update: `saved = x`, then `m = β₁m + (1−β₁)g`, `v = β₂v + (1−β₂)g²`,
    /// `x −= rate·m / (√v + eps)`, then `x = P(x)` when bounded.
    func adamUpdate(x: inout Vector, saved: inout Vector, g: Vector, m: inout Vector, v: inout Vector,
                    beta1: Float, beta2: Float, rate: Float, eps: Float, bounds: Bounds<Vector>?)
}

/// Element-wise bounds `lower[i] ≤ x[i] ≤ upper[i]` as an engine's vectors (`Box` uploaded
/// with `VectorOperations.bounds(_:)`).
public struct Bounds<Vector> {
    public let lower: Vector
    public let upper: Vector

    public init(lower: Vector, upper: Vector) {
        self.lower = lower; self.upper = upper
    }
}

extension VectorOperations {
    /// `box`'s bounds as this engine's vectors (nil for nil).
    public func bounds(_ box: Box?) -> Bounds<Vector>? {
        box.map { Bounds(lower: upload($0.lower), upper: upload($0.upper)) }
    }
}
