import Foundation
import XCTest
@testable import StylizeKit

/// The CUDA kernels' arithmetic and indexing checked on the CPU, where no GPU is: each `.cu`
/// source is compiled as C++ by the toolchain's clang with a small prelude that makes
/// `__global__`/`__device__` plain functions. Kernels without a block reduction run as every
/// thread of a small grid (3 blocks of 5), one after another, which checks their grid-stride
/// indexing; those with one run as one block of one thread (a block sum of one thread is its
/// own value). The results are compared with the CPU kernels, and the Winograd transforms,
/// around a plain float64 product for the 36 GEMMs, with the direct convolution. What this
/// cannot show (launch geometry, shared memory across threads, cuBLAS) is for
/// `CUDAKernelGPUTests` on a GPU.
final class CUDAKernelEmulationTests: XCTestCase {
    func kernel<T>(_ name: String, as: T.Type) throws -> T { try KernelEmulation.symbol(name, as: T.self) }

    /// Runs `body` once as each thread of `grid` blocks of `block` threads (1 × 1: the reductions).
    func threads(grid: UInt32 = 3, block: UInt32 = 5, _ body: () throws -> Void) throws {
        let set = try kernel("emulate_thread", as: (@convention(c) (UInt32, UInt32, UInt32, UInt32) -> Void).self)
        defer { set(1, 1, 0, 0) }
        for b in 0..<grid { for t in 0..<block { set(grid, block, b, t); try body() } }
    }

    typealias Elementwise = @convention(c) (UnsafeMutablePointer<Float>, UnsafeMutablePointer<UInt8>, Int) -> Void
    typealias Pool = @convention(c) (UnsafePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<UInt8>,
                                     Int32, Int32, Int32) -> Void
    typealias PoolBack = @convention(c) (UnsafePointer<Float>, UnsafePointer<UInt8>, UnsafeMutablePointer<Float>,
                                         Int32, Int32, Int32) -> Void
    typealias Content = @convention(c) (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>?, Int,
                                        UnsafeMutablePointer<Float>?, Float, UnsafeMutablePointer<Double>, Int) -> Void
    typealias TV = @convention(c) (UnsafePointer<Float>, UnsafeMutablePointer<Float>?, Float, UnsafeMutablePointer<Double>,
                                   Int32, Int32, Int32) -> Void
    typealias Transform = @convention(c) (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int32, Int32, Int32, Int32,
                                          Int32) -> Void
    typealias Output = @convention(c) (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int32,
                                       Int32, Int32, Int32, Int32, Int32) -> Void

    func testReLUAndMaxPool() throws {
        let x = randomTensor(3, 9, 11, seed: 1)
        var y = x.data, mask = [UInt8](repeating: 9, count: x.count)
        try threads { try kernel("relu_forward", as: Elementwise.self)(&y, &mask, x.count) }
        XCTAssertEqual(y, x.data.map { max($0, 0) })
        var cpuMask = ReLUMask()
        cpuMask.record(x, parallel: testParallel)
        var g = randomTensor(3, 9, 11, seed: 2), gk = g.data
        let backward = try kernel("relu_backward", as: (@convention(c) (UnsafeMutablePointer<Float>, UnsafePointer<UInt8>, Int) -> Void).self)
        try threads { backward(&gk, mask, x.count) }
        cpuMask.backward(&g, parallel: testParallel)
        XCTAssertEqual(gk, g.data)

        var pool = MaxPoolIndices(), out = Tensor3(zeros: 0, 0, 0)
        pool.forward(x, into: &out, parallel: testParallel)
        var ko = [Float](repeating: 0, count: out.count), ki = [UInt8](repeating: 9, count: out.count)
        try threads { try kernel("maxpool2x2_forward", as: Pool.self)(x.data, &ko, &ki, 3, 9, 11) }
        XCTAssertEqual(ko, out.data)
        XCTAssertEqual(ki, pool.index)
        let gOut = randomTensor(3, 4, 5, seed: 3)
        var gIn = Tensor3(zeros: 0, 0, 0), kg = [Float](repeating: 7, count: x.count)
        pool.backward(gOut, into: &gIn, parallel: testParallel)
        try threads { try kernel("maxpool2x2_backward", as: PoolBack.self)(gOut.data, ki, &kg, 3, 9, 11) }
        XCTAssertEqual(kg, gIn.data)
    }

