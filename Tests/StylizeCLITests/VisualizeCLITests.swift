import Foundation
import StylizeKit
import XCTest

/// `stylize visualize` as a user runs it: files written, JSON shapes, one-line errors.
extension CLITests {
    func testVisualizeWritesMontagesStatisticsTopPatchesAndIndex() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: weights), "needs weights/vgg16.safetensors (make weights)")
        let folder = dir.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        _ = try writeImage("photos/a.png", width: 40, height: 32)
        _ = try writeImage("photos/b.png", width: 32, height: 40, seed: 3)
        let o = try run(["visualize", "photos", "--layers", "relu1_1,relu2_1", "--top", "3", "--size", "40",
                         "--out", "viz", "--weights", weights, "--quiet"])
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertEqual(o.stdout, "viz/index.html\n")  // as given, like transfer and batch
        let viz = dir.appendingPathComponent("viz")
        for file in ["a/relu1_1.png", "a/relu1_1-gram.png", "a/relu2_1.png", "b/relu2_1-gram.png", "index.html",
                     "top/relu1_1.png", "top/relu2_1.png", "top/relu1_1/ch000.png", "top/relu2_1/ch127.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: viz.appendingPathComponent(file).path), file)
        }
        // relu1_1: 64 channels on one page of 12 × 6 tiles of 40×32.
        let montage = try PNGCodec.read(path: viz.appendingPathComponent("a/relu1_1.png").path)
        let layout = MontageLayout(channels: 64, mapWidth: 40, mapHeight: 32)
        XCTAssertEqual([montage.width, montage.height], [layout.pageSize(0).width, layout.pageSize(0).height])

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: viz.appendingPathComponent("activations.json"))) as? [String: Any]
        let images = try XCTUnwrap(json?["images"] as? [[String: Any]])
        XCTAssertEqual(images.count, 2)
        XCTAssertEqual(images[1]["size"] as? [Int], [32, 40])
        let layers = try XCTUnwrap(images[0]["layers"] as? [String: Any])
        let relu21 = try XCTUnwrap(layers["relu2_1"] as? [String: Any])
        XCTAssertEqual(relu21["shape"] as? [Int], [128, 16, 20])
        for key in ["mean", "max", "active_fraction"] { XCTAssertEqual((relu21[key] as? [Double])?.count, 128, key) }

        let top = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: viz.appendingPathComponent("top/relu1_1.json"))) as? [[String: Any]])
        XCTAssertEqual(top.count, 64)
        let patches = try XCTUnwrap(top[0]["patches"] as? [[String: Any]])
        XCTAssertLessThanOrEqual(patches.count, 3)
        let values = patches.compactMap { $0["value"] as? Double }
        XCTAssertEqual(values, values.sorted(by: >))
        let html = try String(contentsOf: viz.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("a/relu2_1.png") && html.contains("top/relu1_1.png"))
        XCTAssertFalse(html.contains("http://") || html.contains("https://"))
    }

    func testVisualizeMaximizeWritesOneImagePerChannel() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: weights), "needs weights/vgg16.safetensors (make weights)")
        let image = try writeImage("a.png", width: 32, height: 32)
        let o = try run(["visualize", image, "--layers", "relu2_1", "--maximize", "3,7", "--maximize-size", "32",
                         "--maximize-iterations", "5", "--size", "32", "--out", "viz", "--weights", weights, "--quiet"])
        XCTAssertEqual(o.status, 0, o.stderr)
        for ch in ["003", "007"] {
            let img = try PNGCodec.read(path: dir.appendingPathComponent("viz/maximize/relu2_1-ch\(ch).png").path)
            XCTAssertEqual([img.width, img.height], [32, 32])
        }
    }

    func testVisualizeHelp() throws {
        let root = try run(["--help"])
        XCTAssertTrue(root.stdout.contains("visualize"), root.stdout)
        let o = try run(["visualize", "--help"])
        XCTAssertEqual(o.status, 0)
        for option in ["--layers", "--top", "--maximize", "--size", "--out", "--pooling", "--weights"] {
            XCTAssertTrue(o.stdout.contains(option), "\(option) missing from: \(o.stdout)")
        }
        let t = try run(["transfer", "--help"])
        for option in ["--dump-every", "--dump-layers", "--dump-dir"] { XCTAssertTrue(t.stdout.contains(option), option) }
    }

    func testVisualizeOptionErrors() throws {
        let image = try writeImage("a.png")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("empty"), withIntermediateDirectories: true)
        assertOneLineError(try run(["visualize", image, "--layers", "relu9_9", "--weights", weights]), status: 64, containing: "unknown layer 'relu9_9'")
        assertOneLineError(try run(["visualize", image, "--layers", "banana", "--weights", weights]), status: 64, containing: "banana")
        assertOneLineError(try run(["visualize", image, "--layers", "relu1_1", "--maximize", "64", "--weights", weights]),
                           status: 1, containing: "channel 64 is out of range")
        assertOneLineError(try run(["visualize", image, "--maximize", "3", "--weights", weights]), status: 64, containing: "exactly one layer")
        assertOneLineError(try run(["visualize", "empty", "--weights", weights]), status: 1, containing: "no images found (PNG, JPEG or WebP)")
        assertOneLineError(try run(["visualize", "nothing*.png", "--weights", weights]), status: 1, containing: "no images found (PNG, JPEG or WebP)")
        assertOneLineError(try run(["visualize", "--weights", weights]), status: 64, containing: "missing the images")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("viz").path))
    }

    /// `--dump-every 2` on a 3-iteration run: montages at iterations 0 and 2, and an index.
    func testTransferDumpsActivationMontages() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: weights), "needs weights/vgg16.safetensors (make weights)")
        let content = try writeImage("content.png", width: 32, height: 32)
        let style = try writeImage("style.png", width: 32, height: 32, seed: 2)
        let o = try run([content, style, "--weights", weights, "--iterations", "3", "--size", "32", "--quiet",
                         "--dump-every", "2", "--dump-layers", "relu1_1,relu3_1", "--dump-dir", "dumps", "-o", "out.png"])
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertEqual(o.stdout, "out.png\n")
        for file in ["iter0000/relu1_1.png", "iter0000/relu3_1-gram.png", "iter0002/relu1_1.png", "iter0002/relu3_1-p2.png", "index.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("dumps/" + file).path), file)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("dumps/iter0003").path))
        assertOneLineError(try run([content, style, "--weights", weights, "--dump-every", "1", "--dump-layers", "relu7_1", "-o", "x.png"]),
                           status: 64, containing: "--dump-layers: unknown layer 'relu7_1'")
    }
}
