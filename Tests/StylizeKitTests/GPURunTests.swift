import Foundation
import XCTest
@testable import StylizeKit

/// A whole `--device gpu` transfer (issue 17) next to the same run on the CPU: real photo and
/// painting, coarse to fine (24 → 48 px), bounded L-BFGS with the smoothing preconditioner,
/// and `--style-weight auto` with its feedback; on the emulated backend here, on CUDA where a
/// GPU is (`STYLIZE_REQUIRE_GPU=1` makes a missing one fail).
final class GPURunTests: RealNetworkTestCase {
    func configuration(_ device: Device, automatic: Bool) -> StyleTransferConfiguration {
        var c = StyleTransferConfiguration(contentPath: packagePath("samples/content/chelsea.png"),
                                           stylePaths: [packagePath("samples/style/tiger.png")],
                                           outputPath: dir + "/out-\(device).png")
        c.size = 48; c.minSize = 24; c.coarseIterations = 6; c.iterations = 8; c.threads = 1
        c.device = device
        if !automatic { c.styleWeight = .fixed(1e-3); c.initialization = .content }
        return c
    }

    func run(_ c: StyleTransferConfiguration, backend: (any GPUBackend)?) throws -> (StyleTransferOutcome, [Double]) {
        let plan = try RunPlan.make(c, weights: weights)
        let transfer = try StyleTransfer(plan: plan, weights: weights, images: try TransferImages.load(plan), backend: backend)
        var losses: [Double] = []
        let outcome = try transfer.run { report in losses.append(report.terms.total) }
        return (outcome, losses)
    }

    /// With a fixed β, from the photo: the losses agree within 1e-3 for the first five
    /// reports (the 24 px scale's start and its first four iterations) and within 1 % to the
    /// 48 px scale's start. Later the runs drift apart as any two runs whose products round
    /// differently do: pixels reach the box's bounds at slightly different iterations, L-BFGS
    /// amplifies that, and at 48 px the loss still falls 10–25 % an iteration, so one
    /// iteration's lag is a large difference. How soon they part depends on the weights: with
    /// the float32 weights the first eight reports agree within 1e-3 (what this test held them
    /// to until 2026-12-06); with the fp16-rounded weights the GPU machine is sent
    /// (`tools/device/pack.sh`: the float32 ones do not fit the 64 MiB a call may carry) the
    /// first five agree within 1e-5 and the sixth is 3.2e-3 apart, with the same evaluations
    /// in both runs (so no line search decided differently; most likely a pixel at a bound
    /// held by one run and freed by the other).
    /// With the CPU engine on stylize's kernels for the Winograd products and OpenBLAS for the
    /// rest (`STYLIZE_GEMM=avx512,blas`, what the calibration picks on some hosts), the runs
    /// were 3.3e-4 apart after the 24 px scale, 3.8e-2 at the tenth report (which this test
    /// used to hold to 1e-3) and 26 % at the end (held to 10 %); with OpenBLAS for all, 1e-5,
    /// 7e-5 and 0.5 %. 30 or 50 iterations at 48 px do not settle it (1–6 % apart: the loss
    /// still falls 2 % an iteration). So past the eighth report both runs must keep descending
    /// alike: each more than halves its loss over the 48 px scale, and their ends are within
    /// 1.5× of each other (a stalled or diverging GPU run fails that). With `auto` (from noise), β chosen from the images at the first
    /// scale gives the CPU's first report to 1e-4; after that its feedback compares a ratio
    /// with a threshold, so a rounding difference may raise β on one engine and not the
    /// other: the run is only required to keep descending after that point.
    func testAGPURunFollowsTheCPURun() throws {
        _ = try KernelEmulation.handle()
        var backends: [any GPUBackend] = [EmulatedGPUBackend()]
        do { backends.append(try CUDABackend()) } catch {
            if ProcessInfo.processInfo.environment["STYLIZE_REQUIRE_GPU"] == "1" { XCTFail("no GPU: \(error)") }
        }
        for automatic in [false, true] {
            let (_, expectedLosses) = try run(configuration(.cpu, automatic: automatic), backend: nil)
            XCTAssertEqual(expectedLosses.count, 2 + 6 + 8)  // a report at each scale's start and after every iteration
            if !automatic { XCTAssertLessThan(expectedLosses.last!, 0.5 * expectedLosses[7]) }
            for backend in backends {
                let what = "\(backend.name), auto \(automatic)"
                let (_, losses) = try run(configuration(.cuda, automatic: automatic), backend: backend)
                XCTAssertEqual(losses.count, expectedLosses.count, what)
                if automatic {
                    XCTAssertEqual(losses[0], expectedLosses[0], accuracy: 1e-4 * expectedLosses[0], what)
                    XCTAssertLessThan(losses[15], losses[12], what)  // descending after the halfway feedback (iteration 4)
                } else {
                    for (a, b) in zip(losses, expectedLosses).prefix(5) { XCTAssertEqual(a, b, accuracy: 1e-3 * b, what) }
                    for (a, b) in zip(losses, expectedLosses).prefix(8) { XCTAssertEqual(a, b, accuracy: 1e-2 * b, what) }
                    XCTAssertLessThan(losses.last!, 0.5 * losses[7], what)
                    XCTAssertLessThan(max(losses.last!, expectedLosses.last!) / min(losses.last!, expectedLosses.last!), 1.5, what)
                }
            }
        }
    }

