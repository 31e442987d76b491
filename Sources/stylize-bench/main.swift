import Foundation
import StylizeKit

// stylize-bench: seconds per evaluation (forward + gradient) of the default objective on
// the real VGG16 weights, GFLOP/s and peak resident memory.
//
// Usage: stylize-bench SIZE|WxH [--threads N] [--runs N] [--weights FILE] [--per-layer] [--device cpu|cuda [--gpu-math fp32|tf32]]
//        stylize-bench run … / stylize-bench score …   (whole runs; see RunBench.swift)
//        stylize-bench eval DIR…   (ratios of finished batch jobs; see EvalBench.swift)
//        stylize-bench transforms SIZE   (the Winograd tile transforms alone; see TransformBench.swift)
//        stylize-bench vectors SIZE   (the optimizer's work per iteration, by thread count; see VectorBench.swift)
//        stylize-bench threads SIZE   (an evaluation on a modelled machine of more cores; see ThreadBench.swift)
// One size per process, so that the peak RSS printed belongs to that size alone
// (`make bench` runs 256 and 512). Before timing it checks every convolution algorithm
// (im2col + sgemm and Winograd F(4×4, 3×3)) against the direct reference
// kernel on a real layer and prints the errors. --per-layer also times each convolution
// layer (forward + input gradient) with every algorithm at its size in the network.

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("stylize-bench: error: \(message)\n".utf8))
    exit(1)
}

var args = Array(CommandLine.arguments.dropFirst())
if args.first == "run" { runBench(Array(args.dropFirst())); exit(0) }
if args.first == "score" { scoreBench(Array(args.dropFirst())); exit(0) }
if args.first == "eval" { evalBench(Array(args.dropFirst())); exit(0) }
if args.first == "transforms" { transformBench(Array(args.dropFirst())); exit(0) }
if args.first == "vectors" { vectorBench(Array(args.dropFirst())); exit(0) }
if args.first == "threads" { threadBench(Array(args.dropFirst())); exit(0) }
func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    defer { args.removeSubrange(i...(i + 1)) }
    return args[i + 1]
}
let threads = Int(option("--threads") ?? "2") ?? 2
let runs = Int(option("--runs") ?? "5") ?? 5
let weightsOption = option("--weights")
let perLayer = args.contains("--per-layer")
let device = option("--device") ?? "cpu"
guard device == "cpu" || device == "cuda" else { fail("--device must be cpu or cuda, got '\(device)'") }
let mathText = option("--gpu-math") ?? "fp32"
guard let gpuMath = GPUMath(rawValue: mathText) else { fail("--gpu-math must be fp32 or tf32, got '\(mathText)'") }
args.removeAll { $0 == "--per-layer" }
// SIZE is a square; WxH (e.g. 512x341, a 3:2 photo at 512 px) a rectangle.
let sizeParts = (args.first ?? "").split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
guard (1...2).contains(sizeParts.count), sizeParts.allSatisfy({ ($0 ?? 0) >= 32 }) else {
    fail("usage: stylize-bench SIZE|WxH [--threads N] [--runs N] [--weights FILE] [--per-layer] [--device cpu|cuda [--gpu-math fp32|tf32]] (sides of at least 32)")
}
let width = sizeParts[0]!, height = sizeParts.last!!
let size = max(width, height)
let sizeLabel = width == height ? "\(size)" : "\(width)x\(height)"

let weights: VGGWeights
do {
    weights = try VGGWeights.load(from: WeightsLocator.resolve(explicit: weightsOption))
} catch { fail("\(error)") }

// Which kernels run the matrix products here (GEMMKernel measures them on first use).
print("gemm: \(GEMMKernel.description)")

