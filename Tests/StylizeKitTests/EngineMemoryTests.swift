import XCTest
@testable import StylizeKit
@testable import StylizeKernels

/// The compact backward caches (ReLU masks as bits, max-pool argmax bytes) against the
/// kernels that read whole activations, and an engine keeping only the loss layers against
/// one keeping every stage. Both must agree exactly: they route the same values.
final class EngineMemoryTests: XCTestCase {
    func testReLUMaskMatchesTheActivationMask() {
        // 3·61·67 = 12 261 entries: several 64-bit words, a partial last word, and above the
        // 32 768-element threshold of the parallel loop once costs are counted per word.
        var rng = SeededRandom(seed: 5)
        let a = Tensor3(channels: 3, height: 61, width: 67, data: rng.floats(3 * 61 * 67, -1, 1).map { max($0, 0) })
        let g0 = randomTensor(3, 61, 67, seed: 6)
        var expected = g0, actual = g0
        ReLU.backward(&expected, activation: a, parallel: testParallel)
        // ReLU.backward works 16 lanes at a time; the definition, value by value:
        XCTAssertEqual(expected.data, zip(g0.data, a.data).map { $1 > 0 ? $0 : 0 })
        var mask = ReLUMask()
        mask.record(a, parallel: testParallel)
        mask.backward(&actual, parallel: testParallel)
        XCTAssertEqual(actual.data, expected.data)
        XCTAssertEqual(mask.words.count, (a.count + 63) / 64)
        XCTAssertTrue(actual.data.contains(0) && actual.data.contains { $0 != 0 })
    }

    /// The C kernels of `stylize_relu.h`, every kind this CPU runs, against the Swift loops:
    /// the same words and the same gradient bits, with a partial last word, NaN and −0
    /// activations, words of all ones (skipped) and all zeros, and a thread split of the words.
    func testReLUMaskKernelsGiveTheSwiftLoopsBits() {
        var rng = SeededRandom(seed: 11)
        let n = 3 * 131 * 97  // 38 121 = 595 words + 41: above the parallel loop's threshold
        var a = rng.floats(n, -1, 1).map { max($0, 0) }
        a[5] = .nan; a[6] = -0.0; a[200] = -.nan
        for i in 64..<128 { a[i] = 1 + Float(i) }  // word 1: all ones
        for i in 128..<192 { a[i] = 0 }  // word 2: all zeros
        let activation = Tensor3(channels: 3, height: 131, width: 97, data: a)
        let g0 = Tensor3(channels: 3, height: 131, width: 97, data: rng.floats(n, -3, 3).map { $0 == 0 ? -0.0 : $0 })
        var reference = ReLUMask(), expected = g0
        reference.record(activation, kind: nil, parallel: testParallel)
        reference.backward(&expected, kind: nil, parallel: testParallel)
        XCTAssertEqual(expected.data.map(\.bitPattern), zip(g0.data, a).map { ($1 > 0 ? $0 : 0).bitPattern })
        XCTAssertEqual(reference.words[1], .max)
        XCTAssertEqual(reference.words[2], 0)
        let kinds = Winograd4.Transforms.available.compactMap { t -> Int32? in
            if case .vector(let k) = t { return k } else { return nil }
        }
        XCTAssertFalse(kinds.isEmpty)
        for kind in kinds {
            for parallel in [Parallel(threads: 1), Parallel(threads: 3)] {
                var mask = ReLUMask(), actual = g0
                mask.record(activation, kind: kind, parallel: parallel)
                XCTAssertEqual(mask.words, reference.words, "kind \(kind)")
                mask.backward(&actual, kind: kind, parallel: parallel)
                XCTAssertEqual(actual.data.map(\.bitPattern), expected.data.map(\.bitPattern), "kind \(kind)")
            }
        }
    }

    /// The engine's reused buffers: shrinking keeps the values and the capacity (no new
    /// storage, no pass over the values), growing within the capacity appends zeros.
    func testReshapeKeepsStorageAndZeroesOnlyTheGrowth() {
        var t = Tensor3(channels: 2, height: 3, width: 4, data: (0..<24).map(Float.init))
        let capacity = t.data.capacity
        t.reshape(channels: 1, height: 2, width: 5)
        XCTAssertEqual(t.data, (0..<10).map(Float.init))
        XCTAssertEqual(t.data.capacity, capacity)
        t.reshape(channels: 4, height: 1, width: 4)
        XCTAssertEqual(t.data, (0..<10).map(Float.init) + Array(repeating: 0, count: 6))
        XCTAssertEqual(t.data.capacity, capacity)
        t.reshape(channels: 5, height: 5, width: 5)
        XCTAssertEqual(t.data, Array(repeating: 0, count: 125))
        XCTAssertEqual(t.count, 125)
    }

    func testMaxPoolIndicesMatchPoolingWithTheInput() {
        for (c, h, w) in [(3, 7, 9), (16, 64, 66), (2, 2, 2)] {
            var rng = SeededRandom(seed: UInt64(h))
            // Ties on purpose: rounded values make equal maxima common; the first one wins in both.
            let x = Tensor3(channels: c, height: h, width: w, data: rng.floats(c * h * w, 0, 4).map { $0.rounded() })
            var y0 = Tensor3(zeros: 0, 0, 0), y1 = y0
            Pool2x2.forward(x, mode: .max, into: &y0, parallel: testParallel)
            var indices = MaxPoolIndices()
            indices.forward(x, into: &y1, parallel: testParallel)
            XCTAssertEqual(y1.data, y0.data)
            let r = randomTensor(c, h / 2, w / 2, seed: 9)
            var g0 = Tensor3(zeros: 0, 0, 0), g1 = g0
            Pool2x2.backward(r, input: x, mode: .max, into: &g0, parallel: testParallel)
            indices.backward(r, into: &g1, parallel: testParallel)
            XCTAssertEqual(g1.data, g0.data, "\(c)x\(h)x\(w)")
        }
    }

