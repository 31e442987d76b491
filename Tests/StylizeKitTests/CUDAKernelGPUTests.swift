import XCTest
@testable import StylizeKit

/// Every GPU kernel against its CPU counterpart, on a GPU (issue 17). Skipped, with the reason
/// printed, on machines without one (every development and CI machine so far); on the GPU
/// machine, `tools/device/gpu_test.sh` runs them from the carried test binary.
final class CUDAKernelGPUTests: XCTestCase {
    var device: CUDADevice!
    var kernels: [String: CUDADevice.Module] = [:]
    var cacheDirectory: String!

    override func setUpWithError() throws {
        do { device = try CUDADevice() } catch { throw XCTSkip("no GPU: \(error)") }
        let compiler: CUDAKernelCompiler
        do { compiler = try CUDAKernelCompiler() } catch { throw XCTSkip("no NVRTC: \(error)") }
        cacheDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("stylize-gpu-\(UUID().uuidString)").path
        kernels = try device.loadKernels(compiler: compiler, cache: CUDAKernelCache(directory: cacheDirectory))
    }

    override func tearDownWithError() throws {
        if let cacheDirectory { try? FileManager.default.removeItem(atPath: cacheDirectory) }
    }

    func function(_ name: String) throws -> UnsafeMutableRawPointer {
        try XCTUnwrap(kernels["elementwise.cu"]).function(name)
    }

    static func blocks(_ n: Int) -> Int { min(1024, max(1, (n + 255) / 256)) }

    /// Σ of a reduction kernel's per-block partials.
    func sum(_ partial: CUDADevice.Buffer, blocks: Int) throws -> Double {
        try device.download(partial, count: blocks, as: Double.self).reduce(0, +)
    }

    func testReLUForwardAndBackward() throws {
        let x = randomTensor(3, 17, 19, seed: 1)
        let n = x.count, blocks = Self.blocks(n)
        let xs = try device.upload(x.data), mask = try device.allocate(bytes: n)
        try device.launch(try function("relu_forward"), blocks: blocks, [.buffer(xs), .buffer(mask), .int64(Int64(n))])
        XCTAssertEqual(try device.download(xs, count: n, as: Float.self), x.data.map { max($0, 0) })
        XCTAssertEqual(try device.download(mask, count: n, as: UInt8.self), x.data.map { $0 > 0 ? 1 : 0 })
        // backward through the mask, against ReLUMask's
        var cpuMask = ReLUMask()
        cpuMask.record(x, parallel: testParallel)
        var g = randomTensor(3, 17, 19, seed: 2)
        let gs = try device.upload(g.data)
        try device.launch(try function("relu_backward"), blocks: blocks, [.buffer(gs), .buffer(mask), .int64(Int64(n))])
        cpuMask.backward(&g, parallel: testParallel)
        XCTAssertEqual(try device.download(gs, count: n, as: Float.self), g.data)
    }

    func testMaxPoolForwardAndBackward() throws {
        let (c, h, w) = (4, 9, 11)  // odd sizes: the last row and column are in no window
        let x = randomTensor(c, h, w, seed: 3)
        var pool = MaxPoolIndices(), out = Tensor3(zeros: 0, 0, 0)
        pool.forward(x, into: &out, parallel: testParallel)
        let on = out.count, xs = try device.upload(x.data)
        let ys = try device.allocate(bytes: on * 4), idx = try device.allocate(bytes: on)
        try device.launch(try function("maxpool2x2_forward"), blocks: Self.blocks(on),
                          [.buffer(xs), .buffer(ys), .buffer(idx), .int32(Int32(c)), .int32(Int32(h)), .int32(Int32(w))])
        XCTAssertEqual(try device.download(ys, count: on, as: Float.self), out.data)
        XCTAssertEqual(try device.download(idx, count: on, as: UInt8.self), pool.index)
        let gOut = randomTensor(c, h / 2, w / 2, seed: 4)
        var gIn = Tensor3(zeros: 0, 0, 0)
        pool.backward(gOut, into: &gIn, parallel: testParallel)
        let gos = try device.upload(gOut.data), gis = try device.allocate(bytes: x.count * 4)
        try device.launch(try function("maxpool2x2_backward"), blocks: Self.blocks(x.count),
                          [.buffer(gos), .buffer(idx), .buffer(gis), .int32(Int32(c)), .int32(Int32(h)), .int32(Int32(w))])
        XCTAssertEqual(try device.download(gis, count: x.count, as: Float.self), gIn.data)
    }

