import Foundation
import StylizeKit
import XCTest

/// `--preserve-colors`, `--style-scale` and `--style-weight auto` through the binary, in
/// `stylize transfer` and `stylize batch` (helpers in CLITests.swift).
extension CLITests {
    func testArtistOptionsUsageErrorsAndHelp() throws {
        assertOneLineError(try run(["a.png", "b.png", "--preserve-colors", "sepia"]), status: 64, containing: "sepia")
        assertOneLineError(try run(["a.png", "b.png", "--style-scale", "0"]), status: 64, containing: "--style-scale must be a finite number between 0.1 and 4, got 0")
        assertOneLineError(try run(["a.png", "b.png", "--style-weight", "heavy"]), status: 64, containing: "heavy")
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        let base = ["batch", "--content", "c.png", "--style", "s.png", "--out", "runs", "--weights", weights]
        assertOneLineError(try run(base + ["--sweep", "preserve-colors=none,sepia"]), status: 64, containing: "sepia")
        assertOneLineError(try run(base + ["--sweep", "style-scale=1,9"]), status: 64, containing: "--style-scale")
        let help = try run(["help", "transfer"])
        XCTAssertEqual(help.status, 0)
        for text in ["--preserve-colors", "none|luminance|histogram", "--style-scale", "beta|auto", "default: auto"] {
            XCTAssertTrue(help.stdout.contains(text), "\(text) missing from: \(help.stdout)")
        }
    }

    /// A batch sweeping the colour modes and the style scale at the default (auto) β: every
    /// job runs, its params name the mode, the scale and `auto`, and its record and log
    /// state the same positive β.
    func testBatchSweepsColourModesAndStyleScale() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        _ = try writeImage("cat.png", width: 40, height: 32)
        _ = try writeImage("wave.png", seed: 1)
        let o = try run(["batch", "--content", "cat.png", "--style", "wave.png", "--out", "runs",
                         "--sweep", "preserve-colors=none,luminance,histogram", "--sweep", "style-scale=0.5,1",
                         "--size", "32", "--iterations", "1", "--weights", weights, "--quiet"])
        XCTAssertEqual(o.status, 0, o.stderr)
        let records = try recordsInJobOrder("runs")
        XCTAssertEqual(records.count, 6)
        var modes: [String] = []
        for r in records {
            XCTAssertEqual(r["status"] as? String, "done")
            let params = try XCTUnwrap(r["params"] as? [String: String])
            XCTAssertEqual(params["style-weight"], "auto")
            modes.append(try XCTUnwrap(params["preserve-colors"]) + "/" + (try XCTUnwrap(params["style-scale"])))
            let final = try XCTUnwrap(r["final"] as? [String: Double])
            let beta = try XCTUnwrap(final["style_weight"])
            XCTAssertGreaterThan(beta, 0)
            let log = try String(contentsOfFile: dir.appendingPathComponent("runs/" + (r["log"] as! String)).path, encoding: .utf8)
            let last = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(log.split(separator: "\n").last!.utf8)) as? [String: Any])
            XCTAssertEqual(last["style_weight"] as? Double, beta)
        }
        XCTAssertEqual(modes, ["none/0.5", "none/1.0", "luminance/0.5", "luminance/1.0", "histogram/0.5", "histogram/1.0"])
    }
}
