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