    /// Uniform and with one weight per position (`ContentFocus.energy`'s).
    func testContentTermAgainstTheCPU() throws {
        let f = randomTensor(8, 12, 10, seed: 5), p = randomTensor(8, 12, 10, seed: 6)
        let n = f.count, blocks = Self.blocks(n), scale: Float = 3
        let weights = ContentFocus.energyWeights(target: p.data, channels: p.channels)
        for w in [nil, weights] {
            var grad = [Float](repeating: 0.25, count: n)
            let loss = Gram.contentLoss(f, target: p.data, positionWeights: w, scale: scale, grad: &grad)
            let gscale = Float(Double(scale) * 2 / (4 * Double(f.channels) * Double(f.positions)))
            let fs = try device.upload(f.data), ps = try device.upload(p.data), ws = try w.map { try device.upload($0) }
            let gs = try device.upload([Float](repeating: 0.25, count: n)), partial = try device.allocate(bytes: blocks * 8)
            try device.launch(try function("content_term"), blocks: blocks,
                              [.buffer(fs), .buffer(ps), .buffer(ws), .int64(Int64(f.positions)), .buffer(gs), .float(gscale),
                               .buffer(partial), .int64(Int64(n))])
            let gpuLoss = try sum(partial, blocks: blocks) / (4 * Double(f.channels) * Double(f.positions))
            // Double sums in another order: relative 1e-12; the gradient is one multiply-add each.
            XCTAssertEqual(gpuLoss, loss, accuracy: 1e-12 * loss)
            for (a, b) in zip(try device.download(gs, count: n, as: Float.self), grad) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        }
    }

    func testTotalVariationAgainstTheCPU() throws {
        let x = randomTensor(3, 13, 17, seed: 7, range: (-100, 100))
        let n = x.count, blocks = Self.blocks(n), scale: Float = 2
        var grad = [Float](repeating: 0, count: n)
        let loss = TotalVariation.loss(x, scale: scale, grad: &grad)
        let norm = 3 * Double(x.height) * Double(x.width)
        let xs = try device.upload(x.data), gs = try device.upload([Float](repeating: 0, count: n))
        let partial = try device.allocate(bytes: blocks * 8)
        try device.launch(try function("tv_term"), blocks: blocks,
                          [.buffer(xs), .buffer(gs), .float(Float(2 * Double(scale) / norm)), .buffer(partial),
                           .int32(Int32(x.channels)), .int32(Int32(x.height)), .int32(Int32(x.width))])
        XCTAssertEqual(try sum(partial, blocks: blocks) / norm, loss, accuracy: 1e-12 * loss)
        // Up to four float terms per value, added in another order: 1e-5 of the largest.
        let largest = grad.map(abs).max() ?? 1
        for (a, b) in zip(try device.download(gs, count: n, as: Float.self), grad) {
            XCTAssertEqual(a, b, accuracy: 1e-5 * largest)
        }
    }