    func testContentAndTotalVariationTerms() throws {
        let f = randomTensor(8, 6, 7, seed: 4), p = randomTensor(8, 6, 7, seed: 5)
        var partial = [Double](repeating: 0, count: 1)
        let norm = 4 * Double(f.channels) * Double(f.positions)
        let weights = ContentFocus.energyWeights(target: p.data, channels: p.channels)
        for w in [nil, weights] {
            var grad = [Float](repeating: 0.5, count: f.count), kgrad = grad
            let loss = Gram.contentLoss(f, target: p.data, positionWeights: w, scale: 3, grad: &grad)
            try kernel("content_term", as: Content.self)(f.data, p.data, w, f.positions, &kgrad, Float(3 * 2 / norm), &partial, f.count)
            XCTAssertEqual(partial[0] / norm, loss, accuracy: 1e-12 * loss)
            for (a, b) in zip(kgrad, grad) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        }
        // The weights change the term: with them it is not the uniform one.
        XCTAssertNotEqual(Gram.contentLoss(f, target: p.data, positionWeights: weights), Gram.contentLoss(f, target: p.data),
                          accuracy: 1e-3 * Gram.contentLoss(f, target: p.data))

        let x = randomTensor(3, 13, 17, seed: 6, range: (-100, 100))
        var tgrad = [Float](repeating: 0, count: x.count), ktgrad = tgrad
        let tv = TotalVariation.loss(x, scale: 2, grad: &tgrad)
        let tnorm = 3 * Double(x.height) * Double(x.width)
        try kernel("tv_term", as: TV.self)(x.data, &ktgrad, Float(2 * 2 / tnorm), &partial, 3, 13, 17)
        XCTAssertEqual(partial[0] / tnorm, tv, accuracy: 1e-12 * tv)
        let largest = tgrad.map(abs).max() ?? 1
        for (a, b) in zip(ktgrad, tgrad) { XCTAssertEqual(a, b, accuracy: 1e-5 * largest) }
    }

    func testVectorPasses() throws {
        let n = 1000
        let x = randomTensor(1, 1, n, seed: 8).data, y = randomTensor(1, 1, n, seed: 9).data
        var partial = [Double](repeating: 0, count: 1), ky = y, kz = x
        try kernel("dot_partial", as: (@convention(c) (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Double>, Int) -> Void).self)(x, y, &partial, n)
        XCTAssertEqual(partial[0], zip(x, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }, accuracy: 1e-12 * Double(n))
        try threads {
            try kernel("axpy", as: (@convention(c) (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Float, Int) -> Void).self)(&ky, x, -0.5, n)
        }
        for (a, (xi, yi)) in zip(ky, zip(x, y)) { XCTAssertEqual(a, yi + -0.5 * xi, accuracy: 1e-6) }
        let lo = [Float](repeating: -0.25, count: n), hi = [Float](repeating: 0.5, count: n)
        try threads {
            try kernel("project_box", as: (@convention(c) (UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, Int) -> Void).self)(&kz, lo, hi, n)
        }
        XCTAssertEqual(kz, x.map { min(max($0, -0.25), 0.5) })
    }

    /// The direct convolution (conv1_1's path and the GPU's reference) against the CPU's direct
    /// reference (float sums against double: 1e-5 of the largest value), and the style term's
    /// difference and sum against `Gram.styleLoss`.
    func testDirectConvolutionAndStyleDifference() throws {
        typealias Forward = @convention(c) (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
                                            UnsafeMutablePointer<Float>, Int32, Int32, Int32, Int32, Int32) -> Void
        typealias Backward = @convention(c) (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>,
                                             Int32, Int32, Int32, Int32) -> Void
        for (c, oc, h, w) in [(3, 64, 9, 7), (5, 4, 1, 3), (16, 8, 6, 6)] {
            let (weight, bias) = WinogradTests.vggScaleWeights(c, oc, seed: UInt64(c))
            let x = WinogradTests.reluLike(c, h, w, seed: UInt64(h))
            let ref = Conv3x3Reference.forward(x, weight: weight, bias: bias, outChannels: oc)
            var out = [Float](repeating: .nan, count: oc * h * w)
            try threads {
                try kernel("conv3x3_forward", as: Forward.self)(x.data, weight, bias, &out, Int32(c), Int32(oc), Int32(h), Int32(w), 1)
            }
            XCTAssertLessThanOrEqual(WinogradTests.relativeError(out, ref.data.map { max($0, 0) }), 1e-5, "forward \(c)→\(oc)")
            let gOut = randomTensor(oc, h, w, seed: UInt64(w))
            let gRef = Conv3x3Reference.backwardInput(gOut, weight: weight, inChannels: c)
            var gIn = [Float](repeating: .nan, count: c * h * w)
            try threads {
                try kernel("conv3x3_backward", as: Backward.self)(gOut.data, weight, &gIn, Int32(c), Int32(oc), Int32(h), Int32(w))
            }
            XCTAssertLessThanOrEqual(WinogradTests.relativeError(gIn, gRef.data), 1e-5, "backward \(c)→\(oc)")
        }
        let f = randomTensor(6, 5, 7, seed: 10), target = Gram.gram(of: randomTensor(6, 5, 7, seed: 11), parallel: testParallel)
        var g = Gram.gram(of: f, parallel: testParallel), partial = [Double](repeating: 0, count: 1)
        let g0 = g
        try kernel("style_difference", as: (@convention(c) (UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Double>, Int) -> Void).self)(&g, target, &partial, g.count)
        let n = Double(f.channels), m = Double(f.positions)
        let loss = Gram.styleLoss(f, target: target, parallel: testParallel)
        XCTAssertEqual(partial[0] / (4 * n * n * m * m), loss, accuracy: 1e-12 * loss)
        XCTAssertEqual(g, zip(g0, target).map { $0 - $1 })
    }

