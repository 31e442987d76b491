import Foundation
/// Limited-memory BFGS with optional box constraints, in the manner of L-BFGS-B (Byrd, Lu,
/// Nocedal & Zhu 1995) but with a projected line search instead of its Cauchy point and
/// subspace minimization: the default optimizer, as in Gatys et al. and neural-style.
/// Without a `Box` it is plain L-BFGS (Nocedal 1980; Liu & Nocedal 1989).
///
/// Each iteration, at a feasible `x` with gradient `g`:
/// 1. **Active set.** Variables at a bound whose gradient points out of the box are held
///    fixed: their gradient component is zeroed before the two-loop recursion and their
///    direction component after it (so is any component that would leave the box at once).
/// 2. **Direction.** `d = −H·q` by the two-loop recursion over the last `historySize`
///    pairs, initial inverse Hessian `γ·I` with `γ = sᵀy / yᵀy` of the newest pair (or
///    `γ·M` with a `preconditioner`, see there). If `d` is not a descent direction, the
///    history is cleared and `d = −q` (`−M·q`), the projected steepest descent.
/// 3. **Line search** along the projected path `x(t) = P(x + t·d)`: backtracking (halving
///    `t`) until `f(x(t)) ≤ f(x) + c₁·gᵀ(x(t) − x)` with `c₁ = 1e-4` and `gᵀ(x(t) − x) < 0`.
///    It tries `t = 1` first; with no history (first iteration, after a reset) it tries
///    `t = initialStep / ‖d‖∞` instead. A full step is accepted on nearly every iteration,
///    so an iteration costs about one evaluation (each is a VGG forward + backward), like
///    Torch's L-BFGS without line search that neural-style uses, but the loss cannot
///    increase. If the search fails with history, the history is cleared and the search
///    retried once from the projected steepest descent; if that fails too the optimizer
///    stops with `StopReason.lineSearchFailed`.
/// 4. **Step scale** (with `stepScaling` > 0): after a unit step accepted at once, the slope
///    left along `d` there, `r = g₊ᵀd / gᵀd`, says where the line's minimum lies in a quadratic
///    model, `t* = 1 / (1 − r)`; the scale of the next directions' initial inverse Hessian is
///    multiplied by `t*^stepScaling` (see there).
/// 5. **Curvature pair** from the step actually taken, `s = x₊ − x`, `y = g₊ − g`, kept
///    when `sᵀy > curvatureTolerance·‖s‖·‖y‖` (see there).
/// 6. **Stop** with `StopReason.converged` when `‖P(x − g) − x‖∞ ≤ gradientTolerance` or
///    `(f − f₊) / max(|f|, |f₊|, 1) ≤ relativeDecreaseTolerance`.
///
/// `x` is projected onto the box before the first evaluation and every evaluated point
/// lies in the box. Between steps, `x` must be left as the optimizer returned it (the
/// gradient there is cached).
///
/// Memory: `2·historySize` vectors of `n` floats, allocated once on the first step (63 MB
/// at 512×512 for 10 pairs, 630 MB for neural-style's 100), plus two work vectors; no
/// `n`-sized allocation per iteration. All of them are `vectors`' engine vectors, and every
/// pass over them is one `VectorOperations` call (whose documentation defines it), so a GPU
/// engine keeps the whole state on the device.
public struct LBFGS<Vectors: VectorOperations, Info>: Optimizer {
    public typealias Vector = Vectors.Vector
    /// Curvature pairs kept. The caller chooses: style transfer uses
    /// `RunSettings.historySize` (10, see there).
    public let historySize: Int
    /// Bounds on `x`; nil for an unconstrained problem.
    public let box: Box?
    /// At most this many evaluations per line search (20: a step is then halved to ~1e-6
    /// of its first trial, far below what changes a Float pixel in a useful way).
    public let maxLineSearchEvaluations: Int
    /// `pgtol` of L-BFGS-B (same default as SciPy's, 1e-5): converged when no variable's
    /// projected-gradient component exceeds this, in loss units per unit of `x`. It is
    /// absolute, so it is for problems of known scale; style losses have pixel gradients
    /// far above it and stop through `relativeDecreaseTolerance` instead.
    public let gradientTolerance: Double
    /// `factr·ε` of L-BFGS-B with SciPy's default `factr = 1e7` (≈ 2.2e-9, "moderate
    /// accuracy"): converged when an iteration lowers the loss by at most this fraction of
    /// `max(|f|, |f₊|, 1)`. A style loss computed from Float activations is only good to
    /// ~1e-7 relative, so a decrease this small is below its noise and progress has
    /// stalled. On a problem whose loss is large compared with `f − f*` it stops early (the
    /// KKT test quadratic: at an error of ~4e-3), so pass 0 to rely on `gradientTolerance` alone.
    public let relativeDecreaseTolerance: Double
    /// The largest change of any variable on the first trial step when there is no
    /// curvature history: `t = initialStep / ‖d‖∞`. Default 1, one intensity level for
    /// pixel variables. Scaling by `‖d‖∞` rather than `t = min(1, 1/‖g‖)` makes the first
    /// step independent of the loss scale: a huge gradient does not throw pixels across the
    /// range and a tiny one does not give a step below Float resolution (a pixel near 100
    /// moves only in steps of 7.6e-6) that changes nothing and yields a useless pair.
    public let initialStep: Float
    /// A pair is kept only when `sᵀy > ε·‖s‖·‖y‖` (`ε` = this, default 1e-3), i.e. the
    /// cosine between `s` and `y` exceeds `ε`. That is `sᵀy > ε'·yᵀy` with `ε' = ε·‖s‖/‖y‖`,
    /// so `γ = sᵀy / yᵀy > ε·‖s‖/‖y‖`: γ stays within a factor 1000 of the secant scale of
    /// its own step, whatever the loss scale (a fixed `sᵀy > c·yᵀy` lets γ collapse to `c`
    /// and the next steps vanish). Convex quadratics of condition number up to ~4e6 always
    /// pass (`cos ≥ 2√κ / (1 + κ)`).
    public let curvatureTolerance: Double
    /// The operations on `x`, the gradients and the optimizer's own vectors.
    public let vectors: Vectors
    /// How fast the initial inverse Hessian's scale follows the unit steps' shortfall: 0 (the
    /// default) keeps `γ` of the newest pair as it is; with `k > 0` it is `σ·γ`, and after each
    /// unit step accepted at the first trial `σ` is multiplied by `t*^k`, `t*` the line's
    /// minimum in a quadratic model (see step 4 above; each factor within 1/2…2, `σ` within
    /// 1/16…16, and `σ` starts at 1). Why: `γ = sᵀy / yᵀMy` is the shorter of the two secant
    /// scales, and with a few curvature pairs among hundreds of thousands of pixels most of
    /// each direction comes from `γ·M`. In style transfer the loss still fell along `d` at
    /// the unit step on nearly every iteration (`r` 0.11–0.28 on average, so `t*` ≈ 1.1–1.4),
    /// and `σ` settles near 1.5–2 (docs/EXPERIMENTS.md, *The initial inverse Hessian's
    /// scale*). Costs one dot product an iteration.
    public var stepScaling: Double = 0

