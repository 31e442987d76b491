import XCTest
@testable import StylizeKit

/// Unbounded L-BFGS and Adam on functions with known minima; stop reasons; non-finite losses.
/// (Box constraints: `BoundedOptimizerTests`.)
final class OptimizerTests: XCTestCase {
    typealias P = OptimizerTestProblems

    func testLBFGSSolvesAnIllConditionedQuadraticWithAboutOneEvaluationPerIteration() throws {
        let (f, center) = P.quadratic(n: 100)
        var calls = 0
        let counted: LossFunction<[Float], Void> = { calls += 1; return try f($0) }
        var x = [Float](repeating: 0, count: 100)
        let start = P.distance(x, center)
        var opt = LBFGS<CPUVectors, Void>(historySize: 20, vectors: CPUVectors())
        var last = try opt.step(&x, evaluate: counted)
        while last.stop == nil && last.iteration < 200 && P.distance(x, center) / start >= 1e-4 {
            last = try opt.step(&x, evaluate: counted)
        }
        XCTAssertLessThan(P.distance(x, center) / start, 1e-4)
        XCTAssertEqual(last.evaluations, calls)
        XCTAssertLessThanOrEqual(Double(calls) / Double(last.iteration), 1.3, "\(calls) evaluations in \(last.iteration) iterations")
    }

    /// `stepScaling` on a problem shaped like style transfer's: many variables, few curvature
    /// pairs, so most of each direction comes from `γ·I`. The unit steps fall short of the
    /// line's minimum there, the scale `σ` rises above 1, and after 40 iterations the loss is
    /// lower than with `γ` as it is, at about one evaluation an iteration. Without it `σ`
    /// stays 1.
    func testStepScalingLengthensShortStepsOnAQuadraticWithFewPairs() throws {
        let n = 2000
        let (f, _) = P.quadratic(n: n)
        func run(_ scaling: Double) throws -> (loss: Double, scale: Double, evaluations: Int) {
            var x = [Float](repeating: 0, count: n)
            var opt = LBFGS<CPUVectors, Void>(historySize: 3, vectors: CPUVectors())
            opt.stepScaling = scaling
            var last = try opt.step(&x, evaluate: f)
            for _ in 1..<40 { last = try opt.step(&x, evaluate: f) }
            XCTAssertNil(last.stop)
            return (last.loss, opt.gammaScale, last.evaluations)
        }
        let plain = try run(0), scaled = try run(0.5)
        XCTAssertEqual(plain.scale, 1)
        XCTAssertGreaterThan(scaled.scale, 1.2, "σ after 40 iterations")
        // Measured: 130 against 147 after 40 iterations, with 45 evaluations.
        XCTAssertLessThan(scaled.loss, 0.95 * plain.loss, "loss after 40 iterations: \(scaled.loss) against \(plain.loss)")
        XCTAssertLessThanOrEqual(scaled.evaluations, 48)
        XCTAssertLessThanOrEqual(plain.evaluations, 48)
    }

    func testLBFGSSolvesRosenbrockWithANonIncreasingLoss() throws {
        for n in [2, 10] {
            var x = [Float](repeating: -1.2, count: n)
            var opt = LBFGS<CPUVectors, Void>(historySize: 10, vectors: CPUVectors())
            var previous = Double.infinity
            var s = OptimizerStep<Void>(iteration: 0, evaluations: 0, loss: .infinity, info: ())
            while s.stop == nil && s.iteration < 1000 {
                s = try opt.step(&x, evaluate: P.rosenbrock)
                XCTAssertLessThanOrEqual(s.loss, previous, "Armijo guarantees a non-increasing loss")
                previous = s.loss
                // The reported loss is the loss at the new x.
                XCTAssertEqual(s.loss, try P.rosenbrock(x).loss)
            }
            XCTAssertLessThan(P.distance(x, [Float](repeating: 1, count: n)), 1e-3, "n = \(n): \(x)")
        }
    }

