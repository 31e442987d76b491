import XCTest
@testable import StylizeKit

/// L-BFGS and Adam with a `Box`, on `BoundedQuadratic` (known solution from the KKT
/// conditions) and a bounded Rosenbrock.
final class BoundedOptimizerTests: XCTestCase {
    typealias P = OptimizerTestProblems

    /// Runs `opt` until it stops or `maxIterations`; returns the last step.
    func run<O: Optimizer>(_ opt: inout O, _ x: inout [Float], _ f: LossFunction<[Float], O.Info>,
                           maxIterations: Int) throws -> OptimizerStep<O.Info> where O.Vector == [Float] {
        var s = try opt.step(&x, evaluate: f)
        while s.stop == nil && s.iteration < maxIterations { s = try opt.step(&x, evaluate: f) }
        return s
    }

    /// Stopped by the projected gradient (`pgtol` 1e-4; the relative-decrease test is off
    /// because its default, L-BFGS-B's moderate `factr = 1e7`, stops this problem at an
    /// error of ~4e-3): since `A ⪰ I`, the error on the free variables is at most about
    /// the projected gradient once the active set is right.
    func testProjectedLBFGSReachesTheKKTSolutionWithAboutOneEvaluationPerIteration() throws {
        let q = BoundedQuadratic()
        var calls = 0
        let f: LossFunction<[Float], Void> = { calls += 1; return try q.function($0) }
        var x = [Float](repeating: 0, count: q.n)
        var opt = LBFGS<CPUVectors, Void>(historySize: 20, box: q.box, gradientTolerance: 1e-4, relativeDecreaseTolerance: 0,
                                          vectors: CPUVectors())
        let s = try run(&opt, &x, f, maxIterations: 300)
        XCTAssertEqual(s.stop, .converged)
        XCTAssertLessThan(P.maxDistance(x, q.solution), 1e-4, "after \(s.iteration) iterations")
        XCTAssertEqual(s.evaluations, calls)
        XCTAssertLessThanOrEqual(calls, 130)
        XCTAssertLessThanOrEqual(Double(calls) / Double(s.iteration), 1.15, "\(calls) evaluations in \(s.iteration) iterations")
        print("KKT quadratic: \(s.iteration) iterations, \(calls) evaluations, max error \(P.maxDistance(x, q.solution))")
    }

    /// The naive alternative, unconstrained L-BFGS then clipping into the box, lands
    /// elsewhere: the box changes the solution of a non-diagonal problem, so the test above
    /// can fail.
    func testUnconstrainedLBFGSThenClippingMissesTheKKTSolution() throws {
        let q = BoundedQuadratic()
        var x = [Float](repeating: 0, count: q.n)
        var opt = LBFGS<CPUVectors, Void>(historySize: 10, vectors: CPUVectors())
        _ = try run(&opt, &x, q.function, maxIterations: 500)
        let g = q.evaluate(x).gradient
        XCTAssertLessThan(g.map { abs($0) }.max()!, 0.05, "the unconstrained problem is solved (Float accuracy)")
        q.box.project(&x)
        XCTAssertGreaterThan(P.maxDistance(x, q.solution), 0.1)
    }

    func testEveryEvaluatedPointIsInsideTheBox() throws {
        let q = BoundedQuadratic()
        var outside = 0, calls = 0
        let f: LossFunction<[Float], Void> = { x in
            calls += 1
            if !q.box.contains(x) { outside += 1 }
            return try q.function(x)
        }
        let start = (0..<q.n).map { Float($0 % 2 == 0 ? 5 : -5) }  // outside the box
        var x = start
        var lbfgs = LBFGS<CPUVectors, Void>(historySize: 20, box: q.box, vectors: CPUVectors())
        _ = try run(&lbfgs, &x, f, maxIterations: 100)
        XCTAssertTrue(q.box.contains(x))
        var y = start
        var adam = Adam<CPUVectors, Void>(learningRate: 0.05, box: q.box, vectors: CPUVectors())
        for _ in 0..<2000 { _ = try adam.step(&y, evaluate: f) }
        XCTAssertTrue(q.box.contains(y))
        XCTAssertEqual(outside, 0, "\(outside) of \(calls) evaluations outside the box")
        XCTAssertLessThan(P.maxDistance(y, q.solution), 0.05, "Adam with clamping also gets there")
    }