    /// A run with `--style-masks` (the sample's left and right masks, two paintings) starts
    /// where the CPU's does and descends with it for its first iterations: the first nine
    /// reports within 1e-3 (float32 weights: 5e-7 on the emulated backend; the device's
    /// fp16-rounded ones: 5e-7, after which they part by 1.5e-3 at the tenth), the first twelve
    /// within 1 %. (1e-3 rather than the emulation's 1e-6, for a GPU's own rounding.)
    func testAMaskedGPURunFollowsTheCPURun() throws {
        _ = try KernelEmulation.handle()
        func masked(_ device: Device) -> StyleTransferConfiguration {
            var c = configuration(device, automatic: false)
            c.stylePaths = [packagePath("samples/style/tiger.png"), packagePath("samples/style/sunflowers.png")]
            c.styleMasks = [packagePath("samples/masks/left.png"), packagePath("samples/masks/right.png")]
            return c
        }
        let (_, expected) = try run(masked(.cpu), backend: nil)
        let (_, losses) = try run(masked(.cuda), backend: EmulatedGPUBackend())
        XCTAssertEqual(losses.count, expected.count)
        for (a, b) in zip(losses, expected).prefix(9) { XCTAssertEqual(a, b, accuracy: 1e-3 * b) }
        for (a, b) in zip(losses, expected).prefix(12) { XCTAssertEqual(a, b, accuracy: 1e-2 * b) }
    }

    /// A stop request (what SIGINT and SIGTERM set) on the GPU ends the run as on the CPU: at
    /// the same iteration, with the image so far written to `out.partial.png`, close to the
    /// CPU's: on average within 0.25 of a level and nowhere more than 8 levels apart. (With the
    /// float32 weights: 0.017 and 1 level; with the device's fp16-rounded weights the runs part
    /// at the fifth iteration, see `testAGPURunFollowsTheCPURun`, and the image stopped at the
    /// sixth is 0.10 and 4 levels off, 37 of 4608 values by more than one level.)
    func testAStopOnTheGPUKeepsTheImageSoFarAsOnTheCPU() throws {
        _ = try KernelEmulation.handle()
        func stopped(_ device: Device, backend: (any GPUBackend)?) throws -> (RunCancelled, RGBImage) {
            var c = configuration(device, automatic: false)
            c.outputPath = dir + "/stop-\(device).png"
            let plan = try RunPlan.make(c, weights: weights)
            var evaluations = 0
            do {
                _ = try StyleTransfer.run(plan, weights: weights, shouldStop: {
                    evaluations += 1
                    return evaluations > 9
                }, backend: backend)
            } catch let stop as RunCancelled {
                XCTAssertFalse(FileManager.default.fileExists(atPath: c.outputPath), "a stopped run never writes the output")
                let kept = try XCTUnwrap(stop.keptAt)
                return (stop, try PNGCodec.read(path: kept))
            }
            XCTFail("the run was not stopped")
            throw XCTSkip("not stopped")
        }
        let (cpuStop, cpuImage) = try stopped(.cpu, backend: nil)
        let (gpuStop, gpuImage) = try stopped(.cuda, backend: EmulatedGPUBackend())
        XCTAssertGreaterThan(cpuStop.iteration, 0)
        XCTAssertEqual(gpuStop.iteration, cpuStop.iteration)
        XCTAssertTrue(gpuStop.keptAt?.hasSuffix("stop-cuda.partial.png") == true, "\(gpuStop)")
        XCTAssertEqual([gpuImage.width, gpuImage.height], [cpuImage.width, cpuImage.height])
        let differences = zip(gpuImage.pixels, cpuImage.pixels).map { abs($0 - $1) }
        let largest = differences.max() ?? 0, mean = differences.reduce(0, +) / Float(max(1, differences.count))
        XCTAssertLessThanOrEqual(largest, 8, "the partial images differ by up to \(largest) levels")
        XCTAssertLessThanOrEqual(mean, 0.25, "the partial images differ by \(mean) levels on average")
    }
}