    /// A whole convolution layer on the GPU (transforms + batched cuBLAS), forward with and
    /// without the fused ReLU and backward, against the direct reference, within the CPU
    /// Winograd's own bound (`WinogradTests.tolerance`, relative to the largest value).
    func testWinogradConvolutionAgainstTheDirectReference() throws {
        let backend: CUDABackend
        do { backend = try CUDABackend() } catch { throw XCTSkip("no cuBLAS: \(error)") }
        for (c, oc, h, w) in [(16, 24, 13, 10), (64, 64, 12, 12), (128, 256, 9, 11), (512, 512, 5, 7)] {
            let (weight, bias) = WinogradTests.vggScaleWeights(c, oc, seed: UInt64(c + h))
            let conv = Conv3x3(inChannels: c, outChannels: oc, weight: weight, bias: bias, algorithm: .winograd4)
            let gpu = try GPUWinograd(conv, backend: backend)
            let x = WinogradTests.reluLike(c, h, w, seed: UInt64(oc))
            let ref = Conv3x3Reference.forward(x, weight: weight, bias: bias, outChannels: oc)
            let xs = try backend.upload(x.data), ys = try backend.allocate(bytes: oc * h * w * 4)
            for relu in [false, true] {
                try gpu.forward(xs, height: h, width: w, relu: relu, into: ys)
                let out = try backend.download(ys, count: oc * h * w, as: Float.self)
                let expected = relu ? ref.data.map { max($0, 0) } : ref.data
                XCTAssertLessThanOrEqual(WinogradTests.relativeError(out, expected), WinogradTests.tolerance,
                                         "forward \(c)→\(oc) \(h)×\(w) relu \(relu)")
            }
            let gOut = randomTensor(oc, h, w, seed: UInt64(c))
            let gRef = Conv3x3Reference.backwardInput(gOut, weight: weight, inChannels: c)
            let gs = try backend.allocate(bytes: c * h * w * 4)
            try gpu.backward(try backend.upload(gOut.data), height: h, width: w, into: gs)
            let gIn = try backend.download(gs, count: c * h * w, as: Float.self)
            XCTAssertLessThanOrEqual(WinogradTests.relativeError(gIn, gRef.data), WinogradTests.tolerance,
                                     "backward \(c)→\(oc) \(h)×\(w)")
        }
    }

    /// The direct convolution (conv1_1's shape and a small one) against the CPU's direct
    /// reference, forward with ReLU and backward, to 1e-5 of the largest value.
    func testDirectConvolution() throws {
        let module = try XCTUnwrap(kernels["direct.cu"])
        for (c, oc, h, w) in [(3, 64, 33, 29), (16, 8, 6, 6)] {
            let (weight, bias) = WinogradTests.vggScaleWeights(c, oc, seed: UInt64(c))
            let x = WinogradTests.reluLike(c, h, w, seed: UInt64(h))
            let ref = Conv3x3Reference.forward(x, weight: weight, bias: bias, outChannels: oc)
            let ws = try device.upload(weight), out = try device.allocate(bytes: oc * h * w * 4)
            try device.launch(try module.function("conv3x3_forward"), blocks: Self.blocks(oc * h * w),
                              [.buffer(try device.upload(x.data)), .buffer(ws), .buffer(try device.upload(bias)), .buffer(out),
                               .int32(Int32(c)), .int32(Int32(oc)), .int32(Int32(h)), .int32(Int32(w)), .int32(1)])
            XCTAssertLessThanOrEqual(WinogradTests.relativeError(try device.download(out, count: oc * h * w, as: Float.self),
                                                                 ref.data.map { max($0, 0) }), 1e-5)
            let gOut = randomTensor(oc, h, w, seed: UInt64(w))
            let gRef = Conv3x3Reference.backwardInput(gOut, weight: weight, inChannels: c)
            let gin = try device.allocate(bytes: c * h * w * 4)
            try device.launch(try module.function("conv3x3_backward"), blocks: Self.blocks(c * h * w),
                              [.buffer(try device.upload(gOut.data)), .buffer(ws), .buffer(gin), .int32(Int32(c)),
                               .int32(Int32(oc)), .int32(Int32(h)), .int32(Int32(w))])
            XCTAssertLessThanOrEqual(WinogradTests.relativeError(try device.download(gin, count: c * h * w, as: Float.self),
                                                                 gRef.data), 1e-5)
        }
    }

