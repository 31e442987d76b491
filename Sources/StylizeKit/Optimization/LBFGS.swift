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
///    pairs, initial inverse Hessian `γ·I` with `γ = sᵀy / yᵀy` of the newest pair. If
///    `d` is not a descent direction, the history is cleared and `d = −q`, the projected
///    steepest descent.
/// 3. **Line search** along the projected path `x(t) = P(x + t·d)`: backtracking (halving
///    `t`) until `f(x(t)) ≤ f(x) + c₁·gᵀ(x(t) − x)` with `c₁ = 1e-4` and `gᵀ(x(t) − x) < 0`.
///    It tries `t = 1` first; with no history (first iteration, after a reset) it tries
///    `t = initialStep / ‖d‖∞` instead. A full step is accepted on nearly every iteration,
///    so an iteration costs about one evaluation (each is a VGG forward + backward), like
///    Torch's L-BFGS without line search that neural-style uses, but the loss cannot
///    increase. If the search fails with history, the history is cleared and the search
///    retried once from the projected steepest descent; if that fails too the optimizer
///    stops with `StopReason.lineSearchFailed`.
/// 4. **Curvature pair** from the step actually taken, `s = x₊ − x`, `y = g₊ − g`, kept
///    when `sᵀy > curvatureTolerance·‖s‖·‖y‖` (see there).
/// 5. **Stop** with `StopReason.converged` when `‖P(x − g) − x‖∞ ≤ gradientTolerance` or
///    `(f − f₊) / max(|f|, |f₊|, 1) ≤ relativeDecreaseTolerance`.
///
/// `x` is projected onto the box before the first evaluation and every evaluated point
/// lies in the box. Between steps, `x` must be left as the optimizer returned it (the
/// gradient there is cached).
///
/// Memory: `2·historySize` vectors of `n` floats, allocated once on the first step (126 MB
/// at 512×512 for the default 20, 630 MB for neural-style's 100), plus two work vectors;
/// no `n`-sized allocation per iteration. Gatys-type objectives converge as well with 10–20.
public struct LBFGS<Info>: Optimizer {
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
    /// stalled; a 300-iteration run never gets there. On a problem whose loss is large
    /// compared with `f − f*` it stops early (the KKT test quadratic: at an error of ~4e-3),
    /// so pass 0 to rely on `gradientTolerance` alone.
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
    /// its own step, whatever the loss scale, where a fixed `sᵀy > 1e-10·yᵀy` let γ
    /// collapse to 1e-10 and the next steps vanish. Convex quadratics of condition number
    /// up to ~4e6 always pass (`cos ≥ 2√κ / (1 + κ)`).
    public let curvatureTolerance: Double

    var current: Evaluation<Info>?
    var iteration = 0
    var evaluations = 0
    var stopped: OptimizerStep<Info>?
    var n = 0
    // Ring buffer of pairs: slot k is `sStore[k·n ..< (k+1)·n]`; `head` is the next slot.
    var sStore: [Float] = []
    var yStore: [Float] = []
    var rho: [Double] = []
    var alpha: [Double] = []
    var head = 0
    var stored = 0
    var gamma = 1.0
    /// The largest change of a variable tried first by the next step without history:
    /// `initialStep` at first, then 4× the last such step when it was accepted without
    /// backtracking, or the accepted step when it needed backtracking. Where the
    /// objective has negative curvature along the descent path (a style loss near its
    /// noise start: `sᵀy < 0`, so no pair can be kept), this lets steepest descent speed up
    /// geometrically instead of crawling one intensity level per iteration.
    var steepestMove: Float = 1
    /// Search direction (the two-loop recursion works in place here).
    var direction: [Float] = []
    /// The line search's trial point; swapped with `x` when accepted.
    var trial: [Float] = []

    public init(historySize: Int = 20, box: Box? = nil, maxLineSearchEvaluations: Int = 20,
                gradientTolerance: Double = 1e-5, relativeDecreaseTolerance: Double = 1e7 * Double.ulpOfOne,
                initialStep: Float = 1, curvatureTolerance: Double = 1e-3) {
        precondition(historySize >= 1 && maxLineSearchEvaluations >= 1 && initialStep > 0)
        self.historySize = historySize
        self.box = box
        self.maxLineSearchEvaluations = maxLineSearchEvaluations
        self.gradientTolerance = gradientTolerance
        self.relativeDecreaseTolerance = relativeDecreaseTolerance
        self.initialStep = initialStep
        self.curvatureTolerance = curvatureTolerance
        self.steepestMove = initialStep
    }

    public mutating func step(_ x: inout [Float], evaluate: LossFunction<Info>) throws -> OptimizerStep<Info> {
        if let stopped { return stopped }
        iteration += 1
        if current == nil {
            precondition(!x.isEmpty && (box == nil || box!.count == x.count), "LBFGS: box of \(box?.count ?? 0) bounds for \(x.count) variables")
            if n != x.count { allocate(x.count) }
            box?.project(&x)
            let e = try evaluate(x)
            evaluations += 1
            try OptimizerError.check(e, iteration: iteration)
            current = e
            if projectedGradientNorm(x) <= gradientTolerance { return finish(.converged) }
        }
        precondition(x.count == n, "LBFGS: x changed size from \(n) to \(x.count)")
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
        }
        remember(from: x, to: trial, gradient: e.gradient)
        swap(&x, &trial)
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
        sStore = [Float](repeating: 0, count: historySize * n)
        yStore = sStore
        rho = [Double](repeating: 0, count: historySize)
        alpha = rho
        direction = [Float](repeating: 0, count: n)
        trial = direction
        head = 0; stored = 0
    }

    func projectedGradientNorm(_ x: [Float]) -> Double {
        Box.withBounds(box) { lo, hi in
            x.withUnsafeBufferPointer { px in
                current!.gradient.withUnsafeBufferPointer { pg in
                    VectorMath.projectedGradientNorm(x: px.baseAddress!, g: pg.baseAddress!, lower: lo, upper: hi, count: n)
                }
            }
        }
    }
}