    var current: Evaluation<Vector, Info>?
    var iteration = 0
    var evaluations = 0
    var stopped: OptimizerStep<Info>?
    var n = 0
    /// `box` as `vectors`' engine vectors (set on the first step).
    var bounds: Bounds<Vector>?
    /// Ring buffer of pairs: slot k is `(sHistory[k], yHistory[k])`; `head` is the next slot.
    var sHistory: [Vector] = []
    var yHistory: [Vector] = []
    var rho: [Double] = []
    var alpha: [Double] = []
    var head = 0
    var stored = 0
    var gamma = 1.0
    /// `σ` of `stepScaling`: the factor on `γ` in the two-loop recursion.
    var gammaScale = 1.0
    /// `g₊ᵀd / gᵀd` of the last accepted step when it was a unit step with history, else NaN.
    var slopeRatio = Double.nan
    /// The largest change of a variable tried first by the next step without history:
    /// `initialStep` at first, then 4× the last such step when it was accepted without
    /// backtracking, or the accepted step when it needed backtracking. Where the
    /// objective has negative curvature along the descent path (a style loss near its
    /// noise start: `sᵀy < 0`, so no pair can be kept), this lets steepest descent speed up
    /// geometrically instead of crawling one intensity level per iteration.
    var steepestMove: Float = 1
    /// Search direction (the two-loop recursion works in place here); nil before the first step.
    var direction: Vector?
    /// The line search's trial point; swapped with `x` when accepted.
    var trial: Vector?
    /// `v ← M·v` for a fixed symmetric positive definite `M`, or nil for `M = I`: the
    /// initial inverse Hessian of the two-loop recursion is then `γ·M` with
    /// `γ = sᵀy / yᵀMy` of the newest pair, and the steepest-descent direction (no history)
    /// is `−M·q` (for images, `SmoothingPreconditioner`).
    public var preconditioner: ((inout Vector) -> Void)?
    /// `M·y` of the newest pair, for γ (allocated with a preconditioner only).
    var preconditioned: Vector?

