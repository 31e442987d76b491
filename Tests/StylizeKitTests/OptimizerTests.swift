import XCTest
@testable import StylizeKit

/// L-BFGS and Adam on functions with known minima. The functions are computed in Double
/// from the Float variables.
final class OptimizerTests: XCTestCase {
    /// f(x) = ½ Σ λ_i (x_i − c_i)², λ from 1 to 1000 (condition number 1e3), minimum at c.
    func quadratic(n: Int) -> (LossAndGradient, [Float]) {
        let lambda = (0..<n).map { pow(1000.0, Double($0) / Double(n - 1)) }
        let center = (0..<n).map { Float(sin(Double($0)) * 3) }
        let f: LossAndGradient = { x in
            var loss = 0.0
            var g = [Float](repeating: 0, count: n)
            for i in 0..<n {
                let d = Double(x[i] - center[i])
                loss += 0.5 * lambda[i] * d * d
                g[i] = Float(lambda[i] * d)
            }
            return (loss, g)
        }
        return (f, center)
    }

    /// Σ 100 (x_{i+1} − x_i²)² + (1 − x_i)², minimum at (1, …, 1).
    let rosenbrock: LossAndGradient = { x in
        let n = x.count
        var loss = 0.0
        var g = [Double](repeating: 0, count: n)
        for i in 0..<(n - 1) {
            let a = Double(x[i]), b = Double(x[i + 1])
            loss += 100 * (b - a * a) * (b - a * a) + (1 - a) * (1 - a)
            g[i] += -400 * a * (b - a * a) - 2 * (1 - a)
            g[i + 1] += 200 * (b - a * a)
        }
        return (loss, g.map(Float.init))
    }

    func distance(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }.squareRoot()
    }

    func testLBFGSSolvesAnIllConditionedQuadraticWithAboutOneEvaluationPerIteration() throws {
        let (f, center) = quadratic(n: 100)
        var calls = 0
        let counted: LossAndGradient = { calls += 1; return try f($0) }
        var x = [Float](repeating: 0, count: 100)
        var opt = LBFGS(historySize: 20)
        var last = OptimizerStep(iteration: 0, loss: 0, evaluations: 0)
        for _ in 0..<200 where !opt.converged {
            last = try opt.step(&x, evaluate: counted)
            if distance(x, center) / distance([Float](repeating: 0, count: 100), center) < 1e-4 { break }
        }
        XCTAssertLessThan(distance(x, center) / distance([Float](repeating: 0, count: 100), center), 1e-4)
        XCTAssertEqual(last.evaluations, calls)
        XCTAssertLessThanOrEqual(Double(calls) / Double(last.iteration), 1.3, "\(calls) evaluations in \(last.iteration) iterations")
    }

    func testLBFGSSolvesRosenbrockWithANonIncreasingLoss() throws {
        for n in [2, 10] {
            var x = [Float](repeating: -1.2, count: n)
            var opt = LBFGS(historySize: 10)
            var previous = Double.infinity
            for _ in 0..<1000 where !opt.converged {
                let s = try opt.step(&x, evaluate: rosenbrock)
                XCTAssertLessThanOrEqual(s.loss, previous, "Armijo guarantees a non-increasing loss")
                previous = s.loss
                // The reported loss is the loss at the new x.
                XCTAssertEqual(s.loss, try rosenbrock(x).loss, accuracy: 1e-12)
            }
            XCTAssertLessThan(distance(x, [Float](repeating: 1, count: n)), 1e-3, "n = \(n): \(x)")
        }
    }

    func testAdamFindsTheMinimumOfAQuadraticAndRosenbrock() throws {
        let target: [Float] = [3, -2, 0.5]
        let bowl: LossAndGradient = { x in
            (zip(x, target).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) },
             zip(x, target).map { 2 * ($0 - $1) })
        }
        var x: [Float] = [0, 0, 0]
        var adam = Adam(learningRate: 0.1)
        for _ in 0..<2000 { _ = try adam.step(&x, evaluate: bowl) }
        XCTAssertLessThan(distance(x, target), 1e-2)

        var y: [Float] = [-1.2, 1]
        var adam2 = Adam(learningRate: 0.02)
        for _ in 0..<5000 { _ = try adam2.step(&y, evaluate: rosenbrock) }
        XCTAssertLessThan(distance(y, [1, 1]), 0.05, "\(y)")
    }

    func testNonFiniteLossRollsBackAndThrows() throws {
        // Finite for x < 2, NaN beyond: every optimizer must stop at its last finite point.
        let cliff: LossAndGradient = { x in
            x[0] >= 2 ? (.nan, [.nan]) : (Double((x[0] - 5) * (x[0] - 5)), [2 * (x[0] - 5)])
        }
        var adam = Adam(learningRate: 1)
        var x: [Float] = [0]
        var lastFinite = x
        do {
            for _ in 0..<100 { lastFinite = x; _ = try adam.step(&x, evaluate: cliff) }
            XCTFail("expected a non-finite loss")
        } catch let e as OptimizerError {
            XCTAssertEqual(x, lastFinite)
            XCTAssertTrue("\(e)".contains("NaN"), "\(e)")
        }
        // L-BFGS: the line search backs off from NaN points, so it never leaves the finite
        // region; once pressed against the cliff so that every trial step is NaN, it throws.
        var opt = LBFGS()
        var z: [Float] = [0]
        do {
            for _ in 0..<50 where !opt.converged { _ = try opt.step(&z, evaluate: cliff) }
        } catch is OptimizerError {}
        XCTAssertLessThan(z[0], 2)
        XCTAssertGreaterThan(z[0], 1.9)  // it did get close to the constrained minimum
        var spike = LBFGS()
        var w: [Float] = [0]
        let nanAway: LossAndGradient = { x in x[0] == 0 ? (1, [1]) : (.nan, [.nan]) }
        XCTAssertThrowsError(try spike.step(&w, evaluate: nanAway)) { XCTAssertTrue($0 is OptimizerError) }
        XCTAssertEqual(w, [0])
    }

    func testZeroGradientAtTheStartConvergesWithoutNaN() throws {
        var x: [Float] = [1, 2, 3]
        var opt = LBFGS()
        let flat: LossAndGradient = { _ in (4, [0, 0, 0]) }
        let s = try opt.step(&x, evaluate: flat)
        XCTAssertTrue(opt.converged)
        XCTAssertEqual(x, [1, 2, 3])
        XCTAssertEqual(s.loss, 4)
        XCTAssertEqual(s.evaluations, 1)
    }
}