    func testStyleDifference() throws {
        let f = randomTensor(64, 20, 30, seed: 10), target = Gram.gram(of: randomTensor(64, 20, 30, seed: 11), parallel: testParallel)
        let g = Gram.gram(of: f, parallel: testParallel), blocks = Self.blocks(g.count)
        let gs = try device.upload(g), partial = try device.allocate(bytes: blocks * 8)
        try device.launch(try function("style_difference"), blocks: blocks,
                          [.buffer(gs), .buffer(try device.upload(target)), .buffer(partial), .int64(Int64(g.count))])
        let n = Double(f.channels), m = Double(f.positions)
        let loss = Gram.styleLoss(f, target: target, parallel: testParallel)
        XCTAssertEqual(try sum(partial, blocks: blocks) / (4 * n * n * m * m), loss, accuracy: 1e-12 * loss)
        XCTAssertEqual(try device.download(gs, count: g.count, as: Float.self), zip(g, target).map { $0 - $1 })
    }

    /// One layer's style term with cuBLAS (Gram, difference, gradient) against `Gram.styleLoss`.
    func testStyleTermAgainstTheCPU() throws {
        let backend: CUDABackend
        do { backend = try CUDABackend() } catch { throw XCTSkip("no cuBLAS: \(error)") }
        for (n, h, w) in [(64, 40, 30), (128, 9, 13)] {
            let f = randomTensor(n, h, w, seed: UInt64(n), range: (0, 2))
            let target = Gram.gram(of: randomTensor(n, h, w, seed: UInt64(h), range: (0, 2)), parallel: testParallel)
            var grad = [Float](repeating: 0.125, count: f.count)
            let loss = Gram.styleLoss(f, target: target, scale: 2, grad: &grad, parallel: testParallel)
            let gs = try backend.upload([Float](repeating: 0.125, count: f.count))
            let gpu = try GPUStyleTerm.loss(backend, try backend.upload(f.data).address, channels: n, positions: h * w,
                                            target: try backend.upload(target), scale: 2, grad: gs.address,
                                            scratch: try backend.allocate(bytes: n * n * 4))
            XCTAssertEqual(gpu, loss, accuracy: 1e-4 * loss)  // float Grams summed in another order
            let got = try backend.download(gs, count: f.count, as: Float.self)
            XCTAssertLessThanOrEqual(WinogradTests.relativeError(got.map { $0 - 0.125 }, grad.map { $0 - 0.125 }), 1e-4)
        }
    }

    func testVectorPasses() throws {
        let n = 5000, blocks = Self.blocks(n)
        let x = randomTensor(1, 1, n, seed: 8).data, y = randomTensor(1, 1, n, seed: 9).data
        let xs = try device.upload(x), ys = try device.upload(y), partial = try device.allocate(bytes: blocks * 8)
        try device.launch(try function("dot_partial"), blocks: blocks, [.buffer(xs), .buffer(ys), .buffer(partial), .int64(Int64(n))])
        let dot = zip(x, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        XCTAssertEqual(try sum(partial, blocks: blocks), dot, accuracy: 1e-12 * Double(n))
        try device.launch(try function("axpy"), blocks: blocks, [.buffer(ys), .buffer(xs), .float(-0.5), .int64(Int64(n))])
        for (a, (xi, yi)) in zip(try device.download(ys, count: n, as: Float.self), zip(x, y)) {
            XCTAssertEqual(a, yi + -0.5 * xi, accuracy: 1e-6)  // fused on the GPU, not here
        }
        let lo = [Float](repeating: -0.25, count: n), hi = [Float](repeating: 0.5, count: n)
        let los = try device.upload(lo), his = try device.upload(hi), zs = try device.upload(x)
        try device.launch(try function("project_box"), blocks: blocks, [.buffer(zs), .buffer(los), .buffer(his), .int64(Int64(n))])
        XCTAssertEqual(try device.download(zs, count: n, as: Float.self), x.map { min(max($0, -0.25), 0.5) })
    }
}