    public init(historySize: Int, box: Box? = nil, maxLineSearchEvaluations: Int = 20,
                gradientTolerance: Double = 1e-5, relativeDecreaseTolerance: Double = 1e7 * Double.ulpOfOne,
                initialStep: Float = 1, curvatureTolerance: Double = 1e-3, vectors: Vectors) {
        precondition(historySize >= 1 && maxLineSearchEvaluations >= 1 && initialStep > 0)
        self.historySize = historySize
        self.box = box
        self.maxLineSearchEvaluations = maxLineSearchEvaluations
        self.gradientTolerance = gradientTolerance
        self.relativeDecreaseTolerance = relativeDecreaseTolerance
        self.initialStep = initialStep
        self.curvatureTolerance = curvatureTolerance
        self.vectors = vectors
        self.steepestMove = initialStep
    }

    // MARK: - One iteration

    public mutating func step(_ x: inout Vector, evaluate: LossFunction<Vector, Info>) throws -> OptimizerStep<Info> {
        if let stopped { return stopped }
        iteration += 1
        if current == nil {
            let count = vectors.count(x)
            precondition(count > 0 && (box == nil || box!.count == count), "LBFGS: box of \(box?.count ?? 0) bounds for \(count) variables")
            if n != count { allocate(count) }
            if let bounds { vectors.clamp(&x, to: bounds) }
            let e = try evaluate(x)
            evaluations += 1
            try OptimizerError.check(e, iteration: iteration, vectors: vectors)
            current = e
            if projectedGradientNorm(x) <= gradientTolerance { return finish(.converged) }
        }
        precondition(vectors.count(x) == n, "LBFGS: x changed size from \(n) to \(vectors.count(x))")
        let f0 = current!.loss

        var steepest = stored == 0
        var search = try lineSearch(from: x, evaluate: evaluate)
        if case .accepted = search {} else if stored > 0 {  // retry once without the history
            stored = 0; head = 0
            steepest = true
            search = try lineSearch(from: x, evaluate: evaluate)
        }
        guard case .accepted(let e, let move, let firstTrial) = search else {
            if case .allNonFinite(let loss) = search { throw OptimizerError.nonFiniteLoss(iteration: iteration, loss: loss) }
            return finish(.lineSearchFailed)
        }
        if steepest {  // grow the next history-less step while full steps keep being accepted
            steepestMove = Float(firstTrial ? 4 * move : move)
        } else if stepScaling > 0 && firstTrial && slopeRatio.isFinite {
            let lineMinimum = 1 / (1 - min(slopeRatio, 0.5))  // within 1/2 … 2 for r in −1 … 0.5
            gammaScale = min(16, max(1.0 / 16, gammaScale * pow(max(0.5, lineMinimum), stepScaling)))
        }
        remember(from: x, to: trial!, gradient: e.gradient)
        swap(&x, &trial!)
        current = e
        let decrease = (f0 - e.loss) / max(abs(f0), abs(e.loss), 1)
        if decrease <= relativeDecreaseTolerance || projectedGradientNorm(x) <= gradientTolerance {
            return finish(.converged)
        }
        return OptimizerStep(iteration: iteration, evaluations: evaluations, loss: e.loss, info: e.info)
    }

    /// The step for the current point with `reason`; every later `step` call returns it.
    mutating func finish(_ reason: StopReason) -> OptimizerStep<Info> {
        let s = OptimizerStep(iteration: iteration, evaluations: evaluations,
                              loss: current!.loss, info: current!.info, stop: reason)
        stopped = s
        return s
    }

