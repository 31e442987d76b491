import Foundation

/// Adam (Kingma & Ba 2015) with bias correction: one evaluation per iteration.
///
/// The default learning rate is 10 because the variable lives on the 0..255 pixel scale
/// (mean-subtracted): Adam's step is about `learningRate` per value early on, so 10 moves
/// a pixel by a few intensity levels per iteration, the scale neural-style uses for Adam.
/// The loss reported for an iteration is the one at the point where its gradient was
/// taken, i.e. before the update.
public struct Adam: Optimizer {
    public let learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    private var m: [Float] = []
    private var v: [Float] = []
    private var iteration = 0
    private var evaluations = 0

    public init(learningRate: Float = 10, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
    }

    public mutating func step(_ x: inout [Float], evaluate: LossAndGradient) throws -> OptimizerStep {
        iteration += 1
        let (f, g) = try evaluate(x)
        evaluations += 1
        guard f.isFinite, VectorMath.isFinite(g) else { throw OptimizerError.nonFiniteLoss(iteration: iteration, loss: f) }
        if m.isEmpty { m = [Float](repeating: 0, count: x.count); v = m }
        let c1 = 1 - Float(pow(Double(beta1), Double(iteration)))
        let c2 = 1 - Float(pow(Double(beta2), Double(iteration)))
        let rate = learningRate * c2.squareRoot() / c1
        let eps = epsilon * c2.squareRoot()
        for i in 0..<x.count {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
            x[i] -= rate * m[i] / (v[i].squareRoot() + eps)
        }
        return OptimizerStep(iteration: iteration, loss: f, evaluations: evaluations)
    }
}
