/// The function being minimized: the loss and its gradient at `x` (`gradient.count == x.count`).
/// It may throw (for example when a run is cancelled); optimizers rethrow.
public typealias LossAndGradient = (_ x: [Float]) throws -> (loss: Double, gradient: [Float])

/// What one optimizer iteration reports.
public struct OptimizerStep: Sendable {
    /// 1-based iteration number.
    public let iteration: Int
    /// L-BFGS: the loss at the new `x` (evaluated by its line search).
    /// Adam: the loss at the point where this iteration's gradient was taken (before its update).
    public let loss: Double
    /// Total `LossAndGradient` calls so far.
    public let evaluations: Int
}

/// A first-order optimizer that sees only `(x) -> (loss, gradient)`: it knows nothing of
/// images or networks.
public protocol Optimizer {
    /// Performs one iteration, updating `x` in place; calls `evaluate` one or more times.
    /// On a NaN or infinite loss or gradient, `x` is left at the last point whose loss was
    /// finite and `OptimizerError.nonFiniteLoss` is thrown.
    mutating func step(_ x: inout [Float], evaluate: LossAndGradient) throws -> OptimizerStep
}

public enum OptimizerError: Error, CustomStringConvertible, Equatable {
    case nonFiniteLoss(iteration: Int, loss: Double)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let i, let loss):
            return "the loss became \(loss.isNaN ? "NaN" : "infinite") at iteration \(i)"
        }
    }
}

/// Plain O(n) vector helpers over contiguous arrays; dot products accumulate in Double.
enum VectorMath {
    static func dot(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count)
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        let n = a.count, n4 = n & ~3
        var i = 0
        while i < n4 {
            s0 += Double(a[i] * b[i]); s1 += Double(a[i + 1] * b[i + 1])
            s2 += Double(a[i + 2] * b[i + 2]); s3 += Double(a[i + 3] * b[i + 3])
            i += 4
        }
        while i < n { s0 += Double(a[i] * b[i]); i += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// `y += alpha · x`.
    static func axpy(_ alpha: Float, _ x: [Float], _ y: inout [Float]) {
        precondition(x.count == y.count)
        for i in 0..<x.count { y[i] += alpha * x[i] }
    }

    /// `out = a − b`.
    static func difference(_ a: [Float], _ b: [Float], into out: inout [Float]) {
        precondition(a.count == b.count)
        if out.count != a.count { out = [Float](repeating: 0, count: a.count) }
        for i in 0..<a.count { out[i] = a[i] - b[i] }
    }

    static func isFinite(_ a: [Float]) -> Bool {
        var bad = false
        for v in a where !v.isFinite { bad = true; break }
        return !bad
    }
}
