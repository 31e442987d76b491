import Foundation
import StylizeKit
import XCTest

/// `--device` through the real binary (issue 17). Where no GPU is (every development and CI
/// machine so far), `--device gpu` stops with the reason in one line and writes nothing; an
/// unknown device is a usage error; `visualize` runs on the CPU only.
extension CLITests {
    func testDeviceGPUWithoutAGPUSaysWhyInOneLine() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        if (try? CUDABackend()) != nil { throw XCTSkip("this machine has a GPU") }
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        let o = try run(["c.png", "s.png", "-o", "out.png", "--size", "32", "--device", "gpu", "--quiet"],
                        environment: ["STYLIZE_CUDA_PATH": dir.path])
        assertOneLineError(o, status: 1, containing: "not found")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.png").path))
    }

    func testAnUnknownDeviceIsAUsageError() throws {
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        assertOneLineError(try run(["c.png", "s.png", "-o", "out.png", "--device", "tpu"]), status: 64,
                           containing: "--device must be one of cpu, gpu, got 'tpu'")
        assertOneLineError(try run(["visualize", "c.png", "--out", "v", "--device", "gpu"]), status: 64,
                           containing: "visualize runs on the CPU")
    }
}
