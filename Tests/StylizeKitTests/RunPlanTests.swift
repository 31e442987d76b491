import Foundation
import XCTest
@testable import StylizeKit

/// `RunPlan`: everything resolved before any work, errors carrying the option's key.
final class RunPlanTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("stylize-plan-\(getpid())-\(name.hashValue)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func image(_ name: String, _ w: Int, _ h: Int) throws -> String {
        let path = dir + "/" + name
        try PNGCodec.write(RGBImage(width: w, height: h, pixels: [Float](repeating: 90, count: w * h * 3)), to: path)
        return path
    }

    func configuration(content: String, size: Int) throws -> StyleTransferConfiguration {
        var c = StyleTransferConfiguration(contentPath: content, stylePaths: [try image("s.png", 30, 30)], outputPath: dir + "/out.png")
        c.size = size; c.minSize = 16; c.iterations = 10; c.coarseIterations = 5
        c.contentLayers = ["relu2_1"]; c.styleLayers = ["relu1_1", "relu2_2"]
        c.styleWeight = .fixed(1e-3)
        return c
    }

    /// The smallest side is worked out once, from the network: 2^poolings before the
    /// deepest layer (one pooling before block 2 of the two-block synthetic VGG).
    func testTheSmallestSideComesFromTheNetwork() throws {
        let weights = syntheticWeights()
        XCTAssertEqual(try VGGNetwork.minimumSide(of: ["relu1_1"], in: weights), 1)
        XCTAssertEqual(try VGGNetwork.minimumSide(of: ["relu1_2", "relu2_1"], in: weights), 2)
        XCTAssertEqual(try VGGNetwork.minimumSide(of: ["pool2"], in: weights), 4)
        let plan = try RunPlan.make(try configuration(content: try image("c.png", 60, 40), size: 48), weights: weights)
        XCTAssertEqual(plan.minimumSide, 2)
        XCTAssertEqual(plan.deepestLayer, "relu2_2")
        XCTAssertEqual(plan.contentSize, RunPlan.Size(width: 60, height: 40))
        XCTAssertEqual(plan.schedule.scales.last.map { [$0.width, $0.height] }, [48, 32])
        XCTAssertEqual(plan.schedule.scales.first?.longestSide, 16)
        XCTAssertEqual(plan.styleWeight, .fixed(1e-3))
        XCTAssertEqual(plan.blend, [1])
        XCTAssertGreaterThan(plan.peakBytes, CostEstimate.fixedBytes)
    }

    /// `auto` adds relu2_2 to the content layers of the coarse scales only where the network
    /// computes it anyway; a list is taken as it is, and checked against the network.
    func testCoarseContentLayersResolveAgainstTheNetwork() throws {
        let weights = syntheticWeights()  // relu1_1 … relu2_2
        var c = try configuration(content: try image("c.png", 60, 40), size: 48)
        c.contentLayers = ["relu2_1"]; c.styleLayers = ["relu1_1", "relu2_1"]
        XCTAssertEqual(try RunPlan.make(c, weights: weights).coarseContentLayers, ["relu2_1"], "relu2_2 is deeper than every layer read")
        c.styleLayers = ["relu1_1", "relu2_2"]
        XCTAssertEqual(try RunPlan.make(c, weights: weights).coarseContentLayers, ["relu2_2", "relu2_1"])
        c.contentLayers = ["relu2_2"]
        XCTAssertEqual(try RunPlan.make(c, weights: weights).coarseContentLayers, ["relu2_2"])
        c.coarseContentLayers = .layers(["relu1_1", "relu1_2"])
        XCTAssertEqual(try RunPlan.make(c, weights: weights).coarseContentLayers, ["relu1_1", "relu1_2"])
        c.coarseContentLayers = .layers(["relu3_1"])
        XCTAssertThrowsError(try RunPlan.make(c, weights: weights)) { error in
            guard case .option(let e)? = error as? PlanError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.key, "coarse-content-layers")
        }
        // The default on VGG16's layer names, and a content list that has relu2_2 already.
        let vgg = { (name: String) in ["relu1_1", "relu2_2", "relu3_2", "relu4_2", "relu5_1"].contains(name) }
        XCTAssertEqual(RunSettings().coarseContentLayers.names(content: ["relu4_2"], exists: vgg), ["relu2_2", "relu4_2"])
        XCTAssertEqual(CoarseContentLayers.auto.names(content: ["relu2_2", "relu3_2"], exists: vgg), ["relu2_2", "relu3_2"])
        XCTAssertEqual(try CoarseContentLayers(optionText: "auto"), .auto)
        XCTAssertEqual(try CoarseContentLayers(optionText: "relu3_2,relu4_2").optionText, "relu3_2,relu4_2")
    }

    func testProblemsCarryTheOptionsKey() throws {
        let weights = syntheticWeights()
        var c = try configuration(content: try image("c.png", 60, 40), size: 48)
        c.styleLayers = ["relu3_1"]
        XCTAssertThrowsError(try RunPlan.make(c, weights: weights)) { error in
            guard case .option(let e)? = error as? PlanError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.key, "style-layers")
            XCTAssertTrue(e.description.hasPrefix("style-layers: unknown layer 'relu3_1'"), e.description)
        }
        c = try configuration(content: try image("thin.png", 400, 10), size: 200)  // 200x5: relu2_2 needs 2 px, gets... 5 is fine
        c.contentLayers = ["pool2"]  // needs 4 px: 200x5 is fine, 400x2 is not
        c = try configuration(content: try image("thinner.png", 800, 4), size: 200)
        c.contentLayers = ["pool2"]
        XCTAssertThrowsError(try RunPlan.make(c, weights: weights)) { error in
            guard case .option(let e)? = error as? PlanError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.key, "size")
            XCTAssertTrue(e.description.contains("at 200x1, pool2 would be empty; each side must be at least 4 px"), e.description)
        }
        c = try configuration(content: try image("c.png", 60, 40), size: 48)
        c.styleBlendWeights = [1, 2]
        XCTAssertThrowsError(try RunPlan.make(c, weights: weights)) { error in
            XCTAssertEqual("\(error)", "style-blend-weights has 2 values for 1 style images")
        }
    }

    /// Every name the run writes is planned and checked, snapshots included: a photo named
    /// like the tenth snapshot is refused before any work (issue 15, case 2).
    func testSnapshotNamesAreCheckedAgainstTheInputs() throws {
        let photo = try image("out_iter0010.png", 60, 40)
        var c = try configuration(content: photo, size: 48)
        c.saveEvery = 5
        // 16 and 28 px at 5 iterations each (two steps of √3, at most the default factor 2), then
        // 48 px at 10: 20 in all, a snapshot every 5 before the last.
        let expected = stride(from: 5, to: 20, by: 5).map { dir + "/out_iter" + String(format: "%04d", $0) + ".png" }
        c.outputPath = dir + "/elsewhere.png"
        XCTAssertEqual(try RunPlan.checkFiles(c).filter { $0.key == "save-every" }.map(\.path),
                       expected.map { $0.replacingOccurrences(of: "/out_iter", with: "/elsewhere_iter") })
        c.outputPath = dir + "/out.png"
        XCTAssertThrowsError(try RunPlan.checkFiles(c, naming: { "--" + $0 })) { error in
            XCTAssertEqual("\(error)", "--save-every '\(dir)/out_iter0010.png' is the content image '\(photo)'; "
                           + "refusing to overwrite an input (choose another output name)")
        }
    }

    /// Looking outputs up among the inputs is linear: 10,000 snapshot names against a run's
    /// inputs resolve each input once (a quadratic check took minutes for large batches).
    func testTenThousandPlannedNamesAreCheckedOnceEach() throws {
        var c = try configuration(content: try image("c.png", 60, 40), size: 48)
        c.iterations = 10_000; c.minSize = 48; c.saveEvery = 1
        let files = try RunPlan.checkFiles(c)
        XCTAssertEqual(files.count, 2 + 9_999)  // the output, its image so far, the snapshots
        XCTAssertEqual(Set(files.map(\.path)).count, files.count)
    }
}