    /// M[ξ] = U[ξ] · V[ξ] in float64 (`transposeU`: U[ξ]ᵀ), the part cuBLAS does on the GPU.
    static func products(_ u: [Float], _ v: [Float], rows: Int, depth: Int, tiles: Int, transposeU: Bool,
                         uRows: Int, uCols: Int) -> [Float] {
        var m = [Float](repeating: 0, count: 36 * rows * tiles)
        for xi in 0..<36 {
            for r in 0..<rows {
                for t in 0..<tiles {
                    var sum = 0.0
                    for k in 0..<depth {
                        let uv = transposeU ? u[(xi * uRows + k) * uCols + r] : u[(xi * uRows + r) * uCols + k]
                        sum += Double(uv) * Double(v[(xi * depth + k) * tiles + t])
                    }
                    m[(xi * rows + r) * tiles + t] = Float(sum)
                }
            }
        }
        return m
    }

    /// The four transforms around the products give the direct convolution, forward (with and
    /// without ReLU) and backward, within the CPU Winograd's bound; odd sizes clip edge tiles.
    func testWinogradTransformsGiveTheConvolution() throws {
        for (c, oc, h, w) in [(16, 24, 13, 10), (20, 17, 7, 9), (32, 32, 4, 4), (17, 16, 1, 6)] {
            let (weight, bias) = WinogradTests.vggScaleWeights(c, oc, seed: UInt64(c * h))
            let conv = Conv3x3(inChannels: c, outChannels: oc, weight: weight, bias: bias, algorithm: .winograd4)
            let u = try XCTUnwrap(conv.winogradKernels)
            let tw = (w + 3) / 4, tiles = tw * ((h + 3) / 4)
            let x = WinogradTests.reluLike(c, h, w, seed: UInt64(oc))
            var v = [Float](repeating: 0, count: 36 * c * tiles)
            try threads { try kernel("winograd_input", as: Transform.self)(x.data, &v, Int32(c), Int32(h), Int32(w), Int32(tw), Int32(tiles)) }
            let m = Self.products(u, v, rows: oc, depth: c, tiles: tiles, transposeU: false, uRows: oc, uCols: c)
            let ref = Conv3x3Reference.forward(x, weight: weight, bias: bias, outChannels: oc)
            for relu in [false, true] {
                var out = [Float](repeating: .nan, count: oc * h * w)
                try threads {
                    try kernel("winograd_output", as: Output.self)(m, bias, &out, Int32(oc), Int32(h), Int32(w), Int32(tw),
                                                                   Int32(tiles), relu ? 1 : 0)
                }
                let expected = relu ? ref.data.map { max($0, 0) } : ref.data
                XCTAssertLessThanOrEqual(WinogradTests.relativeError(out, expected), WinogradTests.tolerance,
                                         "forward \(c)→\(oc) \(h)×\(w) relu \(relu)")
            }
            let gOut = randomTensor(oc, h, w, seed: UInt64(c))
            var vg = [Float](repeating: 0, count: 36 * oc * tiles)
            try threads {
                try kernel("winograd_gradient", as: Transform.self)(gOut.data, &vg, Int32(oc), Int32(h), Int32(w), Int32(tw),
                                                                    Int32(tiles))
            }
            let mg = Self.products(u, vg, rows: c, depth: oc, tiles: tiles, transposeU: true, uRows: oc, uCols: c)
            var gIn = [Float](repeating: .nan, count: c * h * w)
            try threads { try kernel("winograd_scatter", as: Transform.self)(mg, &gIn, Int32(c), Int32(h), Int32(w), Int32(tw), Int32(tiles)) }
            let gRef = Conv3x3Reference.backwardInput(gOut, weight: weight, inChannels: c)
            XCTAssertLessThanOrEqual(WinogradTests.relativeError(gIn, gRef.data), WinogradTests.tolerance,
                                     "backward \(c)→\(oc) \(h)×\(w)")
        }
    }
}
