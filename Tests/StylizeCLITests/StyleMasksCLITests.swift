import Foundation
import StylizeKit
import XCTest

/// `--style-masks` through the binary: refusals (exit 64, one line, before any weights are
/// read), a mask is an input that no output may replace, a two-style masked run, and a
/// batch sweeping masks (helpers in CLITests.swift).
extension CLITests {
    func testBadStyleMasksAreUsageErrors() throws {
        _ = try writeImage("c.png", width: 60, height: 30)
        _ = try writeImage("s.png", seed: 1); _ = try writeImage("t.png", seed: 2)
        _ = try writeImage("wide.png", width: 60, height: 30, seed: 3); _ = try writeImage("square.png", width: 30, height: 30, seed: 4)
        let base = ["c.png", "s.png", "t.png", "--weights", "missing.safetensors"]  // refused before the weights are read
        assertOneLineError(try run(base + ["--style-masks", "wide.png"]), status: 64,
                           containing: "--style-masks has 1 mask for 2 style images")
        assertOneLineError(try run(base + ["--style-masks", "wide.png,square.png"]), status: 64,
                           containing: "mask 'square.png' is 30x30 (aspect 1.000) but the content 'c.png' is 60x30 (aspect 2.000); a mask must have the photo's aspect ratio")
        assertOneLineError(try run(base + ["--style-masks", "wide.png,nosuch.png"]), status: 64,
                           containing: "--style-masks: 'nosuch.png': no such file")
        try Data("not a png".utf8).write(to: dir.appendingPathComponent("text.png"))
        assertOneLineError(try run(base + ["--style-masks", "wide.png,text.png"]), status: 64,
                           containing: "--style-masks: cannot read 'text.png'")
        assertOneLineError(try run(base + ["--style-masks", "wide.png,"]), status: 64, containing: "--style-masks: an empty file name")
        let mask = try Data(contentsOf: dir.appendingPathComponent("square.png"))
        assertOneLineError(try run(["c.png", "s.png", "--style-masks", "square.png", "-o", "./square.png", "--weights", "missing.safetensors"]),
                           status: 64, containing: "-o './square.png' is the style mask 'square.png'; refusing to overwrite an input")
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("square.png")), mask, "the mask is untouched")
        let batch = ["batch", "--content", "c.png", "--style", "s.png", "--out", "runs", "--weights", "missing.safetensors"]
        assertOneLineError(try run(batch + ["--sweep", "style-masks=wide.png,square.png"]), status: 64,
                           containing: "--sweep style-masks=square.png: mask 'square.png' is 30x30")
        assertOneLineError(try run(batch + ["--style-masks", "wide.png,wide.png"]), status: 64,
                           containing: "--style-masks has 2 masks for 1 style image")
        let help = try run(["help", "transfer"])
        XCTAssertTrue(help.stdout.contains("--style-masks <masks>"), help.stdout)
    }

    /// Two styles, left and right masks, through the binary and through a batch sweep that
    /// gives each job one mask: the runs finish, and the params record the masks.
    func testMaskedRunsInTransferAndBatch() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        _ = try writeImage("c.png", width: 48, height: 32)
        _ = try writeImage("s.png", seed: 1); _ = try writeImage("t.png", seed: 2)
        var left = [Float](), right = [Float]()
        for _ in 0..<32 { for x in 0..<48 { for _ in 0..<3 { left.append(x < 24 ? 255 : 0); right.append(x < 24 ? 0 : 255) } } }
        try PNGCodec.write(RGBImage(width: 48, height: 32, pixels: left), to: dir.appendingPathComponent("left.png").path)
        try PNGCodec.write(RGBImage(width: 48, height: 32, pixels: right), to: dir.appendingPathComponent("right.png").path)
        let t = try run(["c.png", "s.png", "t.png", "--style-masks", "left.png,right.png", "--size", "48", "--iterations", "2",
                         "--weights", weights, "--quiet", "-o", "out.png"])
        XCTAssertEqual(t.status, 0, t.stderr)
        XCTAssertEqual(try PNGCodec.read(path: dir.appendingPathComponent("out.png").path).width, 48)
        let b = try run(["batch", "--content", "c.png", "--style", "s.png", "--out", "runs", "--sweep", "style-masks=left.png,right.png",
                         "--size", "32", "--iterations", "1", "--weights", weights, "--quiet"])
        XCTAssertEqual(b.status, 0, b.stderr)
        let masks = try recordsInJobOrder("runs").map { ($0["params"] as? [String: String])?["style-masks"] }
        XCTAssertEqual(masks, ["left.png", "right.png"])
    }
}
