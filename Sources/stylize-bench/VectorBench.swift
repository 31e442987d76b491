import Foundation
import StylizeKit

// `stylize-bench vectors`: the optimizer's own work per L-BFGS iteration on an image-sized
// problem, without the network: the two-loop recursion over a full history, the smoothing
// preconditioner, the line search's projected point and the curvature pair, as a default run
// does them (a box, step scaling, `--history-size`). Each thread count runs the same problem;
// the function's own evaluation (a separable quadratic, single-threaded) is timed apart and
// left out. Prints the median milliseconds per iteration once the history is full, and
// whether every thread count reached the same iterate bit for bit. `--model 16` adds rows for
// modelled machines of that many threads (`ThreadModel`: every loop cut as on 16 cores, its
// chunks run in turn here and counted as the slowest).
//
//   stylize-bench vectors SIZE|WxH [--threads-list 1,2] [--model 4,16] [--history 30] [--iterations 50]

func vectorBench(_ args: [String]) {
    let o = BenchRunOptions(args)
    let (width, height) = o.size(minimum: 8, usage: "stylize-bench vectors SIZE|WxH [--threads-list 1,2] [--model 4,16] [--history 30] [--iterations 50]")
    let counts = (o.values["--threads-list"] ?? "1,2").split(separator: ",").compactMap { Int($0) }.filter { $0 >= 1 }
    guard !counts.isEmpty else { fail("--threads-list must name thread counts, e.g. 1,2,4") }
    let modelled = (o.values["--model"] ?? "").split(separator: ",").compactMap { Int($0) }.filter { $0 >= 2 }
    let history = o.int("--history", RunSettings().historySize), iterations = max(history + 5, o.int("--iterations", 50))
    let n = 3 * width * height
    // A separable quadratic with curvatures over three decades and a minimum partly outside
    // the box, so that the active set is not empty.
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> Float {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(state >> 40) / Float(1 << 24)
    }
    let curvature = (0..<n).map { _ in Float(pow(10, 3 * Double(next()))) / 1000 }
    let target = (0..<n).map { _ in 300 * next() - 150 }
    let box = Box(lower: [Float](repeating: -128, count: n), upper: [Float](repeating: 127, count: n))
    print("== the optimizer's work per L-BFGS iteration at \(width)×\(height) (\(n) variables, history \(history)), ms")
    print("| threads | median | fastest | speed-up |")
    print("|---|---|---|---|")
    var first: (median: Double, x: [Float])?
    var sameBits = true
    for (threads, isModel) in counts.map({ ($0, false) }) + modelled.map({ ($0, true) }) {
        let model = isModel ? ThreadModel(threads: threads) : nil
        let parallel = model.map { Parallel(modelling: threads, model: $0) } ?? Parallel(threads: threads)
        var lbfgs = LBFGS<CPUVectors, Void>(historySize: history, box: box, gradientTolerance: 0, relativeDecreaseTolerance: 0,
                                             vectors: CPUVectors(parallel: parallel))
        lbfgs.stepScaling = RunSettings.stepScaling
        let m = SmoothingPreconditioner(planes: 3, height: height, width: width, parallel: parallel)
        lbfgs.preconditioner = { m.apply(&$0) }
        var x = [Float](repeating: 0, count: n)
        var inside = 0.0
        let evaluate: LossFunction<[Float], Void> = { p in
            let t0 = DispatchTime.now().uptimeNanoseconds
            var f = 0.0, g = [Float](repeating: 0, count: n)
            for i in 0..<n {
                let r = p[i] - target[i]
                f += 0.5 * Double(curvature[i]) * Double(r) * Double(r)
                g[i] = curvature[i] * r
            }
            inside += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
            return Evaluation(loss: f, gradient: g)
        }
        var times: [Double] = []
        for k in 0..<iterations {
            inside = 0
            model?.start()
            let t0 = DispatchTime.now().uptimeNanoseconds
            do { _ = try lbfgs.step(&x, evaluate: evaluate) } catch { fail("the optimizer failed: \(error)") }
            var total = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
            if let model { total = 1e3 * model.finish().modelled }
            if k > history { times.append(total - inside) }
        }
        times.sort()
        let median = times[times.count / 2]
        let speedup = first.map { String(format: "%.2f×", $0.median / median) } ?? "1.00×"
        print(String(format: "| %d%@ | %.2f | %.2f | %@ |", threads, isModel ? " (modelled)" : "", median, times[0], speedup))
        if let first { sameBits = sameBits && first.x == x } else { first = (median, x) }
    }
    print("the same iterate, bit for bit, with every thread count: \(sameBits ? "yes" : "NO")")
}
