import Foundation
import StylizeKit
import XCTest

/// `--device` through the real binary (issue 17). Where no GPU is (every development and CI
/// machine so far), `--device cuda` stops with the reason in one line and writes nothing,
/// `--device auto` runs on the CPU after a one-line note, and an unknown device is a usage
/// error. In a batch it is a run option like any other: recorded with each job, sweepable.
extension CLITests {
    func testDeviceCudaWithoutAGPUSaysWhyInOneLine() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        if GPUAvailability.problem == nil { throw XCTSkip("this machine has a GPU") }
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        let o = try run(["c.png", "s.png", "-o", "out.png", "--size", "32", "--device", "cuda", "--quiet"],
                        environment: ["STYLIZE_CUDA_PATH": dir.path])
        assertOneLineError(o, status: 1, containing: "not found")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.png").path))
    }

    func testDeviceAutoWithoutAGPUNotesItAndRunsOnTheCPU() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        if GPUAvailability.problem == nil { throw XCTSkip("this machine has a GPU") }
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        let o = try run(["c.png", "s.png", "-o", "out.png", "--size", "32", "--min-size", "32", "--iterations", "2",
                         "--device", "auto", "--quiet"], environment: ["STYLIZE_CUDA_PATH": dir.path])
        XCTAssertEqual(o.status, 0, o.stderr)
        let lines = o.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, o.stderr)
        XCTAssertTrue(o.stderr.contains("no usable GPU (") && o.stderr.contains("); running on the CPU"), o.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.png").path))
    }

    func testAnUnknownDeviceIsAUsageError() throws {
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        assertOneLineError(try run(["c.png", "s.png", "-o", "out.png", "--device", "tpu"]), status: 64,
                           containing: "'tpu' is not one of auto, cpu, cuda")
    }
}
