import XCTest
@testable import StylizeKit
@testable import StylizeKernels

/// The C tile transforms (`Sources/CKernels/winograd.c`, every width this CPU runs) against the
/// Swift reference (`Conv3x3+Winograd4Transforms.swift`): the same bits, transform by transform
/// and through whole layers, on grids whose chunks start and end inside tile rows.
final class WinogradTransformTests: XCTestCase {
    /// Values with every sign and many magnitudes, so that any reordered or fused operation
    /// would show in the last bit somewhere.
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { _ in Float(rng.uniform(-1, 1) * pow(10, rng.uniform(-3, 3))) }
    }

    /// Runs one transform over every chunk of the grid with `transforms`, starting from
    /// `start` (the scatter adds into it), and returns what it wrote.
    static func run(_ which: Int, _ transforms: Winograd4.Transforms, c: Int, h: Int, w: Int, chunk: Int, pad: Int,
                    start: [Float], source: [Float], bias: [Float]) -> [Float] {
        let tw = (w + 3) / 4, tiles = ((h + 3) / 4) * tw
        let grid = Winograd4.Grid(height: h, width: w, tilesWide: tw, stride: chunk, planePad: pad)
        var result = start
        source.withUnsafeBufferPointer { src in
            bias.withUnsafeBufferPointer { b in
                result.withUnsafeMutableBufferPointer { dst in
                    var t0 = 0
                    while t0 < tiles {
                        let n = min(chunk, tiles - t0)
                        // Each chunk writes its own plane rows; the image transforms fill the image.
                        let v = dst.baseAddress!
                        switch which {
                        case 0, 2:
                            Winograd4.transformIn(src.baseAddress!, transposed: which == 2, channels: c, grid: grid, firstTile: t0,
                                                  count: n, into: v, transforms: transforms, parallel: testParallel)
                        default:
                            Winograd4.transformOut(src.baseAddress!, transposed: which == 3, channels: c, grid: grid,
                                                   firstTile: t0, count: n, bias: b.baseAddress, relu: which == 1 && c % 2 == 0,
                                                   into: v, transforms: transforms, parallel: testParallel)
                        }
                        t0 += n
                    }
                }
            }
        }
        return result
    }

    func testVectorTransformsGiveTheReferenceBits() {
        let kinds = Winograd4.Transforms.available.filter { $0 != .reference }
        XCTAssertEqual(kinds.first, .vector(0), "the baseline C kernel runs on every CPU")
        // (C, H, W, tiles per chunk, plane pad): odd sizes, one-pixel images, chunks of 1…7
        // tiles that split tile rows, and a whole image in one chunk.
        let shapes = [(3, 1, 1, 1, 0), (2, 5, 9, 2, 16), (4, 13, 6, 3, 5), (5, 9, 23, 7, 16), (6, 16, 16, 16, 0),
                      (3, 7, 4, 1, 16), (4, 2, 30, 5, 3)]
        for (c, h, w, chunk, pad) in shapes {
            let planes = 36 * (c * chunk + pad)
            let image = WinogradTransformTests.values(c * h * w, seed: UInt64(c * 100 + h * 10 + w))
            let m = WinogradTransformTests.values(planes, seed: UInt64(7 + h * w))
            let bias = WinogradTransformTests.values(c, seed: 3)
            let zeroPlanes = [Float](repeating: 0, count: planes)
            let zeroImage = [Float](repeating: 0, count: c * h * w)
            let cases: [(String, Int, [Float], [Float])] = [("input", 0, zeroPlanes, image), ("output", 1, zeroImage, m),
                                                            ("gradient", 2, zeroPlanes, image), ("scatter", 3, image, m)]
            for (name, which, start, source) in cases {
                let ref = WinogradTransformTests.run(which, .reference, c: c, h: h, w: w, chunk: chunk, pad: pad,
                                                     start: start, source: source, bias: bias)
                XCTAssertNotEqual(ref, start, "\(name) \(c)×\(h)×\(w) wrote something")
                for kind in kinds {
                    let fast = WinogradTransformTests.run(which, kind, c: c, h: h, w: w, chunk: chunk, pad: pad,
                                                          start: start, source: source, bias: bias)
                    let differ = ref.indices.first { fast[$0].bitPattern != ref[$0].bitPattern }
                    XCTAssertNil(differ, "\(name) \(kind) on \(c)×\(h)×\(w), chunks of \(chunk), pad \(pad): "
                                 + "first differing value at \(differ ?? -1)")
                }
            }
        }
    }

    /// A whole layer, forward (bias and ReLU fused) and backward, with the C transforms of each
    /// width and with the reference: the same bits, on a grid of several chunks.
    func testLayersGiveTheReferenceBits() {
        let (c, oc, h, w) = (16, 24, 19, 22)
        let (weight, bias) = WinogradTests.vggScaleWeights(c, oc, seed: 11)
        let x = WinogradTests.reluLike(c, h, w, seed: 12)
        let gy = randomTensor(oc, h, w, seed: 13)
        func run(_ t: Winograd4.Transforms) -> ([UInt32], [UInt32]) {
            let layer = Winograd4(weight: weight, outChannels: oc, inChannels: c, transforms: t, parallel: testParallel)
            var ws = Conv3x3.Workspace(budget: 36 * (c + oc) * 9)
            var out = Tensor3(zeros: oc, h, w), grad = Tensor3(zeros: c, h, w)
            layer.convolve(x, transposed: false, bias: bias, relu: true, into: &out, workspace: &ws, parallel: testParallel)
            layer.convolve(gy, transposed: true, into: &grad, workspace: &ws, parallel: testParallel)
            // The backward overwrites its output: a buffer left dirty by an earlier layer gives the same bits.
            var dirty = Tensor3(channels: c, height: h, width: w, data: Array(repeating: 7.5, count: c * h * w))
            layer.convolve(gy, transposed: true, into: &dirty, workspace: &ws, parallel: testParallel)
            XCTAssertEqual(dirty.data.map(\.bitPattern), grad.data.map(\.bitPattern), "backward with \(t) into a dirty buffer")
            return (out.data.map(\.bitPattern), grad.data.map(\.bitPattern))
        }
        let ref = run(.reference)
        XCTAssertGreaterThan(Set(ref.0).count, oc * h * w / 4, "a forward output with many distinct values")
        for t in Winograd4.Transforms.available where t != .reference {
            let fast = run(t)
            XCTAssertEqual(fast.0, ref.0, "forward with \(t): not the reference's bits")
            XCTAssertEqual(fast.1, ref.1, "backward with \(t): not the reference's bits")
        }
    }
}
