/// One evaluation of the function being minimized: the loss, its gradient (a `Vector` of
/// the optimizer's engine, as many values as `x`), and whatever else the caller wants to
/// carry along with that point (`Info`: the loss terms for style transfer, `Void` when there
/// is nothing).
public struct Evaluation<Vector, Info> {
    public var loss: Double
    public var gradient: Vector
    public var info: Info

    public init(loss: Double, gradient: Vector, info: Info) {
        self.loss = loss; self.gradient = gradient; self.info = info
    }
}

extension Evaluation: Sendable where Vector: Sendable, Info: Sendable {}

extension Evaluation where Info == Void {
    public init(loss: Double, gradient: Vector) { self.init(loss: loss, gradient: gradient, info: ()) }
}

/// The function being minimized. It may throw (for example when a run is cancelled);
/// optimizers rethrow, leaving `x` at their last accepted point.
public typealias LossFunction<Vector, Info> = (_ x: Vector) throws -> Evaluation<Vector, Info>

/// Why an optimizer stopped. Once a step reports one, further `step` calls return the
/// same step at once, without evaluating.
public enum StopReason: String, Sendable {
    /// A first-order optimum to the tolerances: the projected gradient is small, or an
    /// iteration decreased the loss by a negligible relative amount (see `LBFGS`).
    case converged
    /// No step along the search direction (nor, after a history reset, along the
    /// projected steepest descent) satisfied the sufficient-decrease condition within the
    /// evaluation budget: numerical noise, or a gradient inconsistent with the loss.
    case lineSearchFailed = "line_search_failed"
}

/// What one optimizer iteration reports.
public struct OptimizerStep<Info> {
    /// 1-based iteration number.
    public var iteration: Int
    /// Total `LossFunction` calls so far (including L-BFGS' initial evaluation).
    public var evaluations: Int
    /// L-BFGS: the loss at the new `x`. Adam: the loss at the point where this iteration's
    /// gradient was taken, i.e. before its update.
    public var loss: Double
    /// The `Info` of the same evaluation as `loss`.
    public var info: Info
    /// Set when the optimizer has stopped; `x` is then its final point.
    public var stop: StopReason?

    public init(iteration: Int, evaluations: Int, loss: Double, info: Info, stop: StopReason? = nil) {
        self.iteration = iteration; self.evaluations = evaluations
        self.loss = loss; self.info = info; self.stop = stop
    }
}

extension OptimizerStep: Sendable where Info: Sendable {}

/// A first-order optimizer that sees only `x ↦ (loss, gradient, info)`: it knows nothing
/// of images or networks. `Vector` is its engine's vector (`[Float]` for `CPUVectors`); a
/// caller can hold `any Optimizer<[Float], LossTerms>`.
public protocol Optimizer<Vector, Info> {
    associatedtype Vector
    associatedtype Info
    /// Performs one iteration, updating `x` in place; calls `evaluate` one or more times
    /// (none once stopped). On a NaN or infinite loss, or a finite loss with a NaN or
    /// infinite gradient, `x` is left at the last point whose loss and gradient were
    /// finite (before the first finite evaluation: the starting point, projected onto the
    /// box if any) and `OptimizerError.nonFiniteLoss` is thrown.
    mutating func step(_ x: inout Vector, evaluate: LossFunction<Vector, Info>) throws -> OptimizerStep<Info>
}

public enum OptimizerError: Error, CustomStringConvertible, Equatable {
    /// `loss` is the offending loss; when it is finite, the gradient was not.
    case nonFiniteLoss(iteration: Int, loss: Double)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let i, let loss) where loss.isFinite:
            return "the gradient became NaN or infinite at iteration \(i) (the loss, \(loss), was finite)"
        case .nonFiniteLoss(let i, let loss):
            return "the loss became \(loss.isNaN ? "NaN" : "infinite") at iteration \(i)"
        }
    }

    /// Throws `nonFiniteLoss` unless the loss and every gradient component are finite.
    static func check<V: VectorOperations, Info>(_ e: Evaluation<V.Vector, Info>, iteration: Int, vectors: V) throws {
        guard e.loss.isFinite, vectors.isFinite(e.gradient) else {
            throw OptimizerError.nonFiniteLoss(iteration: iteration, loss: e.loss)
        }
    }
}