// 1. Every fast convolution against the direct reference, forward and input gradient, on
// conv2_1 (64 → 128) of the real weights at 24×21. Errors are max |fast − direct| against
// max |direct|; the allowed ratio is per algorithm (WinogradTests explains F(4×4, 3×3)'s).
do {
    let layer = weights.layers[2]
    var rng = SystemRandomNumberGenerator()
    let x = Tensor3(channels: layer.inChannels, height: 24, width: 21,
                    data: (0..<(layer.inChannels * 504)).map { _ in Float.random(in: 0..<50, using: &rng) })
    let gy = Tensor3(channels: layer.outChannels, height: 24, width: 21,
                     data: (0..<(layer.outChannels * 504)).map { _ in Float.random(in: -1..<1, using: &rng) })
    let ref = Conv3x3Reference.forward(x, weight: layer.weight, bias: layer.bias, outChannels: layer.outChannels)
    let refGrad = Conv3x3Reference.backwardInput(gy, weight: layer.weight, inChannels: layer.inChannels)
    func maxError(_ a: [Float], _ b: [Float]) -> (Float, Float) {
        (zip(a, b).map { abs($0 - $1) }.max() ?? 0, b.map(abs).max() ?? 1)
    }
    let parallel = Parallel(threads: threads)
    for algorithm in Conv3x3.Algorithm.allCases {
        let conv = Conv3x3(inChannels: layer.inChannels, outChannels: layer.outChannels,
                           weight: layer.weight, bias: layer.bias, algorithm: algorithm)
        var out = Tensor3(zeros: 0, 0, 0), grad = Tensor3(zeros: 0, 0, 0), ws = Conv3x3.Workspace()
        conv.forward(x, into: &out, fuseReLU: false, workspace: &ws, parallel: parallel)
        conv.backwardInput(gy, into: &grad, workspace: &ws, parallel: parallel)
        let (ef, sf) = maxError(out.data, ref.data), (eb, sb) = maxError(grad.data, refGrad.data)
        let tolerance: Float = algorithm == .winograd4 ? 3e-5 : 1e-5
        guard ef <= tolerance * sf && eb <= tolerance * sb else {
            fail("\(algorithm) convolution disagrees with the direct reference: forward \(ef) of \(sf), gradient \(eb) of \(sb)")
        }
        print(String(format: "check: %@ %-9@ vs direct: forward max |error| %.1e of %.1e (%.1e), gradient %.1e of %.1e (%.1e)  ok",
                     layer.name, "\(algorithm)", ef, sf, ef / sf, eb, sb, eb / sb))
    }
}

// 2. The objective at width × height on smooth synthetic images.
let inputs = BenchInputs(width: width, height: height, meanBGR: weights.meanBGR)
do {
    let network = try VGGNetwork(weights: weights, pooling: .max, through: "relu5_1", parallel: Parallel(threads: threads))
    func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }
    /// Seconds of each of `runs` evaluations on `engine`, after a warm-up (buffers are
    /// allocated there). An evaluation returns its loss values, so a GPU has finished it.
    func measure<E: Engine>(_ engine: E) throws -> (times: [Double], cpuPerRun: Double) {
        let objective = try inputs.objective(on: engine)  // the fixed objective, comparable across versions
        let x = engine.vectors.upload(inputs.image.data)
        _ = try objective.evaluate(x)
        try engine.check()
        var times: [Double] = []
        let cpu0 = cpuSeconds()
        for _ in 0..<runs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = try objective.evaluate(x)
            try engine.check()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return (times, (cpuSeconds() - cpu0) / Double(runs))
    }
    var (times, cpuPerRun): ([Double], Double)
    if device == "cuda" {
        let backend = try CUDABackend(math: gpuMath)
        print("device: \(backend.name)")
        (times, cpuPerRun) = try measure(GPUEngine(network: network, backend: backend))
    } else {
        (times, cpuPerRun) = try measure(CPUEngine(network: network, threads: threads))
    }
    times.sort()
    let median = times[times.count / 2]
    // FLOPs as a direct convolution would count them: every conv up to relu5_1 forward
    // (2·H·W·OC·C·9) and its input gradient (same), plus the Gram matrices (2·N²·M) and their
    // backward (2·N²·M). This is an "effective" rate, the one to compare with PyTorch's
    // direct/im2col convolutions. Winograd F(4×4, 3×3) (every layer but conv1_1) really does
    // 36 multiply-adds per 4×4 tile and channel pair, i.e. 4× fewer (more on edge tiles
    // when H or W is not a multiple of 4), plus its tile transforms; "real" counts those
    // GEMM multiply-adds.
    var flop = 0.0, realFlop = 0.0
    for (i, stage) in network.stages.enumerated() {
        if case .conv(_, _, let conv) = stage {
            let s = network.outputSize(ofStage: i, width: width, height: height)
            let direct = 2 * 2 * Double(s.width * s.height * conv.outChannels * conv.inChannels * 9)
            flop += direct
            switch conv.algorithm {
            case .im2col: realFlop += direct
            case .winograd4:
                let tiles: Int = ((s.width + 3) / 4) * ((s.height + 3) / 4)
                realFlop += 4 * Double(tiles * 36 * conv.outChannels * conv.inChannels)
            }
        }
    }
    for layer in StyleTransferConfiguration(contentPath: "", stylePaths: [], outputPath: "").styleLayers.names {
        let i = network.stageIndex(of: layer)!
        let s = network.outputSize(ofStage: i, width: width, height: height)
        let n = Double(network.channels(ofStage: i))
        flop += 2 * 2 * n * n * Double(s.width * s.height)
        realFlop += 2 * 2 * n * n * Double(s.width * s.height)
    }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let rssMB = Double(usage.ru_maxrss) / 1024
    let precision = device == "cuda" ? "%.4f" : "%.3f"
    print(String(format: "size %@  %@  median \(precision) s/evaluation (min \(precision), max \(precision), %d runs)  %.1f GFLOP/evaluation  %.1f effective GFLOP/s (%.1f real)  CPU %.2f s/evaluation  peak RSS %.0f MB",
                 sizeLabel, device == "cuda" ? "cuda" : "threads \(threads)", median, times.first!, times.last!, runs, flop / 1e9, flop / median / 1e9, realFlop / median / 1e9, cpuPerRun, rssMB))
    if perLayer { timeLayers(network, width: width, height: height, runs: runs, parallel: Parallel(threads: threads)) }
} catch { fail("\(error)") }

