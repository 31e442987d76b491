import Foundation
import XCTest
@testable import StylizeKit

/// `CUDABackend` itself (the driver calls, `kernelParams`, cuBLAS's arguments, streams and
/// memory), on every machine: through `MockCUDA`'s stand-in driver and cuBLAS, which run the
/// kernels as the emulation does and the products by cuBLAS's definition. `GPURunTests` checks
/// the engine's orchestration through the emulated backend; this checks what lies between it
/// and a GPU, which no machine without one ran before.
final class CUDABackendMockTests: RealNetworkTestCase {
    func configuration(_ name: String, device: Device = .cuda) -> StyleTransferConfiguration {
        var c = StyleTransferConfiguration(contentPath: packagePath("samples/content/chelsea.png"),
                                           stylePaths: [packagePath("samples/style/tiger.png")],
                                           outputPath: dir + "/\(name).png")
        c.size = 48; c.minSize = 24; c.coarseIterations = 6; c.iterations = 8; c.threads = 1
        c.device = device; c.styleWeight = .fixed(1e-3); c.initialization = .content
        return c
    }

    func losses(_ c: StyleTransferConfiguration, backend: (any GPUBackend)?) throws -> (losses: [Double], transfer: StyleTransfer) {
        let plan = try RunPlan.make(c, weights: weights)
        let transfer = try StyleTransfer(plan: plan, weights: weights, images: try TransferImages.load(plan), backend: backend)
        var losses: [Double] = []
        _ = try transfer.run { report in losses.append(report.terms.total) }
        return (losses, transfer)
    }

    /// A whole coarse-to-fine transfer on `CUDABackend` follows the CPU engine's as
    /// `GPURunTests` asks of the emulated backend (the first eight reports to 1e-3, then both
    /// more than halve their loss and end within 1.5×). Every kernel launch and every product
    /// went to the transfer's own non-blocking stream, never stream 0, and when the backend is
    /// gone so are its stream, its cuBLAS handle and every byte of device memory.
    func testAWholeRunThroughTheDriverFollowsTheCPU() throws {
        let environment = try MockCUDA.environment(cache: dir + "/cache")
        let (expected, _) = try losses(configuration("cpu", device: .cpu), backend: nil)
        let before = try MockCUDA.counts(), blasBefore = try MockCUDA.blasCounts()
        var name = ""
        do {
            let backend = try CUDABackend(environment: environment)
            name = backend.name
            let (got, transfer) = try losses(configuration("mock"), backend: backend)
            XCTAssertEqual(transfer.engineDescription, "cuda, Mock GPU (sm_90)")
            XCTAssertEqual(got.count, expected.count)
            for (a, b) in zip(got, expected).prefix(8) { XCTAssertEqual(a, b, accuracy: 1e-3 * b) }
            XCTAssertLessThan(got.last!, 0.5 * got[7])
            XCTAssertLessThan(max(got.last!, expected.last!) / min(got.last!, expected.last!), 1.5)
            let during = try MockCUDA.counts()
            XCTAssertGreaterThan(during[1] - before[1], 1000, "kernel launches")
            XCTAssertEqual(during[2], before[2], "launches on stream 0")
            XCTAssertEqual(during[3] - before[3], 1, "the backend's one stream")
            XCTAssertEqual(during[4], 0, "streams created without CU_STREAM_NON_BLOCKING")
            let blas = try MockCUDA.blasCounts()
            XCTAssertGreaterThan(blas[0] - blasBefore[0], 100, "cuBLAS products")
            XCTAssertEqual(blas[1], blasBefore[1], "products on stream 0")
            XCTAssertEqual(blas[3], blasBefore[3], "products in TF32 mode without --gpu-math tf32")
        }
        XCTAssertEqual(name, "Mock GPU (sm_90)")
        let after = try MockCUDA.counts(), blasAfter = try MockCUDA.blasCounts()
        XCTAssertEqual(after[0], before[0], "device bytes left allocated")
        XCTAssertEqual(after[3], before[3], "streams left")
        XCTAssertEqual(blasAfter[2], blasBefore[2], "cuBLAS handles left")
    }

    /// Two transfers at once, each on its own backend and thread (a batch's `--jobs 2` on one
    /// GPU), give each what one gives alone, to the last bit: the launches of the two
    /// interleave, but each job's buffers, stream and handle are its own.
    func testTwoTransfersAtOnceGiveWhatEachGivesAlone() throws {
        let environment = try MockCUDA.environment(cache: dir + "/cache")
        let (alone, _) = try losses(configuration("alone"), backend: try CUDABackend(environment: environment))
        let backends = [try CUDABackend(environment: environment), try CUDABackend(environment: environment)]
        var results: [[Double]] = [[], []]
        var failures: [String] = []
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            do {
                let (l, _) = try losses(configuration("side-\(i)"), backend: backends[i])
                lock.withLock { results[i] = l }
            } catch { lock.withLock { failures.append("job \(i): \(error)") } }
        }
        XCTAssertEqual(failures, [])
        XCTAssertEqual(results[0], alone)
        XCTAssertEqual(results[1], alone)
    }

    /// `--gpu-math tf32` puts every product of the run's cuBLAS handle in TF32 mode, and says so
    /// in the engine's name (the log's first line and the records).
    func testGPUMathTF32SetsTheHandlesMathMode() throws {
        let environment = try MockCUDA.environment(cache: dir + "/cache")
        var c = configuration("tf32")
        c.iterations = 1; c.coarseIterations = 1
        c.gpuMath = .tf32
        let before = try MockCUDA.blasCounts()
        let plan = try RunPlan.make(c, weights: weights)
        XCTAssertEqual(plan.settings.gpuMath, .tf32)
        let backend = try CUDABackend(environment: environment, math: plan.settings.gpuMath)
        let (_, transfer) = try losses(c, backend: backend)
        XCTAssertEqual(transfer.engineDescription, "cuda, Mock GPU (sm_90), TF32")
        let after = try MockCUDA.blasCounts()
        XCTAssertGreaterThan(after[3] - before[3], 10)
        XCTAssertEqual(after[0] - before[0], after[3] - before[3], "every product in TF32 mode")
    }

    /// A run whose estimate exceeds 95 % of the free memory the driver reports stops before
    /// any work with one line; with `auto` it runs on the CPU after that line.
    func testARunTheFreeMemoryCannotHoldIsRefusedBeforeItStarts() throws {
        let environment = try MockCUDA.environment(cache: dir + "/cache")
        try MockCUDA.setFree(100_000_000)
        defer { try? MockCUDA.setFree(12 << 30) }
        let c = configuration("small")
        let plan = try RunPlan.make(c, weights: weights)
        XCTAssertThrowsError(try StyleTransfer(plan: plan, weights: weights, images: try TransferImages.load(plan),
                                               backend: try CUDABackend(environment: environment))) { error in
            XCTAssertEqual("\(error)", "a 48x32 px run needs about 0.2 GB of GPU memory; the Mock GPU has 0.1 GB free; "
                           + "choose a smaller size or the CPU")
        }
        let auto = try RunPlan.make(configuration("auto", device: .auto), weights: weights)
        let transfer = try StyleTransfer(plan: auto, weights: weights, images: try TransferImages.load(auto),
                                         backend: try CUDABackend(environment: environment))
        XCTAssertNil(transfer.gpuEngine)
        XCTAssertEqual(transfer.deviceNote, "a 48x32 px run needs about 0.2 GB of GPU memory; the Mock GPU has 0.1 GB free; "
                       + "running on the CPU")
    }
}