    /// The C kernels of `stylize_maxpool.h`, every kind this CPU runs, against the Swift
    /// loops: the same outputs, argmax bytes and gradient bits, with ties, NaN and −0 inputs,
    /// odd heights and widths (a dropped row and column), rows longer and shorter than a
    /// vector, a gradient buffer holding old values (every value must be written) and a thread
    /// split of the channels.
    func testMaxPoolKernelsGiveTheSwiftLoopsBits() {
        let kinds = Winograd4.Transforms.available.compactMap(\.kind)
        XCTAssertFalse(kinds.isEmpty)
        for (c, h, w) in [(5, 9, 75), (3, 6, 14), (2, 64, 96)] {
            var rng = SeededRandom(seed: UInt64(w))
            var data = rng.floats(c * h * w, -2, 2).map { ($0 * 2).rounded() / 2 }  // many ties
            data[1] = .nan; data[2 * w + 3] = .nan; data[4] = -0.0; data[w + 5] = -0.0
            let x = Tensor3(channels: c, height: h, width: w, data: data)
            let r = Tensor3(channels: c, height: h / 2, width: w / 2,
                            data: rng.floats(c * (h / 2) * (w / 2), -3, 3).map { $0 > 2.5 ? -0.0 : $0 })
            var reference = MaxPoolIndices(), y0 = Tensor3(zeros: 0, 0, 0), g0 = y0
            reference.forward(x, into: &y0, kind: nil, parallel: testParallel)
            reference.backward(r, into: &g0, kind: nil, parallel: testParallel)
            XCTAssertTrue(Set(reference.index) == [0, 1, 2, 3], "\(c)x\(h)x\(w)")
            for kind in kinds {
                for parallel in [Parallel(threads: 1), Parallel(threads: 3)] {
                    var indices = MaxPoolIndices()
                    var y1 = Tensor3(channels: c, height: h / 2, width: w / 2, data: Array(repeating: 7, count: y0.count))
                    var g1 = Tensor3(channels: c, height: h, width: w, data: Array(repeating: 7, count: g0.count))
                    indices.forward(x, into: &y1, kind: kind, parallel: parallel)
                    XCTAssertEqual(y1.data.map(\.bitPattern), y0.data.map(\.bitPattern), "kind \(kind), \(c)x\(h)x\(w)")
                    XCTAssertEqual(indices.index, reference.index, "kind \(kind), \(c)x\(h)x\(w)")
                    indices.backward(r, into: &g1, kind: kind, parallel: parallel)
                    XCTAssertEqual(g1.data.map(\.bitPattern), g0.data.map(\.bitPattern), "kind \(kind), \(c)x\(h)x\(w)")
                }
            }
        }
    }

    func testAveragePoolBackwardNeedsOnlySizes() {
        let x = randomTensor(3, 7, 9, seed: 3), r = randomTensor(3, 3, 4, seed: 4)
        var g0 = Tensor3(zeros: 0, 0, 0), g1 = g0
        Pool2x2.backward(r, input: x, mode: .average, into: &g0, parallel: testParallel)
        Pool2x2.backwardAverage(r, inputHeight: 7, inputWidth: 9, into: &g1, parallel: testParallel)
        XCTAssertEqual(g1.data, g0.data)
    }

    /// 16 and 24 channels, so every convolution but the first runs Winograd, and 44×48 puts
    /// every stage above the parallel loop's 32 768 threshold (pool1: 16 · 44 · 48 = 33 792).
    func testEngineKeepingOnlyLossLayersGivesTheSameGradient() throws {
        let weights = syntheticWeights(c1: 16, c2: 24, seed: 4)
        for pooling in Pooling.allCases {
            let net = try VGGNetwork(weights: weights, pooling: pooling, through: "relu2_2")
            let x = randomTensor(3, 44, 48, seed: 8, range: (-100, 100))
            let algorithms: [Conv3x3.Algorithm] = net.stages.compactMap {
                if case .conv(_, _, let conv) = $0 { return conv.algorithm } else { return nil }
            }
            XCTAssertEqual(algorithms, [.im2col, .winograd4, .winograd4, .winograd4])
            let last = net.stages.count - 1
            let loss = [0, last]  // relu1_1 and relu2_2 read; relu1_2 and pool1 not
            let all = testEngine(net), lean = testEngine(net)
            var grads: [[Float]] = []
            for (engine, keeping) in [(all, Set(0...last)), (lean, Set(loss))] {
                for _ in 0..<2 {  // twice: buffers reused from the first pass must not leak into the second
                    try engine.forward(x, through: last, keeping: keeping)
                    let g = engine.backward(from: last) { i, grad in
                        guard loss.contains(i) else { return }
                        let f = engine.activations[i]
                        for k in 0..<f.count { grad![k] += f.data[k] * Float(k % 5 + 1) * 1e-3 }
                    }
                    grads.append(g)
                }
            }
            XCTAssertEqual(grads[1], grads[0])
            XCTAssertEqual(grads[2], grads[0], "\(pooling)")
            XCTAssertEqual(grads[3], grads[0], "\(pooling)")
            XCTAssertEqual(lean.activations[1].count, 0, "relu1_2 is not kept")
            XCTAssertTrue(grads[0].contains { $0 != 0 })
        }
    }
}
