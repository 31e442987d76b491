import Foundation
import StylizeKit

// `stylize-bench run` and `stylize-bench score`: whole runs on real images, and the loss of
// a saved PNG re-read from disk, the number that says whether the file on disk is what the
// optimizer reached.
//
//   stylize-bench run CONTENT STYLE -o OUT.png [--size 512] [--min-size 128] [--iterations N]
//                     [--coarse-iterations N] [--threads 2] [--weights FILE]
//   stylize-bench score CONTENT STYLE IMAGE [--size 512] [--threads 2] [--weights FILE]
//
// Both use the default objective (α = 5, β = 1e-3, γ = 1, default layers).

/// The options after the subcommand's positional arguments.
struct BenchRunOptions {
    var positional: [String] = []
    var values: [String: String] = [:]

    init(_ args: [String]) {
        var i = 0
        while i < args.count {
            if args[i].hasPrefix("-"), i + 1 < args.count { values[args[i]] = args[i + 1]; i += 2 } else { positional.append(args[i]); i += 1 }
        }
    }

    func int(_ name: String, _ fallback: Int) -> Int { values[name].flatMap(Int.init) ?? fallback }

    /// The first positional argument as `SIZE` or `WxH` (each side at least `minimum`), or the
    /// usage line and exit.
    func size(minimum: Int, usage: String) -> (width: Int, height: Int) {
        let parts = (positional.first ?? "").split(separator: "x").compactMap { Int($0) }
        guard parts.count == 1 || parts.count == 2, parts.allSatisfy({ $0 >= minimum }) else { fail("usage: " + usage) }
        return (parts[0], parts.count == 2 ? parts[1] : parts[0])
    }
}

/// The total loss of `imagePath` (read from disk, resized to `size` only if its longest side differs).
func score(configuration c: StyleTransferConfiguration, weights: VGGWeights, imagePath: String) throws -> LossTerms {
    var single = c
    single.minSize = c.size
    let plan = try RunPlan.make(single, weights: weights)
    let transfer = try StyleTransfer(plan: plan, weights: weights, images: TransferImages.load(plan))
    let saved = try ImageFile.read(path: imagePath, maxPixels: c.maxPixels).image
        .resized(width: transfer.images.content.width, height: transfer.images.content.height)
    let objective = try transfer.objective(width: saved.width, height: saved.height)
    return try objective.evaluate(Preprocessing.tensor(from: saved, meanBGR: weights.meanBGR), gradient: false).terms
}

/// An output name for plans that only score (never written): the plan checks that its
/// folder exists and that it is not an input.
let unusedOutputPath = NSTemporaryDirectory() + "/stylize-bench-score-\(getpid()).png"

func benchConfiguration(_ o: BenchRunOptions, output: String) -> StyleTransferConfiguration {
    var c = StyleTransferConfiguration(contentPath: o.positional[0], stylePaths: [o.positional[1]], outputPath: output)
    c.contentWeight = 5
    c.styleWeight = .fixed(1e-3)  // the fixed objective, so figures stay comparable across versions
    c.tvWeight = 1
    c.size = o.int("--size", 512)
    c.minSize = o.int("--min-size", c.minSize)
    c.iterations = o.values["--iterations"].flatMap(Int.init)  // nil: the schedule's default
    c.coarseIterations = o.int("--coarse-iterations", c.coarseIterations)
    c.threads = o.int("--threads", 2)
    return c
}

func runBench(_ args: [String]) {
    let o = BenchRunOptions(args)
    guard o.positional.count == 2, let output = o.values["-o"] else {
        fail("usage: stylize-bench run CONTENT STYLE -o OUT.png [--size N] [--min-size N] [--iterations N] [--coarse-iterations N]")
    }
    do {
        let weights = try VGGWeights.load(from: WeightsLocator.resolve(explicit: o.values["--weights"]))
        let c = benchConfiguration(o, output: output)
        let threads = c.threads
        let t0 = Date()
        let path = try WeightsLocator.resolve(explicit: o.values["--weights"])
        let result = try StyleTransfer.run(configuration: c, weights: consume weights)
        let wall = Date().timeIntervalSince(t0)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let rss = Double(usage.ru_maxrss) / 1024
        let saved = try score(configuration: c, weights: VGGWeights.load(from: path), imagePath: output)
        let gap = saved.total / result.final.total - 1
        let scales = ScaleSchedule(width: c.size, height: c.size, settings: c.settings).scales
        let final = scales[scales.count - 1].iterations
        let schedule = scales.count > 1 ? "min-size \(c.minSize), \(c.coarseIterations) per coarse scale + \(final)"
                                        : "single scale, \(final)"
        print(String(format: "run %@ %@: size %d, %@ iterations, %d threads: %.1f s wall, %d evaluations, optimizer's final loss %.4e, saved PNG re-read %.4e (%+.2f%%), peak RSS %.0f MiB%@",
                     (c.contentPath as NSString).lastPathComponent, (c.stylePaths[0] as NSString).lastPathComponent,
                     c.size, schedule, threads, wall, result.evaluations,
                     result.final.total, saved.total, 100 * gap, rss,
                     result.stopReason.map { ", stopped: \($0.rawValue)" } ?? ""))
    } catch { fail("\(error)") }
}

func scoreBench(_ args: [String]) {
    let o = BenchRunOptions(args)
    guard o.positional.count == 3 else { fail("usage: stylize-bench score CONTENT STYLE IMAGE [--size N]") }
    do {
        let weights = try VGGWeights.load(from: WeightsLocator.resolve(explicit: o.values["--weights"]))
        let t = try score(configuration: benchConfiguration(o, output: unusedOutputPath), weights: weights, imagePath: o.positional[2])
        print(String(format: "score %@: total %.4e  content %.4e  style %.4e  tv %.4e",
                     (o.positional[2] as NSString).lastPathComponent, t.total, t.content, t.style, t.tv))
    } catch { fail("\(error)") }
}
