import Foundation
import XCTest
@testable import StylizeKit

/// `CostEstimate.gpuPeakBytes`, which sizes `batch`'s default `--jobs` on a GPU, against the
/// most device memory a whole transfer holds at once, counted by the emulated backend (the
/// engine allocates the same buffers on CUDA; cuBLAS's workspace, which the emulation has
/// not, is the estimate's `gpuBytesPerHandle`).
final class GPUMemoryEstimateTests: RealNetworkTestCase {
    func measuredPeak(size: Int, minSize: Int, history: Int = 10) throws -> (pixels: Int, bytes: Int) {
        var c = StyleTransferConfiguration(contentPath: packagePath("samples/content/chelsea.png"),
                                           stylePaths: [packagePath("samples/style/tiger.png")],
                                           outputPath: dir + "/out-\(size)-\(history).png")
        c.size = size; c.minSize = minSize; c.coarseIterations = 1; c.iterations = 2; c.threads = 2
        c.historySize = history; c.device = .cuda; c.styleWeight = .fixed(1e-3)
        let plan = try RunPlan.make(c, weights: weights)
        let final = plan.schedule.scales.last!
        let base = EmulatedGPUBackend.live
        EmulatedGPUBackend.peak = base
        do {
            let transfer = try StyleTransfer(plan: plan, weights: weights, images: try TransferImages.load(plan),
                                             backend: EmulatedGPUBackend())
            _ = try transfer.run { _ in }
        }
        return (final.width * final.height, EmulatedGPUBackend.peak - base)
    }

    /// Single-scale runs of 64 × 43, 128 × 85 and 256 × 171 px, a 20-pair history, and a
    /// coarse-to-fine run (whose coarse scales' buffers are gone before the final one peaks):
    /// each within 3 % of the estimate. The constants were fitted to the first and third
    /// (172.4 and 306.4 MB measured on 2026-12-06).
    func testTheEstimateHoldsTheRunsPeakDeviceMemory() throws {
        _ = try KernelEmulation.handle()
        for (size, minSize, history) in [(64, 64, 10), (128, 128, 10), (256, 256, 10), (128, 128, 20), (128, 64, 10)] {
            let (pixels, bytes) = try measuredPeak(size: size, minSize: minSize, history: history)
            let estimate = CostEstimate.gpuPeakBytes(pixels: pixels, history: history, preconditioned: true)
                - CostEstimate.gpuBytesPerHandle
            XCTAssertEqual(Double(bytes), estimate, accuracy: 0.03 * estimate, "\(size) px from \(minSize), history \(history)")
        }
    }
}

/// A GPU run that its free memory cannot hold is refused before it starts, in one line.
final class GPUMemoryCheckTests: XCTestCase {
    func testARunThatDoesNotFitIsNamedWithWhatItNeedsAndWhatIsFree() {
        let needed = CostEstimate.gpuPeakBytes(pixels: 4096 * 4096, history: 10, preconditioned: true)
        XCTAssertEqual(needed, 55.06e9, accuracy: 0.01e9)
        XCTAssertEqual(GPUMemoryCheck.problem(needed: needed, free: 40e9, gpu: "NVIDIA H100", width: 4096, height: 4096),
                       "a 4096x4096 px run needs about 55 GB of GPU memory; the NVIDIA H100 has 40 GB free")
        XCTAssertNil(GPUMemoryCheck.problem(needed: needed, free: 78e9, gpu: "NVIDIA H100", width: 4096, height: 4096))
        // 95 % of the free memory may be planned on, and no more.
        XCTAssertNil(GPUMemoryCheck.problem(needed: 0.95e9, free: 1e9, gpu: "g", width: 1, height: 1))
        XCTAssertEqual(GPUMemoryCheck.problem(needed: 0.96e9, free: 1e9, gpu: "g", width: 512, height: 341),
                       "a 512x341 px run needs about 1.0 GB of GPU memory; the g has 1.0 GB free")
    }
}
