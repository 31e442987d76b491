import Foundation
import StylizeKit
import XCTest

/// `--bit-depth`, transparency and colour profiles through the binary, in `stylize transfer`
/// and `stylize batch` (helpers in CLITests.swift).
extension CLITests {
    func testBitDepthUsageErrorsAndHelp() throws {
        assertOneLineError(try run(["a.png", "b.png", "--bit-depth", "12"]), status: 64, containing: "--bit-depth: '12' is not one of 8, 16")
        assertOneLineError(try run(["a.png", "b.png", "--bit-depth", "eight"]), status: 64, containing: "--bit-depth")
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        let base = ["batch", "--content", "c.png", "--style", "s.png", "--out", "runs", "--weights", weights]
        assertOneLineError(try run(base + ["--sweep", "bit-depth=8,12"]), status: 64, containing: "--sweep bit-depth=12")
        assertOneLineError(try run(base + ["--bit-depth", "1"]), status: 64, containing: "--bit-depth")
        let help = try run(["help", "transfer"])
        XCTAssertEqual(help.status, 0)
        for text in ["--bit-depth <8|16>", "default: 8"] {
            XCTAssertTrue(help.stdout.contains(text), "\(text) missing from: \(help.stdout)")
        }
    }

    /// A content PNG whose ICC profile LittleCMS cannot use: exit 1, one line naming it.
    func testABrokenColourProfileIsOneLineAndExit1() throws {
        let bundled = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("StylizeKitTests/Resources/profiles/broken-tags.png")
        let content = dir.appendingPathComponent("broken.png")
        try FileManager.default.copyItem(at: bundled, to: content)
        _ = try writeImage("s.png", seed: 1)
        // --quiet: the plan line printed before a run is progress, not part of the error.
        let o = try run(["broken.png", "s.png", "--size", "32", "--iterations", "1", "--weights", weights, "--quiet"])
        assertOneLineError(o, status: 1, containing: "colour profile cannot be converted to sRGB")
    }

    /// A batch sweeping the depth with a transparent content: each output has the depth
    /// asked for and an alpha channel; the records and the report name bit-depth.
    func testBatchSweepsBitDepthAndKeepsAlpha() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        let photo = RGBImage(width: 40, height: 32, fill: (90, 140, 200))
        let alpha = AlphaPlane(width: 40, height: 32, values: (0..<(40 * 32)).map { Float($0 % 40) * 6 })
        try PNGCodec.write(photo, alpha: alpha, to: dir.appendingPathComponent("cut.png").path)
        _ = try writeImage("wave.png", seed: 1)
        let o = try run(["batch", "--content", "cut.png", "--style", "wave.png", "--out", "runs", "--sweep", "bit-depth=8,16",
                         "--size", "32", "--iterations", "1", "--weights", weights, "--quiet"])
        XCTAssertEqual(o.status, 0, o.stderr)
        let records = try recordsInJobOrder("runs")
        XCTAssertEqual(records.count, 2)
        var depths: [UInt8] = []
        for r in records {
            XCTAssertEqual(r["status"] as? String, "done")
            let params = try XCTUnwrap(r["params"] as? [String: String])
            let output = try XCTUnwrap(r["output"] as? String)
            let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent("runs/" + output)))
            XCTAssertEqual("\(bytes[24])", params["bit-depth"], output)
            XCTAssertEqual(bytes[25], 6, "\(output) should be RGBA")
            depths.append(bytes[24])
        }
        XCTAssertEqual(depths, [8, 16])
        let report = try String(contentsOf: dir.appendingPathComponent("runs/index.html"), encoding: .utf8)
        XCTAssertTrue(report.contains("bit-depth"), "the report shows the swept option")
    }
}

extension CLITests {
    /// A batch recorded before `--bit-depth` existed (its params lack the key) is still
    /// done for `--resume` at the default depth, and redone at 16 bits.
    func testResumeTreatsAnOptionMissingFromOldRecordsAsItsDefault() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        let c = try writeImage("c.png"), s = try writeImage("s.png", seed: 1)
        let args = ["batch", "--content", c, "--style", s, "--out", "runs", "--size", "32", "--iterations", "1",
                    "--weights", weights, "--quiet", "--resume"]
        XCTAssertEqual(try run(args).status, 0)
        let path = dir.appendingPathComponent("runs/runs.jsonl")
        let old = try String(contentsOf: path, encoding: .utf8).replacingOccurrences(of: "\"bit-depth\":\"8\",", with: "")
        XCTAssertFalse(old.contains("bit-depth"), old)
        try old.write(to: path, atomically: true, encoding: .utf8)
        let again = try run(args)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try recordLines("runs").count, 1, "nothing rerun: \(again.stderr)")
        XCTAssertEqual(try run(args + ["--bit-depth", "16"]).status, 0)
        XCTAssertEqual(try recordLines("runs").count, 2, "a different depth is a different run")
    }
}
