/// Limited-memory BFGS (Nocedal 1980; Liu & Nocedal 1989) with a backtracking Armijo
/// line search: the default optimizer, as in Gatys et al. and neural-style.
///
/// Each iteration: the two-loop recursion turns the gradient into a quasi-Newton direction
/// `d = −H·g` from the last `historySize` pairs `s = Δx`, `y = Δg`, with the initial Hessian
/// scaled by `γ = sᵀy / yᵀy`. A pair is skipped when `sᵀy ≤ 1e-10·yᵀy` (curvature not
/// positive enough to keep H positive definite). If `d` is not a descent direction the
/// history is cleared and `d = −g`.
///
/// Line search: yes, a backtracking one. It tries the step `t = 1` (on the first iteration,
/// `t = min(1, 1/‖g‖₁)` because there is no curvature yet and pixel gradients can be huge)
/// and accepts it when `f(x + t·d) ≤ f(x) + 1e-4·t·gᵀd` (Armijo), otherwise halves `t`.
/// Why: every evaluation is a full VGG forward + backward, the most expensive thing this
/// tool does. A full step is accepted on nearly every iteration, so the cost is about one
/// evaluation per iteration, like Torch's L-BFGS without line search that neural-style uses,
/// but the loss can never increase, which a fixed step does not guarantee early on.
/// A strong-Wolfe search would cost 1.2–2 evaluations per iteration for little gain here.
///
/// Memory: `2·historySize` vectors of `n` floats, so 126 MB at 512×512 for the default 20
/// (630 MB for neural-style's 100). Gatys-type objectives converge as well with 10–20.
public struct LBFGS: Optimizer {
    public let historySize: Int
    /// At most this many evaluations in one line search before giving up on the iteration.
    public let maxLineSearchEvaluations: Int
    /// True once an iteration could not make progress (zero gradient, or no decrease found).
    public private(set) var converged = false

    private var s: [[Float]] = []
    private var y: [[Float]] = []
    private var rho: [Double] = []
    private var loss: Double?
    private var gradient: [Float] = []
    private var iteration = 0
    private var evaluations = 0

    public init(historySize: Int = 20, maxLineSearchEvaluations: Int = 20) {
        precondition(historySize >= 1)
        self.historySize = historySize
        self.maxLineSearchEvaluations = maxLineSearchEvaluations
    }

    public mutating func step(_ x: inout [Float], evaluate: LossAndGradient) throws -> OptimizerStep {
        iteration += 1
        if loss == nil {
            let (f, g) = try evaluate(x)
            evaluations += 1
            guard f.isFinite, VectorMath.isFinite(g) else { throw OptimizerError.nonFiniteLoss(iteration: iteration, loss: f) }
            loss = f; gradient = g
        }
        let f0 = loss!, g0 = gradient
        let gnorm1 = g0.reduce(0.0) { $0 + Double(abs($1)) }
        if gnorm1 == 0 || converged {
            converged = true
            return OptimizerStep(iteration: iteration, loss: f0, evaluations: evaluations)
        }

        var d = direction(g0)
        var slope = VectorMath.dot(g0, d)
        if !(slope < 0) {  // not a descent direction: restart from steepest descent
            s.removeAll(); y.removeAll(); rho.removeAll()
            d = g0.map { -$0 }
            slope = -VectorMath.dot(g0, g0)
        }
        var t: Float = s.isEmpty && iteration == 1 ? Float(min(1, 1 / gnorm1)) : 1
        var candidate = x
        var sawFinite = false
        var lastLoss = f0
        for _ in 0..<maxLineSearchEvaluations {
            for i in 0..<x.count { candidate[i] = x[i] + t * d[i] }
            let (f, g) = try evaluate(candidate)
            evaluations += 1
            if f.isFinite && VectorMath.isFinite(g) && f <= f0 + 1e-4 * Double(t) * slope {
                // Accept: update the curvature history with s = t·d, y = g − g0.
                var sk = [Float](repeating: 0, count: x.count), yk = sk
                for i in 0..<x.count { sk[i] = t * d[i]; yk[i] = g[i] - g0[i] }
                let sy = VectorMath.dot(sk, yk), yy = VectorMath.dot(yk, yk)
                if sy > 1e-10 * yy && yy > 0 {
                    if s.count == historySize { s.removeFirst(); y.removeFirst(); rho.removeFirst() }
                    s.append(sk); y.append(yk); rho.append(1 / sy)
                }
                x = candidate
                loss = f; gradient = g
                return OptimizerStep(iteration: iteration, loss: f, evaluations: evaluations)
            }
            if f.isFinite && VectorMath.isFinite(g) { sawFinite = true } else { lastLoss = f }
            t *= 0.5
        }
        // No acceptable step: x is unchanged. A non-finite loss at every point tried is an
        // error; otherwise we are at a (numerical) minimum along this direction.
        if !sawFinite { throw OptimizerError.nonFiniteLoss(iteration: iteration, loss: lastLoss) }
        converged = true
        return OptimizerStep(iteration: iteration, loss: f0, evaluations: evaluations)
    }

    /// Two-loop recursion: `−H·g`.
    private func direction(_ g: [Float]) -> [Float] {
        var q = g
        var alpha = [Double](repeating: 0, count: s.count)
        for i in stride(from: s.count - 1, through: 0, by: -1) {
            alpha[i] = rho[i] * VectorMath.dot(s[i], q)
            VectorMath.axpy(Float(-alpha[i]), y[i], &q)
        }
        if let ls = s.last, let ly = y.last {
            let gamma = Float(VectorMath.dot(ls, ly) / VectorMath.dot(ly, ly))
            for i in 0..<q.count { q[i] *= gamma }
        }
        for i in 0..<s.count {
            let beta = rho[i] * VectorMath.dot(y[i], q)
            VectorMath.axpy(Float(alpha[i] - beta), s[i], &q)
        }
        for i in 0..<q.count { q[i] = -q[i] }
        return q
    }
}
