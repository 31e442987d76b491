import Foundation
import StylizeKit
import XCTest

/// Issue 15, item 11: messages that said something else than what was wrong, and settings
/// that ran without a word although they cannot do what was meant.
extension CLITests {
    /// Usage errors (exit 64) that name the real problem, before the weights are read.
    func testMessagesSayWhatIsWrong() throws {
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("adir"), withIntermediateDirectories: true)
        let base = ["c.png", "s.png", "--weights", "missing.safetensors"]
        var cases: [([String], String)] = [
            (base + ["--init", "adir"], "--init 'adir': is a folder, not a file"),
            (base + ["--style-masks", "adir"], "--style-masks: 'adir': is a folder, not a file"),
            (base + ["--init", "nosuch.png"], "--init 'nosuch.png': no such file; use noise, content, style or a PNG file"),
            (base + ["--seed", "-1"], "--seed must be between 0 and 18446744073709551615, got -1"),
            (base + ["--seed", "18446744073709551616"], "--seed must be between 0 and 18446744073709551615, got 18446744073709551616"),
            (["visualize", "c.png", "--seed", "-1", "--weights", "missing.safetensors"], "--seed must be between 0 and 18446744073709551615"),
            (base + ["--style-layer-weights", "0x1,1,1,1,1"], "--style-layer-weights: '0x1'"),
            (["batch", "--content", "c.png", "--style", "s.png", "--out", "runs", "--sweep", "style-weight=1e-3,0x10",
              "--weights", "missing.safetensors"], "--sweep style-weight=0x10: --style-weight: '0x10' is not a number"),
            (["batch", "--content", "c.png", "--style", "s.png", "--out", "runs", "--sweep", "seed=1,-1",
              "--weights", "missing.safetensors"], "--sweep seed=-1: --seed must be between 0 and 18446744073709551615"),
        ]
        // Every numeric option: 0x10 would have been read as 16 (Double(String) reads hexadecimal).
        for option in ["--style-weight", "--content-weight", "--tv-weight", "--scale-factor", "--style-scale",
                       "--max-megapixels", "--learning-rate"] {
            cases.append((base + [option, "0x10"], "\(option): '0x10' is not a number"))
        }
        for option in ["--size", "--iterations", "--seed"] { cases.append((base + [option, "0x10"], "\(option): '0x10' is not a whole number")) }
        cases.append((base + ["--threads", "0x10"], "'0x10' is invalid for '--threads"))
        cases.append((base + ["--content-weight=0x1p2"], "--content-weight: '0x1p2' is not a number"))
        for (args, message) in cases { assertOneLineError(try run(args), status: 64, containing: message) }
        // A file name that only starts like a number is still a file name.
        assertOneLineError(try run(base + ["-o", "0x10.png"]), status: 1, containing: "missing.safetensors")
    }

    /// `--out` inside the content folder: the batch's own images (and contact sheet) are not
    /// inputs of its next run, so a second run and `--resume` work.
    func testABatchOutputFolderInsideTheContentFolderIsNotAnInput() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("photos"), withIntermediateDirectories: true)
        _ = try writeImage("photos/c.png"); _ = try writeImage("s.png", seed: 1)
        for out in ["photos", "photos/"] {
            let args = ["batch", "--content", "photos", "--style", "s.png", "--out", out, "--size", "32", "--iterations", "1",
                        "--weights", weights, "--quiet"]
            for extra in [[], ["--resume"]] {
                let o = try run(args + extra)
                XCTAssertEqual(o.status, 0, o.stderr)
                XCTAssertTrue(o.stderr.contains("batch: 1 job,"), o.stderr)
            }
        }
        XCTAssertTrue(try run(["batch", "--content", "photos/*.png", "--style", "s.png", "--out", "photos", "--size", "32",
                               "--iterations", "1", "--weights", weights, "--quiet", "--resume"]).stderr.contains("1 job, 1 already done"))
    }

    /// One warning line each, and the run goes on: an all-black mask, every loss weight 0
    /// (also with `auto`), a style layer named twice, one file reached by two paths in a
    /// batch (run once).
    func testSettingsThatCannotDoWhatWasMeantAreWarnedAbout() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        try PNGCodec.write(RGBImage(width: 40, height: 32, pixels: [Float](repeating: 0, count: 40 * 32 * 3)),
                           to: dir.appendingPathComponent("black.png").path)
        let base = ["c.png", "s.png", "--size", "32", "--iterations", "1", "--weights", weights, "--quiet"]
        let cases: [([String], String)] = [
            (["--style-masks", "black.png"], "mask 'black.png' is black everywhere: its style image 's.png' applies nowhere"),
            (["--content-weight", "0", "--style-weight", "0", "--tv-weight", "0"],
             "--content-weight, --style-weight and --tv-weight are all 0: the loss is 0 everywhere"),
            (["--content-weight", "0", "--tv-weight", "0"], "(auto gives 0 when the content weight is 0)"),
            (["--style-layers", "relu1_1,relu2_1,relu1_1"], "--style-layers repeats relu1_1 (2 times)"),
            (["--gpu-math", "tf32", "--device", "cpu"], "--gpu-math tf32 applies only on the GPU; this run is on the CPU (--device cpu), in float32"),
        ]
        for (n, (extra, message)) in cases.enumerated() {
            let o = try run(base + extra + ["-o", "out\(n).png"])
            XCTAssertEqual(o.status, 0, o.stderr)
            XCTAssertEqual(o.stderr.split(separator: "\n").count, 1, o.stderr)
            XCTAssertTrue(o.stderr.hasPrefix("stylize: warning: ") && o.stderr.contains(message), "'\(message)' not in: \(o.stderr)")
        }
        XCTAssertEqual(try run(base + ["-o", "plain.png"]).stderr, "", "no warning for an ordinary run")

        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("link.png").path, withDestinationPath: "c.png")
        let o = try run(["batch", "--content", "c.png", "./c.png", "link.png", "--style", "s.png", "--out", "runs", "--size", "32",
                         "--iterations", "1", "--weights", weights, "--quiet"])
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertTrue(o.stderr.contains("stylize: warning: --content: './c.png' is the same file as 'c.png'; it is used once"), o.stderr)
        XCTAssertTrue(o.stderr.contains("stylize: warning: --content: 'link.png' is the same file as 'c.png'"), o.stderr)
        XCTAssertTrue(o.stderr.contains("batch: 1 job,"), o.stderr)
        XCTAssertEqual(try recordLines("runs").count, 1)
    }
}
