import Foundation
import StylizeKit
import XCTest

/// Issue 15, item 5: an interrupted run never replaces a file with its image so far.
extension CLITests {
    /// Starts `stylize arguments`, sends `signal` once `condition` holds (or after a minute)
    /// and waits for the end; fails the test if the condition never held.
    func interrupt(_ arguments: [String], with signal: Int32 = SIGTERM, once condition: () -> Bool,
                   file: StaticString = #filePath, line: UInt = #line) throws -> Process {
        let p = try start(arguments)
        let started = waitFor(60, condition)
        kill(p.processIdentifier, signal)
        p.waitUntilExit()
        XCTAssertTrue(started, "never started: \(text("stderr.txt"))", file: file, line: line)
        return p
    }

    /// SIGTERM in the first, coarse scale: the image so far (that scale's size, which the
    /// message gives) goes to the first free `.partial` name in the output's format, the
    /// earlier `out.jpg` and `out.partial.jpg` stay as they were, and stdout names the file.
    func testAnInterruptedRunReplacesNothingAndSaysTheImagesSize() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        _ = try writeImage("c.png", width: 64, height: 48); _ = try writeImage("s.png", seed: 1)
        let earlier = [Data("an earlier result".utf8), Data("an earlier image so far".utf8)]
        try earlier[0].write(to: dir.appendingPathComponent("out.jpg"))
        try earlier[1].write(to: dir.appendingPathComponent("out.partial.jpg"))
        let p = try interrupt(["c.png", "s.png", "-o", "out.jpg", "--size", "64", "--min-size", "32", "--coarse-iterations", "5000",
                               "--log", "run.jsonl", "--weights", weights, "--quiet"]) { lineCount("run.jsonl") >= 4 }
        XCTAssertEqual(p.terminationStatus, 143)
        XCTAssertEqual(text("stdout.txt"), "out.partial-2.jpg\n")
        let stderr = text("stderr.txt")
        XCTAssertTrue(stderr.hasPrefix("stylize: stopped by SIGTERM at iteration "), stderr)
        XCTAssertTrue(stderr.hasSuffix("; the image so far is in 'out.partial-2.jpg' (32x24, scale 1 of 2; --size 64 is 64x48)\n"), stderr)
        let image = try ImageFile.read(path: dir.appendingPathComponent("out.partial-2.jpg").path).image
        XCTAssertEqual([image.width, image.height], [32, 24])
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("out.jpg")), earlier[0])
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("out.partial.jpg")), earlier[1])
    }

    /// The image so far's name is checked against the inputs with the output's, before
    /// anything is read (a usage error, exit 64), in a transfer and in a batch.
    func testTheImageSoFarIsNeverAnInput() throws {
        _ = try writeImage("x.partial.png"); _ = try writeImage("s.png", seed: 1)
        let o = try run(["x.partial.png", "s.png", "-o", "x.png", "--weights", "missing.safetensors"])
        assertOneLineError(o, status: 64, containing: "-o's image so far 'x.partial.png' is the content image 'x.partial.png'; refusing to overwrite an input")

        try FileManager.default.createDirectory(at: dir.appendingPathComponent("runs"), withIntermediateDirectories: true)
        _ = try writeImage("runs/c__s.partial.png"); _ = try writeImage("c.png")
        let b = try run(["batch", "--content", "c.png", "runs/c__s.partial.png", "--style", "s.png", "--out", "runs",
                         "--weights", "missing.safetensors"])
        assertOneLineError(b, status: 64, containing: "batch image so far '")
        XCTAssertTrue(b.stderr.contains("runs/c__s.partial.png' is the content image"), b.stderr)
    }

    /// A finished job that is run again (without `--resume`) and interrupted keeps its
    /// finished image: `--resume` then rightly counts it done. (Before, the image so far
    /// replaced it, and `--resume` took the half-done image for the finished one.)
    func testAnInterruptedRerunKeepsTheFinishedImageOfTheJob() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        _ = try writeImage("c.png", width: 48, height: 40); _ = try writeImage("s.png", seed: 1)
        let args = ["batch", "--content", "c.png", "--style", "s.png", "--out", "runs", "--size", "48", "--min-size", "48",
                    "--weights", weights, "--quiet"]
        let first = try run(args + ["--iterations", "2"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let finished = try Data(contentsOf: dir.appendingPathComponent("runs/c__s.png"))
        let again = try interrupt(args + ["--iterations", "5000"]) { lineCount("runs/logs/c__s.jsonl") >= 8 }
        XCTAssertEqual(again.terminationStatus, 143)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("runs/c__s.png")), finished)
        XCTAssertNoThrow(try PNGCodec.read(path: dir.appendingPathComponent("runs/c__s.partial.png").path))
        XCTAssertEqual(try recordLines("runs").last?["partial"] as? String, "c__s.partial.png")
        let resumed = try run(args + ["--iterations", "2", "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("1 already done, nothing left to run"), resumed.stderr)
    }
}