/// Median seconds of forward + input gradient of every convolution layer at its size in the
/// network, with each algorithm (for choosing `Conv3x3.defaultAlgorithm`).
func timeLayers(_ network: VGGNetwork, width: Int, height: Int, runs: Int, parallel: Parallel) {
    for (i, stage) in network.stages.enumerated() {
        guard case .conv(_, let name, let conv) = stage else { continue }
        let s = network.outputSize(ofStage: i, width: width, height: height)
        let layer = weights.layers.first { $0.name == name }!
        var rng = SystemRandomNumberGenerator()
        let x = Tensor3(channels: conv.inChannels, height: s.height, width: s.width,
                        data: (0..<(conv.inChannels * s.height * s.width)).map { _ in Float.random(in: 0..<50, using: &rng) })
        let gy = Tensor3(channels: conv.outChannels, height: s.height, width: s.width,
                         data: (0..<(conv.outChannels * s.height * s.width)).map { _ in Float.random(in: -1..<1, using: &rng) })
        var line = String(format: "layer %@ %3d → %3d at %3d×%-3d", name, conv.inChannels, conv.outChannels, s.height, s.width)
        for algorithm in Conv3x3.Algorithm.allCases {
            let c = Conv3x3(inChannels: conv.inChannels, outChannels: conv.outChannels,
                            weight: layer.weight, bias: layer.bias, algorithm: algorithm)
            var out = Tensor3(zeros: 0, 0, 0), grad = Tensor3(zeros: 0, 0, 0), ws = Conv3x3.Workspace()
            var fw: [Double] = [], bw: [Double] = []
            for _ in 0...runs {
                let t0 = DispatchTime.now().uptimeNanoseconds
                c.forward(x, into: &out, fuseReLU: true, workspace: &ws, parallel: parallel)
                let t1 = DispatchTime.now().uptimeNanoseconds
                c.backwardInput(gy, into: &grad, workspace: &ws, parallel: parallel)
                let t2 = DispatchTime.now().uptimeNanoseconds
                fw.append(Double(t1 - t0) / 1e6); bw.append(Double(t2 - t1) / 1e6)
            }
            fw.sort(); bw.sort()
            line += String(format: "   %@ %6.1f + %6.1f ms", "\(algorithm)", fw[fw.count / 2], bw[bw.count / 2])
        }
        print(line)
    }
}
