import Foundation
import XCTest
@testable import StylizeKit

/// The `stylize` command on a GPU, end to end, on every machine: the built binary in a process
/// of its own, with `MockCUDA`'s stand-in driver and cuBLAS first in `STYLIZE_CUDA_PATH` (their
/// kernels the emulation's, from `STYLIZE_MOCK_KERNELS`). What no machine without a GPU ran
/// before: `--version`'s line with a GPU, `--device cuda` and `auto` choosing it, the engine in
/// the log and the records, a batch's jobs side by side on the GPU with their default count,
/// and SIGTERM during a GPU run.
final class CUDACommandLineMockTests: RealNetworkTestCase {
    struct Outcome { var status: Int32; var stdout: String; var stderr: String }

    var stylize: String { URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("stylize").path }

    func start(_ arguments: [String], environment: [String: String]) throws -> (Process, Pipe, Pipe) {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: stylize), "needs the stylize binary beside the tests")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: stylize)
        p.arguments = arguments
        p.environment = environment
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        return (p, out, err)
    }

    func run(_ arguments: [String], environment: [String: String]) throws -> Outcome {
        let (p, out, err) = try start(arguments, environment: environment)
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return Outcome(status: p.terminationStatus, stdout: stdout, stderr: stderr)
    }

    var small: [String] {
        ["--size", "48", "--min-size", "24", "--coarse-iterations", "2", "--iterations", "3", "--style-weight", "1e-3",
         "--weights", packagePath("weights/vgg16.safetensors")]
    }

    func firstLogLine(_ path: String) throws -> [String: Any] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let line = try XCTUnwrap(text.split(separator: "\n").first)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    /// `--version` names the GPU; `--device cuda` and `auto` run on it, say so in the log, and
    /// write their image.
    func testTransfersRunOnTheGPU() throws {
        let environment = try MockCUDA.commandEnvironment(cache: dir + "/cache")
        let version = try run(["--version"], environment: environment)
        XCTAssertEqual(version.status, 0, version.stderr)
        let cuda = version.stdout.split(separator: "\n").first { $0.hasPrefix("CUDA: ") }.map(String.init) ?? ""
        XCTAssertTrue(cuda.hasPrefix("CUDA: Mock GPU (sm_90, 17.2 GB), driver 13.0, NVRTC "), cuda)
        XCTAssertTrue(cuda.hasSuffix(", cuBLAS 13.1.0; the GPU engine can run here"), cuda)
        let photo = packagePath("samples/content/chelsea.png"), painting = packagePath("samples/style/tiger.png")
        for device in ["cuda", "auto"] {
            let o = try run([photo, painting, "-o", "\(device).png", "--log", "\(device).jsonl", "--device", device] + small,
                            environment: environment)
            XCTAssertEqual(o.status, 0, o.stderr)
            XCTAssertEqual(o.stdout, "\(device).png\n")
            XCTAssertFalse(o.stderr.contains("warning") || o.stderr.contains("CPU"), o.stderr)
            XCTAssertEqual(try firstLogLine(dir + "/\(device).jsonl")["engine"] as? String, "cuda, Mock GPU (sm_90)", device)
            XCTAssertEqual(try PNGCodec.read(path: dir + "/\(device).png").width, 48)
        }
    }

    /// A batch on the GPU runs its jobs side by side by default (here 2: the host's threads are
    /// fewer than the jobs that fit in the 12 GB the stand-in reports free), and every record
    /// names the GPU engine.
    func testABatchRunsItsJobsSideBySideOnTheGPU() throws {
        let environment = try MockCUDA.commandEnvironment(cache: dir + "/cache")
        let o = try run(["batch", "--content", packagePath("samples/content/chelsea.png"),
                         "--style", packagePath("samples/style/tiger.png"), "--style", packagePath("samples/style/sunflowers.png"),
                         "--out", "runs", "--device", "cuda", "--threads", "2"] + small, environment: environment)
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertTrue(o.stderr.contains("2 to run; on the GPU: "), o.stderr)
        XCTAssertTrue(o.stderr.contains("GB of GPU memory") && o.stderr.contains("(2 jobs side by side, 1 thread each)"), o.stderr)
        let records = try String(contentsOfFile: dir + "/runs/runs.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(records.count, 2)
        for r in records {
            let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.utf8)) as? [String: Any])
            XCTAssertEqual(o["status"] as? String, "done", "\(o)")
            XCTAssertEqual(o["engine"] as? String, "cuda, Mock GPU (sm_90)", "\(o)")
        }
    }

    /// A run the GPU's free memory cannot hold: with `--device cuda` one line and exit 1 before
    /// any work, nothing written; with `auto` that line as a note and the run on the CPU.
    func testARunTooLargeForTheGPUIsRefusedInOneLine() throws {
        var environment = try MockCUDA.commandEnvironment(cache: dir + "/cache")
        environment["STYLIZE_MOCK_FREE_BYTES"] = "100000000"
        let photo = packagePath("samples/content/chelsea.png"), painting = packagePath("samples/style/tiger.png")
        let refused = try run([photo, painting, "-o", "cuda.png", "--device", "cuda"] + small, environment: environment)
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stderr, "stylize: error: a 48x32 px run needs about 0.2 GB of GPU memory; the Mock GPU has "
                       + "0.1 GB free; choose a smaller size or the CPU\n")
        XCTAssertEqual(refused.stdout, "")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".png") }, [])
        let auto = try run([photo, painting, "-o", "auto.png", "--log", "auto.jsonl", "--device", "auto", "--quiet"] + small,
                           environment: environment)
        XCTAssertEqual(auto.status, 0, auto.stderr)
        XCTAssertEqual(auto.stdout, "auto.png\n")
        XCTAssertTrue(auto.stderr.contains("a 48x32 px run needs about 0.2 GB of GPU memory; the Mock GPU has 0.1 GB free; "
                                           + "running on the CPU"), auto.stderr)
        XCTAssertEqual(try firstLogLine(dir + "/auto.jsonl")["engine"] as? String, "cpu")
    }

    /// `--jobs` asking for more jobs than the GPU's free memory holds is warned about in one
    /// line (the batch still runs them, as on the CPU).
    func testJobsBeyondTheGPUsFreeMemoryAreWarnedAbout() throws {
        var environment = try MockCUDA.commandEnvironment(cache: dir + "/cache")
        environment["STYLIZE_MOCK_FREE_BYTES"] = "1000000000"
        let o = try run(["batch", "--content", packagePath("samples/content/chelsea.png"),
                         "--style", packagePath("samples/style/tiger.png"), "--style", packagePath("samples/style/sunflowers.png"),
                         "--out", "runs", "--device", "cuda", "--threads", "2", "--jobs", "2", "--quiet"] + small,
                        environment: environment)
        XCTAssertEqual(o.status, 0, o.stderr)
        let warnings = o.stderr.split(separator: "\n").filter { $0.hasPrefix("stylize: warning: ") }
        XCTAssertEqual(warnings.count, 1, o.stderr)
        XCTAssertTrue(warnings.first?.hasPrefix("stylize: warning: --jobs 2: that many jobs at once may need ") == true, o.stderr)
        XCTAssertTrue(warnings.first?.hasSuffix("of GPU memory, more than the 1.00 GB free; without --jobs the batch runs as many as fit") == true,
                      o.stderr)
        XCTAssertEqual(try String(contentsOfFile: dir + "/runs/runs.jsonl", encoding: .utf8).split(separator: "\n").count, 2)
    }

    /// SIGTERM during a GPU run: exit 143, the image so far beside the output, no output.
    func testSIGTERMStopsAGPURunWithItsImageSoFar() throws {
        let environment = try MockCUDA.commandEnvironment(cache: dir + "/cache")
        var arguments = [packagePath("samples/content/chelsea.png"), packagePath("samples/style/tiger.png"),
                         "-o", "out.png", "--log", "run.jsonl", "--device", "cuda"] + small
        arguments[arguments.firstIndex(of: "--iterations")! + 1] = "500"
        let (p, out, err) = try start(arguments, environment: environment)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {  // until the 48 px scale has begun
            let lines = (try? String(contentsOfFile: dir + "/run.jsonl", encoding: .utf8))?.split(separator: "\n").count ?? 0
            if lines > 5 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(p.processIdentifier, SIGTERM)
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 143, stderr)
        XCTAssertTrue(stderr.contains("stylize: stopped by SIGTERM at iteration "), stderr)
        XCTAssertEqual(stdout, "out.partial.png\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out.png"))
        XCTAssertEqual(try PNGCodec.read(path: dir + "/out.partial.png").width, 48)
    }
}
