import Foundation
import StylizeKit

// `stylize-bench eval`: scores every finished job of one or more batch folders (`make eval`
// runs them) in the units of `--style-weight auto`, and compares with PyTorch.
//
//   stylize-bench eval DIR... [--torch FILE.jsonl] [--torch-time FILE.jsonl] [--threads 2] [--weights FILE]
//
// For each job, the saved image read back from disk: the style ratio L_s(out) / L_s(photo)
// (at most 0.10 by the default's criterion) and the content ratio L_c(out) / L_c(painting)
// (at most 0.5), the job's β, wall seconds and evaluations. With --torch (JSON lines that
// `tools/bench_torch.py run` printed), a job whose photo, painting and size match a PyTorch
// run and whose weights were explicit is also scored with the total of that objective, next
// to PyTorch's saved PNG's total (rescored here when the PNG is still on disk). With
// --torch-time (short `bench_torch.py run`s of the same pairs, timed beside these jobs on the
// same host), PyTorch's time for 300 iterations is 300 times its seconds per evaluation (it
// makes exactly one per iteration), and the job's wall time is given as a fraction of it.

struct TorchReference {
    var content: String, style: String, size: Int
    var total: Double
    var output: String?
    var secondsPerEvaluation: Double?
    var weights: (Double, Double, Double)

    static func read(_ path: String) throws -> [TorchReference] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("{"),
                  let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  o["cmd"] as? String == "run",
                  let c = o["content_path"] as? String, let s = o["style_path"] as? String,
                  let w = o["width"] as? Int, let h = o["height"] as? Int,
                  let saved = o["saved_png_terms"] as? [String: Any], let total = saved["total"] as? Double,
                  let wt = o["weights"] as? [String: Double] else { return nil }
            return TorchReference(content: (c as NSString).lastPathComponent, style: (s as NSString).lastPathComponent,
                                  size: max(w, h), total: total, output: o["output"] as? String,
                                  secondsPerEvaluation: o["s_per_evaluation"] as? Double,
                                  weights: (wt["content"] ?? 5, wt["style"] ?? 1e-3, wt["tv"] ?? 1))
        }
    }
}

/// One job's configuration from its record: the inputs, the size and the three weights (the
/// other options of an evaluation batch are the defaults).
func evalConfiguration(_ r: RunRecord, threads: Int) -> StyleTransferConfiguration? {
    var c = StyleTransferConfiguration(contentPath: r.content, stylePaths: [r.style], outputPath: unusedOutputPath)
    guard let size = r.params["size"].flatMap(Int.init) else { return nil }
    c.size = size
    c.minSize = size
    c.threads = threads
    if let a = r.params["content-weight"].flatMap(Double.init) { c.contentWeight = a }
    if let g = r.params["tv-weight"].flatMap(Double.init) { c.tvWeight = g }
    if let b = r.params["style-weight"].flatMap(Double.init) { c.styleWeight = .fixed(b) }
    return c
}

func evalBench(_ args: [String]) {
    let o = BenchRunOptions(args)
    guard !o.positional.isEmpty else { fail("usage: stylize-bench eval DIR... [--torch FILE.jsonl] [--threads N]") }
    do {
        let weightsPath = try WeightsLocator.resolve(explicit: o.values["--weights"])
        let weights = try VGGWeights.load(from: weightsPath)
        let torch = try o.values["--torch"].map(TorchReference.read) ?? []
        let torchTime = try o.values["--torch-time"].map(TorchReference.read) ?? []
        let threads = o.int("--threads", 2)
        let timed = !torchTime.isEmpty
        print("| photo | painting | size | style ratio | content ratio | β (final scale) | seconds | evaluations | "
              + (timed ? "PyTorch, 300 iterations (s) | time / PyTorch's | " : "")
              + "PyTorch's saved PNG | this saved PNG | this / PyTorch |")
        print("|---|---|---|---|---|---|---|---|---|---|---|" + (timed ? "---|---|" : ""))
        var worstStyle = 0.0, worstContent = 0.0, failed = 0, seconds = 0.0, jobs = 0
        var worstAgainstTorch: Double?, worstTime: Double?
        for folder in o.positional {
            for r in RunRecord.latest(RunRecord.read(folder: folder)) where r.status == .done {
                guard let c = evalConfiguration(r, threads: threads) else { continue }
                let plan = try RunPlan.make(c, weights: weights)
                let transfer = try StyleTransfer(plan: plan, weights: weights, images: TransferImages.load(plan))
                let size = (transfer.images.content.width, transfer.images.content.height)
                func read(_ path: String) throws -> RGBImage {
                    try ImageFile.read(path: path, maxPixels: c.maxPixels).image.resized(width: size.0, height: size.1)
                }
                let s = try transfer.scores(of: read(folder + "/" + r.output))
                let photo = (r.content as NSString).lastPathComponent, painting = (r.style as NSString).lastPathComponent
                var versus = ["", "", ""]
                if case .fixed(let beta) = c.styleWeight,
                   let t = torch.first(where: { $0.content == photo && $0.style == painting && $0.size == c.size
                                               && $0.weights == (c.contentWeight, beta, c.tvWeight) }) {
                    var theirs = t.total
                    if let png = t.output, FileManager.default.fileExists(atPath: png) {
                        theirs = try transfer.scores(of: read(png)).terms.total
                    }
                    let ratio = s.terms.total / theirs
                    worstAgainstTorch = max(worstAgainstTorch ?? ratio, ratio)
                    versus = [String(format: "%.4e", theirs), String(format: "%.4e", s.terms.total), String(format: "%.3f", ratio)]
                }
                var time: [String] = []
                if timed {
                    time = ["", ""]
                    if let t = torchTime.first(where: { $0.content == photo && $0.style == painting && $0.size == c.size }),
                       let perEvaluation = t.secondsPerEvaluation {
                        let ratio = r.seconds / (300 * perEvaluation)
                        worstTime = max(worstTime ?? ratio, ratio)
                        time = [String(format: "%.0f", 300 * perEvaluation), String(format: "%.3f", ratio)]
                    }
                }
                let bad = s.styleRatio > 0.10 || s.contentRatio > 0.5
                if bad { failed += 1 }
                worstStyle = max(worstStyle, s.styleRatio)
                worstContent = max(worstContent, s.contentRatio)
                seconds += r.seconds
                jobs += 1
                let beta = r.final?.styleWeight.map { String(format: "%.3g", $0) } ?? "?"
                let cells = [photo, painting, "\(c.size)", String(format: "%.4f", s.styleRatio) + (s.styleRatio > 0.10 ? " ✗" : ""),
                             String(format: "%.3f", s.contentRatio) + (s.contentRatio > 0.5 ? " ✗" : ""), beta,
                             String(format: "%.1f", r.seconds), "\(r.evaluations)"] + time + versus
                print("| " + cells.joined(separator: " | ") + " |")
            }
        }
        print(String(format: "%d jobs, %.0f s of job time; worst style ratio %.4f (criterion ≤ 0.10), worst content ratio %.3f (≤ 0.5); %d outside",
                     jobs, seconds, worstStyle, worstContent, failed))
        if let w = worstAgainstTorch {
            print(String(format: "against PyTorch's saved 300-iteration PNG: worst ratio %.3f (criterion ≤ 1)", w))
        }
        if let w = worstTime {
            print(String(format: "time against PyTorch's 300 iterations: worst %.3f (criterion ≤ 0.15)", w))
        }
    } catch { fail("\(error)") }
}