    /// `loss` and `info` of every L-BFGS step come from the evaluation at the returned x,
    /// and the loss never increases; Adam's come from the point before its update.
    func testReportedLossNeverIncreasesAndInfoIsTheEvaluationAtTheReturnedX() throws {
        let q = BoundedQuadratic()
        let f: LossFunction<[Float], [Float]> = { x in let e = q.evaluate(x); return Evaluation(loss: e.loss, gradient: e.gradient, info: x) }
        let rosenbrock: LossFunction<[Float], [Float]> = { x in let e = try P.rosenbrock(x); return Evaluation(loss: e.loss, gradient: e.gradient, info: x) }
        let bounds = Box(lower: [Float](repeating: -2, count: 6), upper: [Float](repeating: 0.5, count: 6))
        for (function, box, start) in [(f, q.box, [Float](repeating: 0, count: q.n)),
                                       (rosenbrock, bounds, [Float](repeating: -1.2, count: 6))] {
            var x = start
            var opt = LBFGS<CPUVectors, [Float]>(historySize: 20, box: box, vectors: CPUVectors())
            var previous = Double.infinity
            var s = try opt.step(&x, evaluate: function)
            while true {
                XCTAssertEqual(s.info, x, "info is from the evaluation at the returned x")
                XCTAssertEqual(s.loss, try function(x).loss)
                XCTAssertLessThanOrEqual(s.loss, previous)
                previous = s.loss
                if s.stop != nil || s.iteration == 300 { break }
                s = try opt.step(&x, evaluate: function)
            }
            XCTAssertNotNil(s.stop)
        }
        var x = [Float](repeating: 0, count: q.n)
        var adam = Adam<CPUVectors, [Float]>(learningRate: 0.1, box: q.box, vectors: CPUVectors())
        for _ in 0..<5 {
            let before = x
            let s = try adam.step(&x, evaluate: f)
            XCTAssertEqual(s.info, before)
            XCTAssertEqual(s.loss, q.evaluate(before).loss)
        }
    }

    /// Pixel-scale variables (box about −170…190) with the loss scaled by 1e-6, 1 and 1e6:
    /// the first trial step moves the largest component by exactly `initialStep` (1) and
    /// is accepted, the first 40 iterations take the same evaluations and error whatever the
    /// scale (after that Float rounding differs), and all reach the solution. With
    /// `t = min(1, 1/‖g‖)` the 1e6 run would move pixels by ~1e-6 levels, below Float
    /// resolution at ~100, and the 1e-6 one by at most ~1e-6·(its tiny gradient).
    func testTheFirstStepIsScaleInvariant() throws {
        var at40: [(evaluations: Int, error: Double)] = []
        for scale in [1e-6, 1, 1e6] {
            var q = BoundedQuadratic(width: 120, center: 8)
            q.lossScale = scale
            var points: [[Float]] = []
            let f: LossFunction<[Float], Void> = { points.append($0); return try q.function($0) }
            var x = [Float](repeating: 0, count: q.n)
            var opt = LBFGS<CPUVectors, Void>(historySize: 20, box: q.box, gradientTolerance: 0, relativeDecreaseTolerance: 0,
                                              vectors: CPUVectors())
            let first = try opt.step(&x, evaluate: f)
            XCTAssertEqual(first.evaluations, 2, "scale \(scale): first trial accepted")
            XCTAssertEqual(P.maxDistance(points[1], points[0]), 1, accuracy: 1e-4)
            let s40 = try run(&opt, &x, f, maxIterations: 40)
            at40.append((s40.evaluations, P.maxDistance(x, q.solution)))
            let s = try run(&opt, &x, f, maxIterations: 200)
            XCTAssertLessThan(P.maxDistance(x, q.solution), 0.01, "scale \(scale): \(s.iteration) iterations, \(String(describing: s.stop))")
        }
        print("scale invariance, (evaluations, max error) after 40 iterations for 1e-6, 1, 1e6: \(at40)")
        for r in at40 {
            XCTAssertEqual(Double(r.evaluations), Double(at40[1].evaluations), accuracy: 2)
            XCTAssertEqual(r.error, at40[1].error, accuracy: 0.2 * at40[1].error)
        }
    }

    func testBoxProjectsAndBuildsPerPlaneBounds() {
        let box = Box.planes(lower: [-1, 0], upper: [1, 2], planeSize: 2)
        XCTAssertEqual(box.lower, [-1, -1, 0, 0])
        XCTAssertEqual(box.upper, [1, 1, 2, 2])
        var x: [Float] = [-3, 0.5, 3, 1]
        box.project(&x)
        XCTAssertEqual(x, [-1, 0.5, 2, 1])
        XCTAssertTrue(box.contains(x))
        XCTAssertFalse(box.contains([0, 0, 0, 2.5]))
    }
}
