import Foundation
@testable import StylizeKit
@testable import StylizeKernels

/// The thread count of the engines and kernels under test: 2, so every parallel split runs.
let testThreads = 2
let testParallel = Parallel(threads: testThreads)

/// A CPU engine for `network` with the tests' threads.
func testEngine(_ network: VGGNetwork, workspaceBudget: Int = Conv3x3.Workspace.defaultBudget) -> CPUEngine {
    CPUEngine(network: network, threads: testThreads, workspaceBudget: workspaceBudget)
}

/// Deterministic pseudo-random numbers for test data (SplitMix64).
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * Double(next() >> 11) / Double(1 << 53)
    }
    mutating func floats(_ n: Int, _ lo: Double, _ hi: Double) -> [Float] {
        (0..<n).map { _ in Float(uniform(lo, hi)) }
    }
}

/// A small synthetic VGG-shaped network: block 1 has `c1` channels × 2 convs, block 2 has
/// `c2` channels × 2 convs. He-style weight scale keeps activations O(1)…O(100).
func syntheticWeights(c1: Int = 4, c2: Int = 6, seed: UInt64 = 1) -> VGGWeights {
    var rng = SeededRandom(seed: seed)
    var layers: [ConvLayerWeights] = []
    var inC = 3
    for (block, c) in [(1, c1), (2, c2)] {
        for index in 1...2 {
            let scale = (2.0 / Double(inC * 9)).squareRoot() * 1.7
            layers.append(ConvLayerWeights(block: block, index: index,
                                           outChannels: c, inChannels: inC,
                                           weight: rng.floats(c * inC * 9, -scale, scale),
                                           bias: rng.floats(c, -0.5, 1.0)))
            inC = c
        }
    }
    return VGGWeights(layers: layers, meanBGR: [103.939, 116.779, 123.68])
}

func randomTensor(_ c: Int, _ h: Int, _ w: Int, seed: UInt64, range: (Double, Double) = (-1, 1)) -> Tensor3 {
    var rng = SeededRandom(seed: seed)
    return Tensor3(channels: c, height: h, width: w, data: rng.floats(c * h * w, range.0, range.1))
}

/// Maximum over elements of |a − b| / (|b| + floor·max|b|): a relative error that does not
/// blow up on entries near zero.
func maxRelativeError(_ a: [Float], _ b: [Float], floor: Double = 1e-3) -> Double {
    precondition(a.count == b.count)
    let scale = b.map { abs(Double($0)) }.max() ?? 0
    var worst = 0.0
    for i in 0..<a.count {
        let e = abs(Double(a[i]) - Double(b[i])) / (abs(Double(b[i])) + floor * scale + 1e-30)
        worst = max(worst, e)
    }
    return worst
}

/// Path of a file under the package root (for fixtures in the repository, e.g. weights):
/// `$STYLIZE_PACKAGE_ROOT` when set (the test binary carried to the GPU machine, whose
/// checkout is elsewhere), else the checkout this file was compiled in.
func packagePath(_ relative: String) -> String {
    if let root = ProcessInfo.processInfo.environment["STYLIZE_PACKAGE_ROOT"], !root.isEmpty {
        return URL(fileURLWithPath: root).appendingPathComponent(relative).path
    }
    let here = URL(fileURLWithPath: #filePath)  // …/Tests/StylizeKitTests/TestSupport.swift
    return here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(relative).path
}
