import Foundation
@testable import StylizeKit

/// Test functions for the optimizers, computed in Double from the Float variables.
enum OptimizerTestProblems {
    /// f(x) = ½ Σ λ_i (x_i − c_i)², λ from 1 to 1000 (condition number 1e3), minimum at c.
    static func quadratic(n: Int) -> (LossFunction<[Float], Void>, [Float]) {
        let lambda = (0..<n).map { pow(1000.0, Double($0) / Double(n - 1)) }
        let center = (0..<n).map { Float(sin(Double($0)) * 3) }
        let f: LossFunction<[Float], Void> = { x in
            var loss = 0.0
            var g = [Float](repeating: 0, count: n)
            for i in 0..<n {
                let d = Double(x[i] - center[i])
                loss += 0.5 * lambda[i] * d * d
                g[i] = Float(lambda[i] * d)
            }
            return Evaluation(loss: loss, gradient: g)
        }
        return (f, center)
    }

    /// Σ 100 (x_{i+1} − x_i²)² + (1 − x_i)², minimum at (1, …, 1).
    static let rosenbrock: LossFunction<[Float], Void> = { x in
        let n = x.count
        var loss = 0.0
        var g = [Double](repeating: 0, count: n)
        for i in 0..<(n - 1) {
            let a = Double(x[i]), b = Double(x[i + 1])
            loss += 100 * (b - a * a) * (b - a * a) + (1 - a) * (1 - a)
            g[i] += -400 * a * (b - a * a) - 2 * (1 - a)
            g[i + 1] += 200 * (b - a * a)
        }
        return Evaluation(loss: loss, gradient: g.map(Float.init))
    }

    static func distance(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }.squareRoot()
    }

    static func maxDistance(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0.0) { max($0, abs(Double($1.0) - Double($1.1))) }
    }
}

/// f(x) = ½ xᵀAx − bᵀx on a box, with a known solution built from the KKT conditions.
///
/// `A = D + UUᵀ`: D diagonal from 1 to 1000 (log-spaced, shuffled), U two dense columns
/// (so A is SPD and not diagonal, condition number ≈ 1e3). The solution `x*` has a third of
/// its components at the lower bound, a third at the upper bound and a third free inside;
/// `b = Ax* − z` with `z = ∇f(x*)` zero on the free components, positive (0.5…5) at the
/// lower-bound ones and negative at the upper-bound ones: exactly the first-order
/// conditions, which are sufficient because f is strictly convex, so `x*` is the unique
/// minimizer. Everything is scaled by `offset`/`scale` to move it to pixel-like ranges.
struct BoundedQuadratic {
    let n: Int
    let diagonal: [Double]
    let u: [[Double]]
    let b: [Double]
    let box: Box
    let solution: [Float]
    /// Multiplies the loss (and gradient) without moving the solution.
    var lossScale = 1.0

    init(n: Int = 90, width: Double = 1, center: Double = 0, seed: UInt64 = 7) {
        self.n = n
        var rng = SeededRandom(seed: seed)
        var d = (0..<n).map { pow(1000.0, Double($0) / Double(n - 1)) }
        for i in stride(from: n - 1, to: 0, by: -1) { d.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        diagonal = d
        u = (0..<2).map { _ in (0..<n).map { _ in rng.uniform(-2, 2) } }
        var lower = [Float](), upper = [Float](), xs = [Float](), z = [Double]()
        for i in 0..<n {
            let lo = Float(center - width * rng.uniform(0.5, 1.5)), hi = Float(center + width * rng.uniform(0.5, 1.5))
            lower.append(lo); upper.append(hi)
            switch i % 3 {
            case 0: xs.append(lo); z.append(rng.uniform(1, 20))
            case 1: xs.append(hi); z.append(-rng.uniform(1, 20))
            default: xs.append(Float(Double(lo) + Double(hi - lo) * rng.uniform(0.2, 0.8))); z.append(0)
            }
        }
        box = Box(lower: lower, upper: upper)
        solution = xs
        let ax = Self.multiply(d, u, xs.map(Double.init))
        b = (0..<n).map { ax[$0] - z[$0] }
    }

    static func multiply(_ d: [Double], _ u: [[Double]], _ x: [Double]) -> [Double] {
        var y = zip(d, x).map { $0 * $1 }
        for col in u {
            let c = zip(col, x).reduce(0.0) { $0 + $1.0 * $1.1 }
            for i in 0..<y.count { y[i] += c * col[i] }
        }
        return y
    }

    /// Loss and gradient at x (in Double, gradient rounded to Float).
    func evaluate(_ x: [Float]) -> (loss: Double, gradient: [Float]) {
        let xd = x.map(Double.init)
        let ax = Self.multiply(diagonal, u, xd)
        var loss = 0.0
        for i in 0..<n { loss += 0.5 * xd[i] * ax[i] - b[i] * xd[i] }
        return (lossScale * loss, (0..<n).map { Float(lossScale * (ax[$0] - b[$0])) })
    }

    var function: LossFunction<[Float], Void> { { x in let e = evaluate(x); return Evaluation(loss: e.loss, gradient: e.gradient) } }
}