    func testAdamFindsTheMinimumOfAQuadraticAndRosenbrock() throws {
        let target: [Float] = [3, -2, 0.5]
        let bowl: LossFunction<[Float], Void> = { x in
            Evaluation(loss: zip(x, target).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) },
                       gradient: zip(x, target).map { 2 * ($0 - $1) })
        }
        var x: [Float] = [0, 0, 0]
        var adam = Adam<CPUVectors, Void>(learningRate: 0.1, vectors: CPUVectors())
        for _ in 0..<2000 { _ = try adam.step(&x, evaluate: bowl) }
        XCTAssertLessThan(P.distance(x, target), 1e-2)

        var y: [Float] = [-1.2, 1]
        var adam2 = Adam<CPUVectors, Void>(learningRate: 0.02, vectors: CPUVectors())
        for _ in 0..<5000 { _ = try adam2.step(&y, evaluate: P.rosenbrock) }
        XCTAssertLessThan(P.distance(y, [1, 1]), 0.05, "\(y)")
    }

    /// Finite for x < 2, NaN beyond, minimum of the finite part beyond the cliff (at 5).
    func cliff(recording points: @escaping ([Float]) -> Void = { _ in }) -> LossFunction<[Float], Void> {
        { x in
            points(x)
            return x[0] >= 2 ? Evaluation(loss: .nan, gradient: [.nan])
                             : Evaluation(loss: Double((x[0] - 5) * (x[0] - 5)), gradient: [2 * (x[0] - 5)])
        }
    }

    func testAdamRestoresTheLastFinitePointOnANaNLoss() throws {
        var evaluated: [[Float]] = []
        let f = cliff { evaluated.append($0) }
        var adam = Adam<CPUVectors, Void>(learningRate: 1, vectors: CPUVectors())
        var x: [Float] = [0]
        XCTAssertThrowsError(try { for _ in 0..<100 { _ = try adam.step(&x, evaluate: f) } }()) {
            XCTAssertTrue("\($0)".contains("NaN"), "\($0)")
        }
        let failing = try XCTUnwrap(evaluated.last), lastFinite = try XCTUnwrap(evaluated.dropLast().last)
        XCTAssertGreaterThanOrEqual(failing[0], 2)
        XCTAssertLessThan(lastFinite[0], 2)
        XCTAssertEqual(x, lastFinite, "x must be the point of the last finite evaluation, not the NaN one")
    }

    func testLBFGSNeverLeavesTheFiniteRegionAndThrowsWhenEveryTrialIsNaN() throws {
        // The line search backs off from NaN points, so it never leaves the finite region;
        // once pressed against the cliff it stops (or throws when every trial is NaN).
        var opt = LBFGS<CPUVectors, Void>(historySize: 20, vectors: CPUVectors())
        var z: [Float] = [0]
        var stop: StopReason?
        do {
            for _ in 0..<50 where stop == nil { stop = try opt.step(&z, evaluate: cliff()).stop }
        } catch is OptimizerError {}
        XCTAssertLessThan(z[0], 2)
        XCTAssertGreaterThan(z[0], 1.9)  // it did get close to the constrained minimum
        var spike = LBFGS<CPUVectors, Void>(historySize: 20, vectors: CPUVectors())
        var w: [Float] = [0]
        let nanAway: LossFunction<[Float], Void> = { x in
            x[0] == 0 ? Evaluation(loss: 1, gradient: [1]) : Evaluation(loss: .nan, gradient: [.nan])
        }
        XCTAssertThrowsError(try spike.step(&w, evaluate: nanAway)) { XCTAssertTrue($0 is OptimizerError) }
        XCTAssertEqual(w, [0])
    }

    func testAFiniteLossWithANaNGradientIsReportedAsSuch() throws {
        let bad: LossFunction<[Float], Void> = { x in
            x[0] == 0 ? Evaluation(loss: 1, gradient: [1]) : Evaluation(loss: 0.5, gradient: [.nan])
        }
        var x: [Float] = [0]
        var adam = Adam<CPUVectors, Void>(learningRate: 1, vectors: CPUVectors())
        XCTAssertThrowsError(try { for _ in 0..<3 { _ = try adam.step(&x, evaluate: bad) } }()) {
            XCTAssertEqual("\($0)", "the gradient became NaN or infinite at iteration 2 (the loss, 0.5, was finite)")
        }
        XCTAssertEqual(x, [0])
        var lbfgs = LBFGS<CPUVectors, Void>(historySize: 20, vectors: CPUVectors())
        var y: [Float] = [0]
        XCTAssertThrowsError(try lbfgs.step(&y, evaluate: bad)) { XCTAssertTrue("\($0)".contains("gradient"), "\($0)") }
        XCTAssertEqual(y, [0])
    }

    func testZeroGradientAtTheStartConvergesAndLaterStepsDoNotEvaluate() throws {
        var x: [Float] = [1, 2, 3]
        var opt = LBFGS<CPUVectors, Void>(historySize: 20, vectors: CPUVectors())
        var calls = 0
        let flat: LossFunction<[Float], Void> = { _ in calls += 1; return Evaluation(loss: 4, gradient: [0, 0, 0]) }
        let s = try opt.step(&x, evaluate: flat)
        XCTAssertEqual(s.stop, .converged)
        XCTAssertEqual(x, [1, 2, 3])
        XCTAssertEqual(s.loss, 4)
        XCTAssertEqual(s.evaluations, 1)
        let again = try opt.step(&x, evaluate: flat)
        XCTAssertEqual([again.iteration, again.evaluations, calls], [1, 1, 1])
        XCTAssertEqual(again.stop, .converged)
    }

    /// A gradient with the wrong sign: every trial step goes uphill, so the line search
    /// must fail, and say so, instead of looking converged.
    func testALyingGradientStopsWithLineSearchFailed() throws {
        let (f, _) = P.quadratic(n: 10)
        var calls = 0
        let liar: LossFunction<[Float], Void> = { x in
            calls += 1
            let e = try f(x)
            return Evaluation(loss: e.loss, gradient: e.gradient.map { -$0 })
        }
        var x = [Float](repeating: 0, count: 10)
        var opt = LBFGS<CPUVectors, Void>(historySize: 20, maxLineSearchEvaluations: 20, vectors: CPUVectors())
        let s = try opt.step(&x, evaluate: liar)
        XCTAssertEqual(s.stop, .lineSearchFailed)
        XCTAssertEqual(x, [Float](repeating: 0, count: 10), "x stays at the last accepted point")
        XCTAssertEqual(s.loss, try f(x).loss)
        XCTAssertEqual(s.evaluations, 21)  // the start, then the whole budget
        XCTAssertEqual(StopReason.lineSearchFailed.rawValue, "line_search_failed")
        let again = try opt.step(&x, evaluate: liar)
        XCTAssertEqual(again.stop, .lineSearchFailed)
        XCTAssertEqual([again.iteration, again.evaluations, calls], [1, 21, 21], "no evaluation once stopped")
    }

    /// A solved quadratic stops with `converged` through its default tolerances.
    func testASolvedProblemStopsWithConverged() throws {
        let (f, center) = P.quadratic(n: 20)
        var x = [Float](repeating: 0, count: 20)
        var opt = LBFGS<CPUVectors, Void>(historySize: 20, vectors: CPUVectors())
        var s = try opt.step(&x, evaluate: f)
        while s.stop == nil && s.iteration < 500 { s = try opt.step(&x, evaluate: f) }
        XCTAssertEqual(s.stop, .converged, "after \(s.iteration) iterations")
        XCTAssertLessThan(P.maxDistance(x, center), 1e-4)
    }
}
