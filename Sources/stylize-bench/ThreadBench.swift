import Foundation
import StylizeKit

// `stylize-bench threads`: one evaluation of the fixed objective (as `stylize-bench SIZE`) on
// a modelled machine of more cores than this one (`ThreadModel`): every kernel cuts its loops
// for N threads, the chunks run in turn here, and each loop counts as its slowest chunk. It
// prints, per modelled thread count, the work no loop splits, the modelled time, and the
// speed-up and efficiency against the time measured here on 1 thread; then, for the largest
// count, the loop sites that leave the most threads idle. Measured thread counts (`--measure`)
// are timed for real beside it, so that the model can be compared with this host where they
// overlap. The model sees the structure (work left on one thread, too few or unequal chunks),
// not memory bandwidth, the shared L3 or the clock with every core busy: its efficiency is an
// upper bound. The next-to-last column divides the model's own work (its chunks in turn, in the same
// evaluation) rather than the 1-thread time measured apart, so a slow phase of the host between
// the two does not move it; the last also takes each loop site at its average balance over
// the evaluation (`ThreadModel.Site.steady`), without the jitter of single chunk timings.
//
//   stylize-bench threads SIZE|WxH [--model 2,4,8,16] [--measure 1,2] [--runs 3] [--sites 12] [--weights FILE]

func threadBench(_ args: [String]) {
    let usage = "stylize-bench threads SIZE|WxH [--model 2,4,8,16] [--measure 1,2] [--runs 3] [--sites 12] [--weights FILE]"
    let o = BenchRunOptions(args)
    let (width, height) = o.size(minimum: 32, usage: usage)
    func counts(_ name: String, _ fallback: String, least: Int) -> [Int] {
        let list = (o.values[name] ?? fallback).split(separator: ",").map { Int($0) }
        guard !list.isEmpty, list.allSatisfy({ ($0 ?? 0) >= least }) else { fail("\(name) takes thread counts of at least \(least), e.g. \(fallback)") }
        return list.map { $0! }
    }
    let modelled = counts("--model", "2,4,8,16", least: 2), measured = counts("--measure", "1,2", least: 1)
    let runs = max(1, o.int("--runs", 3)), siteRows = max(0, o.int("--sites", 12))
    do {
        let weights = try VGGWeights.load(from: WeightsLocator.resolve(explicit: o.values["--weights"]))
        print("gemm: \(GEMMKernel.description)")
        let inputs = BenchInputs(width: width, height: height, meanBGR: weights.meanBGR)
        let network = try VGGNetwork(weights: weights, pooling: .max, through: "relu5_1", parallel: Parallel(threads: 1))
        func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        /// Seconds of each of `runs` evaluations after a warm-up, `between` called before each.
        func evaluations(_ engine: CPUEngine, between: () -> Void = {}, after: () -> Void = {}) throws -> [Double] {
            let objective = try inputs.objective(on: engine)
            _ = try objective.evaluate(inputs.image.data)
            return try (0..<runs).map { _ in
                between()
                let t0 = DispatchTime.now().uptimeNanoseconds
                _ = try objective.evaluate(inputs.image.data)
                let t = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                after()
                return t
            }
        }
        var times: [Int: Double] = [:]
        for n in measured { times[n] = median(try evaluations(CPUEngine(network: network, threads: n))) }
        let one = times[1]
        print("== an evaluation at \(width)×\(height), seconds (median of \(runs)); modelled: N threads' chunks in turn on this host")
        print("| threads | measured | modelled | work no loop splits | split loops | speed-up on 1 thread's time | efficiency | on the model's own work | the same without the chunks' jitter |")
        print("|---|---|---|---|---|---|---|---|---|")
        func ratio(_ t: Double, _ n: Int) -> String {
            guard let one else { return "–" }
            return String(format: "%.2f× | %.0f %%", one / t, 100 * one / t / Double(n))
        }
        for n in measured where !modelled.contains(n) {
            print(String(format: "| %d | %.3f | – | – | – | %@ | – | – |", n, times[n]!, ratio(times[n]!, n)))
        }
        var last: ThreadModel.Result?
        for n in modelled {
            let model = ThreadModel(threads: n)
            var results: [ThreadModel.Result] = []
            _ = try evaluations(CPUEngine(network: network, parallel: Parallel(modelling: n, model: model)),
                                between: { model.start() }, after: { results.append(model.finish()) })
            let r = results.sorted { $0.modelled < $1.modelled }[results.count / 2]
            let real = times[n].map { String(format: "%.3f", $0) } ?? "–"
            print(String(format: "| %d | %@ | %.3f | %.3f | %d | %@ | %.0f %% | %.0f %% |", n, real, r.modelled, r.unsplit, r.loops,
                         ratio(r.modelled, n), 100 * r.busy / r.modelled / Double(n), 100 * r.busy / r.steady / Double(n)))
            last = r
        }
        guard let r = last, siteRows > 0 else { return }
        let n = Double(modelled.last!)
        print("\n== loop sites at \(modelled.last!) modelled threads, most idle thread-time first (ms per evaluation)")
        print("| site | loops | work | slowest chunks | without the jitter | idle thread-ms | share of the modelled time |")
        print("|---|---|---|---|---|---|---|")
        for s in r.sites.prefix(siteRows) {
            print(String(format: "| %@ | %d | %.1f | %.1f | %.1f | %.1f | %.1f %% |", s.name, s.loops, 1e3 * s.work, 1e3 * s.critical,
                         1e3 * s.steady, 1e3 * (n * s.critical - s.work), 100 * s.critical / r.modelled))
        }
        print(String(format: "| (no loop) | – | %.1f | %.1f | %.1f | %.1f | %.1f %% |", 1e3 * r.unsplit, 1e3 * r.unsplit, 1e3 * r.unsplit,
                     1e3 * (n - 1) * r.unsplit, 100 * r.unsplit / r.modelled))
        print("\n== the work no loop splits, by the loops around it (ms per evaluation)")
        print("| after → before | stretches | ms |")
        print("|---|---|---|")
        for g in r.gaps.prefix(siteRows) { print(String(format: "| %@ | %d | %.2f |", g.name, g.loops, 1e3 * g.work)) }
    } catch { fail("\(error)") }
}
