import Foundation

/// Adam (Kingma & Ba 2015) with bias correction: one evaluation per iteration.
///
/// The default learning rate is 10 because the variable lives on the 0..255 pixel scale
/// (mean-subtracted): Adam's step is about `learningRate` per value early on, so 10 moves
/// a pixel by a few intensity levels per iteration, the scale neural-style uses for Adam.
///
/// With a `Box`, `x` is projected onto it before the first evaluation and clamped into it
/// after every update (as crowsonkb/style-transfer-pytorch does), so every evaluated point
/// is feasible. Adam never reports a `StopReason`; it runs for as many steps as asked.
///
/// Its state (`m`, `v`, the last finite point) is three vectors of `vectors`' engine,
/// allocated on the first step.
public struct Adam<Vectors: VectorOperations, Info>: Optimizer {
    public typealias Vector = Vectors.Vector
    public let learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    /// Bounds on `x`; nil for an unconstrained problem.
    public let box: Box?
    /// The operations on `x`, the gradient and the state.
    public let vectors: Vectors
    private var bounds: Bounds<Vector>?
    private var m: Vector?
    private var v: Vector?
    /// The point of the last finite evaluation, restored on a non-finite one.
    private var lastFinite: Vector?
    private var hasFinite = false
    private var iteration = 0
    private var evaluations = 0

    public init(learningRate: Float = 10, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                box: Box? = nil, vectors: Vectors) {
        self.learningRate = learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.box = box
        self.vectors = vectors
    }

    /// Evaluates at `x` and moves `x` by one Adam update. The returned `loss` and `info`
    /// are those of the point where the gradient was taken, i.e. `x` *before* the update:
    /// Adam never evaluates the point it moves to until the next step.
    ///
    /// On a non-finite loss or gradient, `x` is restored to the point of the last finite
    /// evaluation (the previous step's starting point) and `OptimizerError.nonFiniteLoss`
    /// is thrown; if the very first evaluation fails, `x` stays the (projected) start.
    public mutating func step(_ x: inout Vector, evaluate: LossFunction<Vector, Info>) throws -> OptimizerStep<Info> {
        iteration += 1
        let n = vectors.count(x)
        if m == nil {
            precondition(n > 0 && (box == nil || box!.count == n), "Adam: box of \(box?.count ?? 0) bounds for \(n) variables")
            m = vectors.zeros(n); v = vectors.zeros(n); lastFinite = vectors.zeros(n)
            bounds = vectors.bounds(box)
            if let bounds { vectors.clamp(&x, to: bounds) }
        }
        precondition(n == vectors.count(m!), "Adam: x changed size from \(vectors.count(m!)) to \(n)")
        let e = try evaluate(x)
        evaluations += 1
        do {
            try OptimizerError.check(e, iteration: iteration, vectors: vectors)
        } catch {
            if hasFinite { vectors.copy(lastFinite!, into: &x) }
            throw error
        }
        let c1 = 1 - Float(pow(Double(beta1), Double(iteration)))
        let c2 = 1 - Float(pow(Double(beta2), Double(iteration)))
        let rate = learningRate * c2.squareRoot() / c1
        let eps = epsilon * c2.squareRoot()
        vectors.adamUpdate(x: &x, saved: &lastFinite!, g: e.gradient, m: &m!, v: &v!, beta1: beta1, beta2: beta2,
                           rate: rate, eps: eps, bounds: bounds)
        hasFinite = true
        return OptimizerStep(iteration: iteration, evaluations: evaluations, loss: e.loss, info: e.info)
    }
}
