import Foundation
import StylizeKit
import XCTest

/// Issue 16, item 1: where a binary finds the weights when none is named, and what it says
/// when there are none. Run through the real binary (and copies of it placed elsewhere).
extension CLITests {
    /// The binary SwiftPM built here (`.build/<triple>/release/stylize`), run from a folder
    /// with no `weights/` and neither `--weights` nor `$STYLIZE_WEIGHTS`, finds this
    /// checkout's `weights/vgg16.safetensors` and runs.
    func testTheBuiltBinaryFindsItsCheckoutsWeightsFromAnotherFolder() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("weights").path))
        let o = try run(["c.png", "s.png", "-o", "out.png", "--size", "32", "--min-size", "32", "--iterations", "1", "--quiet"])
        XCTAssertEqual(o.status, 0, o.stderr)
        let image = try PNGCodec.read(path: dir.appendingPathComponent("out.png").path)
        XCTAssertEqual([image.width, image.height], [32, 26], "the 40×32 photo at 32 px")
    }

    /// A copy of the binary in a folder with no `Package.swift` above it finds nothing and
    /// says, in one line, every way to fix that; once that folder is a checkout with weights,
    /// they are found, and are an input no output may replace (the file is not even valid
    /// weights: the refusal comes before anything is read).
    func testABinaryInACheckoutFindsItsWeightsAndOtherwiseSaysWhatHelps() throws {
        if FileManager.default.fileExists(atPath: WeightsLocator.systemPath) {
            throw XCTSkip("\(WeightsLocator.systemPath) exists on this machine")
        }
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        let release = dir.appendingPathComponent("checkout/.build/release")
        try FileManager.default.createDirectory(at: release, withIntermediateDirectories: true)
        let copy = release.appendingPathComponent("stylize")
        try FileManager.default.copyItem(at: binary, to: copy)

        let none = try run(["c.png", "s.png", "-o", "out.png"], executable: copy.path)
        assertOneLineError(none, status: 1, containing: "no VGG16 weights found")
        XCTAssertTrue(none.stderr.contains("pass --weights FILE, set STYLIZE_WEIGHTS=FILE, or run 'make weights' (or 'make install') in the stylize checkout"),
                      none.stderr)

        try Data().write(to: dir.appendingPathComponent("checkout/Package.swift"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("checkout/weights"), withIntermediateDirectories: true)
        let fake = dir.appendingPathComponent("checkout/weights/vgg16.safetensors")
        try Data("not weights, and must stay so".utf8).write(to: fake)
        let found = try run(["c.png", "s.png", "-o", "out.png"], executable: copy.path)
        assertOneLineError(found, status: 1, containing: "weights file '\(fake.path)'")
        let replacing = try run(["c.png", "s.png", "-o", "checkout/weights/vgg16.safetensors"], executable: copy.path)
        assertOneLineError(replacing, status: 64, containing: "is the weights file")
        XCTAssertEqual(try String(contentsOf: fake, encoding: .utf8), "not weights, and must stay so")
    }
}