    mutating func allocate(_ count: Int) {
        n = count
        bounds = vectors.bounds(box)
        sHistory = (0..<historySize).map { _ in vectors.zeros(n) }
        yHistory = (0..<historySize).map { _ in vectors.zeros(n) }
        rho = [Double](repeating: 0, count: historySize)
        alpha = rho
        direction = vectors.zeros(n)
        trial = vectors.zeros(n)
        head = 0; stored = 0
    }

    func projectedGradientNorm(_ x: Vector) -> Double {
        vectors.projectedGradientNorm(x: x, g: current!.gradient, bounds: bounds)
    }

    // MARK: - Direction and line search

    enum SearchResult {
        /// `move`: the accepted step's largest change of a variable; `firstTrial`: no backtracking.
        case accepted(Evaluation<Vector, Info>, move: Double, firstTrial: Bool)
        /// No trial point met the sufficient-decrease condition (some were finite, or the
        /// step fell below Float resolution before any evaluation).
        case failed
        /// Every trial point had a non-finite loss or gradient; the last such loss.
        case allNonFinite(loss: Double)
    }

    /// Armijo's `c₁`, the usual 1e-4 (Nocedal & Wright): almost any decrease is enough.
    static var sufficientDecrease: Double { 1e-4 }

    /// Computes the search direction at `x` into `direction` and searches along the
    /// projected path; on success the accepted point is in `trial`.
    mutating func lineSearch(from x: Vector, evaluate: LossFunction<Vector, Info>) throws -> SearchResult {
        // Work on local copies of the buffers (moved out and back, not copied), so that the
        // passes below can read the rest of `self` while writing them.
        var d = direction.take()!, xt = trial.take()!, a: [Double] = []
        swap(&a, &alpha)
        defer { direction = d; trial = xt; swap(&a, &alpha) }
        let g = current!.gradient, f0 = current!.loss

        // Direction: −H·q on the free variables, or the projected steepest descent.
        var (slope, largest) = freeDirection(x: x, g: g, into: &d, alpha: &a, useHistory: true)
        if !(slope < 0) && stored > 0 {  // not a descent direction: forget the history
            stored = 0; head = 0
            (slope, largest) = freeDirection(x: x, g: g, into: &d, alpha: &a, useHistory: false)
        }
        guard slope < 0, largest > 0 else { return .failed }

        // Backtracking along P(x + t·d).
        var t = stored > 0 ? Float(1) : Float(min(Double(steepestMove) / largest, Double(Float.greatestFiniteMagnitude)))
        var tried = 0, sawFinite = false, lastBad = Double.nan
        while tried < maxLineSearchEvaluations {
            let (gStep, moved) = vectors.projectedPoint(x: x, d: d, t: t, bounds: bounds, g: g, into: &xt)
            if !moved { break }          // the step no longer changes any Float: give up
            if !(gStep < 0) { t *= 0.5; continue }  // projection spoiled descent: shorter
            let e = try evaluate(xt)
            tried += 1
            evaluations += 1
            if e.loss.isFinite && vectors.isFinite(e.gradient) {
                sawFinite = true
                if e.loss <= f0 + Self.sufficientDecrease * gStep {
                    slopeRatio = stepScaling > 0 && stored > 0 && t == 1 ? vectors.dot(e.gradient, d) / gStep : .nan
                    return .accepted(e, move: Double(t) * largest, firstTrial: tried == 1)
                }
            } else {
                lastBad = e.loss
            }
            t *= 0.5
        }
        return sawFinite || tried == 0 ? .failed : .allNonFinite(loss: lastBad)
    }

    /// `d` = the restricted direction: `−H·q` from the free gradient `q` when `useHistory`
    /// and pairs are stored, else `−q` (projected steepest descent). Returns the slope `gᵀd`
    /// and `‖d‖∞`.
    func freeDirection(x: Vector, g: Vector, into d: inout Vector, alpha: inout [Double],
                       useHistory: Bool) -> (Double, Double) {
        vectors.freeGradient(x: x, g: g, bounds: bounds, into: &d)
        if useHistory && stored > 0 { twoLoop(&d, alpha: &alpha) } else if let preconditioner { preconditioner(&d) }
        let slope = vectors.restrictDirection(&d, negate: true, x: x, g: g, bounds: bounds)
        return (slope, vectors.maxAbs(d))
    }
}
