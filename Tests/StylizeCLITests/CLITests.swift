import Foundation
import StylizeKit
import XCTest

/// Runs the built `stylize` binary as a user would and checks exit codes, stderr and files.
final class CLITests: XCTestCase {
    /// The `stylize` executable beside the test bundle (`.build/<config>/stylize`).
    var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("stylize")
    }
    var weights: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("weights/vgg16.safetensors").path
    }
    var dir: URL!

    /// The binaries these tests start use this process's GEMM kernel: each process chooses
    /// its own by timing (GEMMKernel), and tests that compare two runs' bytes must
    /// not depend on two timings falling on the same side of the margin.
    static let sameGEMMInChildren: Void = {
        setenv("STYLIZE_GEMM", GEMMKernel.chosen(for: .winograd).environmentValue + ","
               + GEMMKernel.chosen(for: .general).environmentValue, 0)
    }()

    override func setUpWithError() throws {
        _ = CLITests.sameGEMMInChildren
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("stylize-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    struct Outcome {
        let status: Int32; let stdout: String; let stderr: String
        /// stdout's exact bytes (`stdout` repairs bytes that are not UTF-8).
        var stdoutBytes: [UInt8] = []
    }

    /// Runs `stylize` (or `executable`, e.g. a shell that sets limits and then runs it).
    func run(_ arguments: [String], environment: [String: String] = [:], executable: String? = nil) throws -> Outcome {
        let p = Process()
        p.executableURL = executable.map { URL(fileURLWithPath: $0) } ?? binary
        p.arguments = arguments
        p.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        env["STYLIZE_WEIGHTS"] = nil
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Outcome(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                       stderr: String(decoding: e, as: UTF8.self), stdoutBytes: Array(o))
    }

    /// A small deterministic photo-like PNG.
    func writeImage(_ name: String, width: Int = 40, height: Int = 32, seed: Int = 0) throws -> String {
        var px = [Float]()
        for y in 0..<height { for x in 0..<width { for c in 0..<3 {
            px.append(Float((x * 5 + y * 3 + c * 70 + seed * 31 + (x * y) % 17) % 256))
        } } }
        let path = dir.appendingPathComponent(name).path
        try PNGCodec.write(RGBImage(width: width, height: height, pixels: px), to: path)
        return path
    }

    func assertOneLineError(_ o: Outcome, status: Int32, containing text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(o.status, status, "stderr: \(o.stderr)", file: file, line: line)
        let lines = o.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        XCTAssertEqual(lines.count, 1, "expected one line on stderr, got: \(o.stderr)", file: file, line: line)
        XCTAssertTrue(o.stderr.hasPrefix("stylize: error: "), o.stderr, file: file, line: line)
        XCTAssertTrue(o.stderr.contains(text), "'\(text)' not in: \(o.stderr)", file: file, line: line)
        XCTAssertEqual(o.stdout, "", file: file, line: line)
    }

    func pngFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".png") || $0.hasSuffix(".tmp") }.sorted()
    }

    func testHelp() throws {
        let root = try run(["--help"])
        XCTAssertEqual(root.status, 0)
        XCTAssertTrue(root.stdout.contains("transfer (default)"), root.stdout)
        let o = try run(["transfer", "--help"])
        XCTAssertEqual(o.status, 0)
        for option in ["--style-weight", "--content-layers", "--init", "--optimizer", "--log", "--threads", "--weights"] {
            XCTAssertTrue(o.stdout.contains(option), "\(option) missing from: \(o.stdout)")
        }
    }

    func testUnknownFlagIsAUsageError() throws {
        let o = try run(["a.png", "b.png", "--bogus"])
        assertOneLineError(o, status: 64, containing: "--bogus")
    }

    func testInvalidValueIsAUsageError() throws {
        assertOneLineError(try run(["a.png", "b.png", "--size", "3"]), status: 64, containing: "--size")
        assertOneLineError(try run(["a.png", "b.png", "--pooling", "median"]), status: 64, containing: "median")
        assertOneLineError(try run(["a.png"]), status: 64, containing: "style")
        assertOneLineError(try run(["a.png", "b.png", "--scale-factor", "9"]), status: 64, containing: "--scale-factor must be a finite number between 1.05 and 4, got 9")
        assertOneLineError(try run(["a.png", "b.png", "--min-size", "8"]), status: 64, containing: "--min-size must be between 16 and 8192")
        assertOneLineError(try run(["a.png", "b.png", "--coarse-iterations=-1"]), status: 64, containing: "--coarse-iterations must be between 0 and 1000000, got -1")
        assertOneLineError(try run(["a.png", "b.png", "--coarse-content-layers", "conv"]), status: 64,
                           containing: "--coarse-content-layers: 'conv' is not a layer name")
    }

    func testMissingContentFile() throws {
        let style = try writeImage("style.png")
        let o = try run(["nope.png", style, "--weights", weights, "-o", "out.png"])
        assertOneLineError(o, status: 1, containing: "nope.png")
        XCTAssertEqual(try pngFiles(), ["style.png"])
    }

    func testCorruptPNG() throws {
        let style = try writeImage("style.png")
        let bad = dir.appendingPathComponent("broken.png")
        // A PNG signature and an IHDR chunk whose CRC is wrong.
        let bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
                              0, 0, 0, 32, 0, 0, 0, 32, 8, 2, 0, 0, 0, 0xDE, 0xAD, 0xBE, 0xEF]
        try Data(bytes).write(to: bad)
        let o = try run([bad.path, style, "--weights", weights, "-o", "out.png"])
        assertOneLineError(o, status: 1, containing: "broken.png")
        XCTAssertEqual(try pngFiles(), ["broken.png", "style.png"])
    }

    func testMissingWeights() throws {
        let content = try writeImage("content.png"), style = try writeImage("style.png", seed: 1)
        let o = try run([content, style, "--weights", dir.appendingPathComponent("none.safetensors").path, "-o", "out.png"])
        assertOneLineError(o, status: 1, containing: "none.safetensors")
        XCTAssertEqual(try pngFiles(), ["content.png", "style.png"])
    }

    /// `--iterations 0 --init content` at the image's own size: no resampling, no update,
    /// so the output has exactly the input's pixels.
    func testZeroIterationsFromContentReturnsTheInput() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: weights), "needs weights/vgg16.safetensors (make weights)")
        let content = try writeImage("content.png", width: 48, height: 40)
        let style = try writeImage("style.png", width: 30, height: 30, seed: 2)
        let o = try run([content, style, "--weights", weights, "--iterations", "0", "--init", "content",
                         "--size", "48", "-o", "result.png", "--quiet"])
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertEqual(o.stdout, "result.png\n")
        let input = try PNGCodec.read(path: content), output = try PNGCodec.read(path: dir.appendingPathComponent("result.png").path)
        XCTAssertEqual(output, input)
    }

    /// A loss that overflows stops the run with one line and still leaves a decodable image.
    /// The weights are a converted file gone wrong: block 1 of the real VGG16 with conv1_1's
    /// bias at 3e38, so the Gram matrices overflow at the starting image (every weight option
    /// is range-checked, so broken weights are how a user meets this).
    func testNonFiniteLossStopsWithOneLineAndKeepsTheImage() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: weights), "needs weights/vgg16.safetensors (make weights)")
        let content = try writeImage("content.png", width: 40, height: 32)
        let style = try writeImage("style.png", width: 30, height: 30, seed: 2)
        let broken = try overflowingWeights()
        let o = try run([content, style, "--weights", broken, "--iterations", "3", "--content-layers", "relu1_1",
                         "--style-layers", "relu1_2", "--size", "40", "-o", "result.png", "--quiet"])
        assertOneLineError(o, status: 1, containing: "NaN or infinite at the starting image (iteration 0)")
        let kept = try PNGCodec.read(path: dir.appendingPathComponent("result.png").path)
        XCTAssertEqual([kept.width, kept.height], [40, 32])
        XCTAssertEqual(try pngFiles(), ["content.png", "result.png", "style.png"])
    }

    /// `broken.safetensors`: conv1_1 and conv1_2 of the real weights, conv1_1's bias set to 3e38.
    func overflowingWeights() throws -> String {
        let real = try XCTUnwrap(FileHandle(forReadingAtPath: weights))
        defer { try? real.close() }
        let size = try XCTUnwrap(real.readData(ofLength: 8)).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian }
        let header = try XCTUnwrap(JSONSerialization.jsonObject(with: real.readData(ofLength: Int(size))) as? [String: Any])
        let kept = header.filter { $0.key.hasPrefix("conv1_") }
        XCTAssertEqual(kept.count, 4)
        let offsets = try kept.mapValues { try XCTUnwrap(($0 as? [String: Any])?["data_offsets"] as? [Int]) }
        var data = real.readData(ofLength: offsets.values.map { $0[1] }.max() ?? 0)
        let bias = try XCTUnwrap(offsets["conv1_1.bias"])
        let huge = Float(3e38).bitPattern.littleEndian
        for i in stride(from: bias[0], to: bias[1], by: 4) {
            for k in 0..<4 { data[i + k] = UInt8(truncatingIfNeeded: huge >> (8 * UInt32(k))) }
        }
        var json = try JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys])
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        file.append(data)
        let path = dir.appendingPathComponent("broken.safetensors").path
        try file.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A short real run writes the image, the log and intermediate images.
    func testShortRunWritesImageLogAndIntermediates() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: weights), "needs weights/vgg16.safetensors (make weights)")
        let content = try writeImage("content.png", width: 48, height: 40)
        let style = try writeImage("style.png", width: 30, height: 30, seed: 2)
        let o = try run([content, style, "--weights", weights, "--iterations", "4", "--save-every", "2",
                         "--size", "48", "--log", "run.jsonl"])
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertEqual(o.stdout, "content_style.png\n")
        XCTAssertEqual(try pngFiles(), ["content.png", "content_style.png", "content_style_iter0002.png", "style.png"])
        let lines = try String(contentsOf: dir.appendingPathComponent("run.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 5)  // iteration 0 and 4 iterations
        var previous = Double.infinity
        for (i, line) in lines.enumerated() {
            let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertEqual(obj["iteration"] as? Int, i)
            for key in ["evaluations", "content", "style", "tv", "total", "seconds"] { XCTAssertNotNil(obj[key], key) }
            let total = try XCTUnwrap(obj["total"] as? Double)
            XCTAssertLessThanOrEqual(total, previous)  // L-BFGS with a sufficient-decrease line search
            previous = total
        }
    }

    /// A real coarse-to-fine run through the binary: 32 → 45 → 64 px (`--scale-factor 1.5`:
    /// two equal steps of √2, where the default factor 2 would take one), the log counts across
    /// scales, a scale's first line repeats the previous iteration at its new size, the last
    /// line is at the final size, and --save-every names global iterations.
    func testCoarseToFineRunLogsEveryScale() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: weights), "needs weights/vgg16.safetensors (make weights)")
        let content = try writeImage("content.png", width: 64, height: 48)
        let style = try writeImage("style.png", width: 30, height: 30, seed: 2)
        let o = try run([content, style, "--weights", weights, "--size", "64", "--min-size", "32", "--scale-factor", "1.5",
                         "--coarse-iterations", "2", "--iterations", "2", "--save-every", "3", "--log", "run.jsonl", "-o", "out.png", "--quiet"])
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertEqual(try pngFiles(), ["content.png", "out.png", "out_iter0003.png", "style.png"])
        let lines = try String(contentsOf: dir.appendingPathComponent("run.jsonl"), encoding: .utf8).split(separator: "\n")
        let objs = try lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(objs.map { $0["scale"] as? Int }, [0, 0, 0, 1, 1, 1, 2, 2, 2])
        XCTAssertEqual(objs.map { $0["iteration"] as? Int }, [0, 1, 2, 2, 3, 4, 4, 5, 6])
        XCTAssertEqual(objs.map { $0["width"] as? Int }, [32, 32, 32, 45, 45, 45, 64, 64, 64])
        XCTAssertEqual(objs.last?["height"] as? Int, 48)
        XCTAssertTrue(objs.allSatisfy { $0["stop_reason"] is NSNull })
        let out = try PNGCodec.read(path: dir.appendingPathComponent("out.png").path)
        XCTAssertEqual([out.width, out.height], [64, 48])
    }
}
