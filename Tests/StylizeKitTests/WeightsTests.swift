import Foundation
import XCTest
@testable import StylizeKit

typealias W = SafeTensorsWriter

/// Shared helpers: write a file, expect a one-line error mentioning some strings.
class WeightsTestCase: XCTestCase {
    var dir: TemporaryDirectory!

    override func setUpWithError() throws { dir = try TemporaryDirectory() }
    override func tearDown() { dir?.cleanUp() }

    func write(_ data: Data, _ name: String = "w.safetensors") throws -> String {
        try dir.write(data, to: name)
    }

    /// Runs `body`, requires a `WeightsError` whose single-line description
    /// contains every string in `parts`; returns it.
    @discardableResult
    func expectError(_ parts: [String], file: StaticString = #filePath, line: UInt = #line,
                     _ body: () throws -> Void) -> WeightsError? {
        do {
            try body()
            XCTFail("expected an error mentioning \(parts)", file: file, line: line)
            return nil
        } catch let error as WeightsError {
            let text = error.description
            XCTAssertFalse(text.contains("\n"), "message is not one line: \(text)", file: file, line: line)
            for part in parts {
                XCTAssertTrue(text.contains(part), "'\(text)' does not mention '\(part)'", file: file, line: line)
            }
            return error
        } catch {
            XCTFail("unexpected error type \(type(of: error)): \(error)", file: file, line: line)
            return nil
        }
    }

    /// Loading a VGG file built from `tensors` must fail mentioning `parts`.
    func expectLoadError(_ tensors: [W.Tensor], metadata: [String: String]? = nil, _ parts: [String],
                         file: StaticString = #filePath, line: UInt = #line) throws {
        let path = try write(W.file(tensors, metadata: metadata))
        expectError([path] + parts, file: file, line: line) { _ = try VGGWeights.load(from: path) }
    }
}

/// The container format: SafeTensorsFile.
final class WeightsFileTests: WeightsTestCase {
    func testReadsTensorsInfoMetadataAndFloats() throws {
        let path = try write(W.file([
            .f32("b", [2], [1.5, -2]),
            .f32("a", [2, 3], [0, 1, 2, 3, 4, Float.pi]),
            W.Tensor(name: "h", dtype: "F16", shape: [2], bytes: [0, 0x3C, 0, 0x40]),
        ], metadata: ["k": "v"]))
        let file = try SafeTensorsFile(path: path)
        XCTAssertEqual(file.tensorNames, ["b", "a", "h"])  // data order
        XCTAssertEqual(file.info("a")?.shape, [2, 3])
        XCTAssertEqual(file.info("a")?.dtype, .f32)
        XCTAssertEqual(file.info("h")?.dtype, .f16)
        XCTAssertNil(file.info("zz"))
        XCTAssertEqual(file.metadata, ["k": "v"])
        XCTAssertEqual(try file.floats("a"), [0, 1, 2, 3, 4, Float.pi])
        XCTAssertEqual(try file.floats("b"), [1.5, -2])
        expectError([path, "'h'", "F16", "expected F32"]) { _ = try file.floats("h") }
        expectError([path, "'zz'"]) { _ = try file.floats("zz") }
    }

    func testMissingFile() {
        let path = dir.path + "/nope.safetensors"
        expectError([path, "does not exist"]) { _ = try SafeTensorsFile(path: path) }
    }

    func testTooShortFile() throws {
        let path = try write(Data([1, 2, 3]))
        expectError([path, "too short"]) { _ = try SafeTensorsFile(path: path) }
    }

    func testTruncatedData() throws {
        let full = W.file(W.net(depths: [1], channels: [2]))
        let path = try write(full.prefix(full.count - 5))
        expectError([path, "conv1_1.bias", "outside"]) { _ = try SafeTensorsFile(path: path) }
    }

    func testHeaderLongerThanFile() throws {
        let path = try write(W.raw(header: "{}", data: [], declaredLength: 4096))
        expectError([path, "header length 4096", "exceeds"]) { _ = try SafeTensorsFile(path: path) }
    }

    func testBadJSON() throws {
        let path = try write(W.raw(header: #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]"#, data: [0, 0, 0, 0]))
        expectError([path, "not valid"]) { _ = try SafeTensorsFile(path: path) }
    }

    func testNonIntegerShapeIsRefused() throws {
        let path = try write(W.raw(header: #"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))
        expectError([path, "not valid safetensors JSON"]) { _ = try SafeTensorsFile(path: path) }
        let boolean = try write(W.raw(header: #"{"a":{"dtype":"F32","shape":[true],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "bool.safetensors")
        expectError([boolean, "not valid safetensors JSON", "a.shape.0"]) { _ = try SafeTensorsFile(path: boolean) }
        let noOffsets = try write(W.raw(header: #"{"a":{"dtype":"F32","shape":[1]}}"#, data: [0, 0, 0, 0]), "nooffsets.safetensors")
        expectError([noOffsets, "at a: missing key 'data_offsets'"]) { _ = try SafeTensorsFile(path: noOffsets) }
    }

    func testNotJSONObject() throws {
        let path = try write(W.raw(header: "[1,2]", data: []))
        expectError([path, "does not start with '{'"]) { _ = try SafeTensorsFile(path: path) }
    }

    func testOverlappingOffsets() throws {
        let path = try write(W.file([
            .f32("a", [2], [1, 2]),
            W.Tensor(name: "b", shape: [2], bytes: W.littleEndianBytes([3, 4]), offsets: [4, 12]),
        ]))
        // data is 16 bytes: a = [0, 8), b claims [4, 12) and [12, 16) is left over.
        expectError([path, "'b'", "overlaps", "'a'"]) { _ = try SafeTensorsFile(path: path) }
    }

    func testOutOfRangeOffsets() throws {
        let path = try write(W.file([W.Tensor(name: "a", shape: [2], bytes: W.littleEndianBytes([1, 2]), offsets: [4, 12])]))
        expectError([path, "'a'", "[4, 12]", "outside"]) { _ = try SafeTensorsFile(path: path) }
    }

    func testOffsetsNotMatchingShape() throws {
        let path = try write(W.file([W.Tensor(name: "a", shape: [3], bytes: W.littleEndianBytes([1, 2]))]))
        expectError([path, "'a'", "8 bytes", "needs 12"]) { _ = try SafeTensorsFile(path: path) }
    }

    func testGapAndTrailingBytesAreRefused() throws {
        let gap = try write(W.file([
            .f32("a", [1], [1]),
            W.Tensor(name: "b", shape: [1], bytes: W.littleEndianBytes([2, 3]), offsets: [8, 12]),
        ]), "gap.safetensors")
        expectError([gap, "belong to no tensor"]) { _ = try SafeTensorsFile(path: gap) }
        let trailing = try write(W.file([W.Tensor(name: "a", shape: [1], bytes: W.littleEndianBytes([1, 2]), offsets: [0, 4])]),
                                 "trailing.safetensors")
        expectError([trailing, "trailing"]) { _ = try SafeTensorsFile(path: trailing) }
    }

    func testUnknownDType() throws {
        let path = try write(W.file([W.Tensor(name: "a", dtype: "Q7", shape: [1], bytes: [0])]))
        expectError([path, "'a'", "unknown dtype 'Q7'"]) { _ = try SafeTensorsFile(path: path) }
    }
}

/// The strict VGG loader.
final class WeightsLoaderTests: WeightsTestCase {
    /// conv1_1 [4,3,3,3], conv1_2 [4,4,3,3], conv2_1 [8,4,3,3].
    private var tiny: [W.Tensor] { W.net(depths: [2, 1], channels: [4, 8]) }

    private func replacing(_ name: String, with tensor: W.Tensor?) -> [W.Tensor] {
        tiny.compactMap { $0.name == name ? tensor : $0 }
    }

    func testTinyTwoBlockNetLoads() throws {
        let tensors = tiny
        let path = try write(W.file(tensors, metadata: ["channel_order": "BGR", "pixel_scale": "0..255", "mean": "1, 2.5,3"]))
        let vgg = try VGGWeights.load(from: path)
        XCTAssertEqual(vgg.path, path)
        XCTAssertEqual(vgg.layers.map(\.name), ["conv1_1", "conv1_2", "conv2_1"])
        XCTAssertEqual(vgg.layers.map(\.block), [1, 1, 2])
        XCTAssertEqual(vgg.layers.map(\.index), [1, 2, 1])
        XCTAssertEqual(vgg.layers.map(\.outChannels), [4, 4, 8])
        XCTAssertEqual(vgg.layers.map(\.inChannels), [3, 4, 4])
        XCTAssertEqual(vgg.meanBGR, [1, 2.5, 3])
        XCTAssertEqual(vgg.metadata["channel_order"], "BGR")
        for layer in vgg.layers {
            let w = try XCTUnwrap(tensors.first { $0.name == layer.name + ".weight" })
            let b = try XCTUnwrap(tensors.first { $0.name == layer.name + ".bias" })
            XCTAssertEqual(W.littleEndianBytes(layer.weight), w.bytes, layer.name)
            XCTAssertEqual(W.littleEndianBytes(layer.bias), b.bytes, layer.name)
            XCTAssertEqual(layer.weight.count, layer.outChannels * layer.inChannels * 9)
        }
        XCTAssertEqual(vgg.layers[2].weight[0], 11)  // seed of conv2_1's ramp
        XCTAssertEqual(vgg.layers[0].bias[1], -1 + 0.001)
    }

    func testVGG19ShapedNetLoads() throws {
        let path = try write(W.file(W.net(depths: [2, 2, 4, 4, 4], channels: [2, 3, 4, 5, 5])))
        let vgg = try VGGWeights.load(from: path)
        XCTAssertEqual(vgg.layers.count, 16)
        XCTAssertEqual(vgg.layers.last?.name, "conv5_4")
        XCTAssertEqual(vgg.layers.map(\.name).filter { $0.hasSuffix("_4") }, ["conv3_4", "conv4_4", "conv5_4"])
    }

    func testDefaultMeanWithoutMetadata() throws {
        let vgg = try VGGWeights.load(from: try write(W.file(tiny)))
        XCTAssertEqual(vgg.meanBGR, [103.939, 116.779, 123.68])
        XCTAssertEqual(vgg.meanBGR, VGGWeights.defaultMeanBGR)
        XCTAssertTrue(vgg.metadata.isEmpty)
    }

    func testWrongInputChannelsOfLaterLayer() throws {
        try expectLoadError(replacing("conv2_1.weight", with: .ramp("conv2_1.weight", [8, 2, 3, 3], seed: 0)),
                            ["tensor 'conv2_1.weight' has shape [8, 2, 3, 3], expected [8, 4, 3, 3]"])
    }

    func testFirstLayerMustTakeThreeChannels() throws {
        try expectLoadError(replacing("conv1_1.weight", with: .ramp("conv1_1.weight", [4, 1, 3, 3], seed: 0)),
                            ["tensor 'conv1_1.weight' has shape [4, 1, 3, 3], expected [4, 3, 3, 3]"])
    }

    func testWeightNotRankFour() throws {
        try expectLoadError(replacing("conv1_2.weight", with: .ramp("conv1_2.weight", [4, 4, 9], seed: 0)),
                            ["tensor 'conv1_2.weight' has shape [4, 4, 9], expected [4, 4, 3, 3]"])
    }

    func testKernelNotThreeByThree() throws {
        try expectLoadError(replacing("conv1_1.weight", with: .ramp("conv1_1.weight", [4, 3, 5, 5], seed: 0)),
                            ["tensor 'conv1_1.weight' has shape [4, 3, 5, 5], expected [4, 3, 3, 3]"])
    }

    func testTransposedWeight() throws {
        try expectLoadError(replacing("conv2_1.weight", with: .ramp("conv2_1.weight", [4, 8, 3, 3], seed: 0)),
                            ["tensor 'conv2_1.weight' has shape [4, 8, 3, 3], expected [8, 4, 3, 3]"])
    }

    func testBiasShape() throws {
        try expectLoadError(replacing("conv1_2.bias", with: .ramp("conv1_2.bias", [5], seed: 0)),
                            ["tensor 'conv1_2.bias' has shape [5], expected [4]"])
        try expectLoadError(replacing("conv1_2.bias", with: .ramp("conv1_2.bias", [4, 1], seed: 0)),
                            ["tensor 'conv1_2.bias' has shape [4, 1], expected [4]"])
    }

    func testMissingBiasAndWeight() throws {
        try expectLoadError(replacing("conv1_2.bias", with: nil), ["missing tensor 'conv1_2.bias'", "conv1_2.weight is present"])
        try expectLoadError(replacing("conv2_1.weight", with: nil), ["missing tensor 'conv2_1.weight'"])
    }

    func testMissingLayerOrBlock() throws {
        try expectLoadError(W.net(depths: [2], channels: [4]).filter { !$0.name.hasPrefix("conv1_1") },
                            ["missing tensor 'conv1_1.weight'", "conv1_2"])
        let noBlock2 = W.net(depths: [1, 1, 1], channels: [4, 4, 4]).filter { !$0.name.hasPrefix("conv2_") }
        try expectLoadError(noBlock2, ["'conv2_1.weight'", "block 2"])
    }

    func testUnknownTensor() throws {
        try expectLoadError(tiny + [.ramp("fc6.weight", [2, 2], seed: 0)], ["unknown tensor 'fc6.weight'"])
        try expectLoadError(tiny + [.ramp("conv01_1.weight", [2], seed: 0)], ["unknown tensor 'conv01_1.weight'"])
        try expectLoadError(tiny + [.ramp("conv3_1.running_mean", [2], seed: 0)], ["unknown tensor 'conv3_1.running_mean'"])
    }

    func testEmptyFile() throws {
        try expectLoadError([], ["no conv layers"])
    }

    func testWrongDType() throws {
        let half = W.Tensor(name: "conv1_2.weight", dtype: "F16", shape: [4, 4, 3, 3], bytes: [UInt8](repeating: 0, count: 4 * 4 * 9 * 2))
        try expectLoadError(replacing("conv1_2.weight", with: half), ["tensor 'conv1_2.weight' has dtype F16, expected F32"])
    }

    func testNonFiniteValues() throws {
        var values = [Float](repeating: 0.5, count: 4 * 4 * 9)
        values[17] = .nan
        try expectLoadError(replacing("conv1_2.weight", with: .f32("conv1_2.weight", [4, 4, 3, 3], values)),
                            ["tensor 'conv1_2.weight'", "non-finite", "element 17"])
        try expectLoadError(replacing("conv2_1.bias", with: .f32("conv2_1.bias", [8], [0, 0, 0, .infinity, 0, 0, 0, 0])),
                            ["tensor 'conv2_1.bias'", "non-finite", "element 3"])
    }

    func testMetadataIsChecked() throws {
        try expectLoadError(tiny, metadata: ["channel_order": "RGB"], ["channel_order is 'RGB', expected 'BGR'"])
        try expectLoadError(tiny, metadata: ["pixel_scale": "0..1"], ["pixel_scale is '0..1'"])
        try expectLoadError(tiny, metadata: ["mean": "1,2"], ["mean is '1,2'"])
        try expectLoadError(tiny, metadata: ["mean": "1,2,nan"], ["mean is '1,2,nan'"])
    }

    func testSyntheticInit() {
        let layer = ConvLayerWeights(block: 1, index: 1, outChannels: 1, inChannels: 3,
                                     weight: [Float](repeating: 0, count: 27), bias: [0])
        let vgg = VGGWeights(layers: [layer], meanBGR: [1, 2, 3])
        XCTAssertEqual(vgg.layers.first?.name, "conv1_1")
        XCTAssertEqual(vgg.path, "")
        XCTAssertEqual(vgg.meanBGR, [1, 2, 3])
    }

    /// The real converted VGG16 file, if `make weights` has been run.
    func testRealVGG16File() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("weights/vgg16.safetensors").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("\(path) is absent; run 'make weights'")
        }
        let vgg = try VGGWeights.load(from: path)
        let expected: [(String, Int, Int)] = [
            ("conv1_1", 64, 3), ("conv1_2", 64, 64), ("conv2_1", 128, 64), ("conv2_2", 128, 128),
            ("conv3_1", 256, 128), ("conv3_2", 256, 256), ("conv3_3", 256, 256),
            ("conv4_1", 512, 256), ("conv4_2", 512, 512), ("conv4_3", 512, 512),
            ("conv5_1", 512, 512), ("conv5_2", 512, 512), ("conv5_3", 512, 512),
        ]
        XCTAssertEqual(vgg.layers.count, 13)
        for (layer, (name, out, inC)) in zip(vgg.layers, expected) {
            XCTAssertEqual(layer.name, name)
            XCTAssertEqual(layer.outChannels, out, name)
            XCTAssertEqual(layer.inChannels, inC, name)
            XCTAssertEqual(layer.weight.count, out * inC * 9, name)
            XCTAssertEqual(layer.bias.count, out, name)
        }
        let bias = vgg.layers[0].bias
        XCTAssertEqual(bias[0], 0.73429835, accuracy: 1e-6)
        XCTAssertEqual(bias[1], 0.093403675, accuracy: 1e-6)
        XCTAssertEqual(bias[2], 0.06775674, accuracy: 1e-6)
        XCTAssertEqual(vgg.layers[1].bias[0], -0.30912212, accuracy: 1e-6)
        XCTAssertEqual(vgg.meanBGR, [103.939, 116.779, 123.68])
        XCTAssertEqual(vgg.metadata["architecture"], "vgg16")
        XCTAssertEqual(vgg.metadata["channel_order"], "BGR")
    }
}

/// Where the command line looks for the weights.
final class WeightsLocatorTests: WeightsTestCase {
    private let fakeExecutable = "/nonexistent-stylize-prefix/bin/stylize"

    private func resolve(_ explicit: String? = nil, env: [String: String] = [:],
                         executable: String? = nil, cwd: String? = nil) throws -> String {
        try WeightsLocator.resolve(explicit: explicit, environment: env,
                                   executablePath: executable ?? fakeExecutable, currentDirectory: cwd ?? dir.path + "/empty")
    }

    func testExplicitWinsAndMustExist() throws {
        let explicitFile = try dir.write(Data([1]), to: "mine.safetensors")
        let envFile = try dir.write(Data([2]), to: "env.safetensors")
        try dir.write(Data([3]), to: "cwd/weights/vgg16.safetensors")
        XCTAssertEqual(try resolve(explicitFile, env: ["STYLIZE_WEIGHTS": envFile], cwd: dir.path + "/cwd"), explicitFile)
        let missing = dir.path + "/typo.safetensors"
        expectError([missing, "does not exist", "--weights"]) { _ = try resolve(missing, env: ["STYLIZE_WEIGHTS": envFile]) }
        expectError([dir.path, "is a folder"]) { _ = try resolve(dir.path) }
    }

    func testEnvironmentBeforeWorkingDirectory() throws {
        let envFile = try dir.write(Data([2]), to: "env.safetensors")
        try dir.write(Data([3]), to: "cwd/weights/vgg16.safetensors")
        XCTAssertEqual(try resolve(env: ["STYLIZE_WEIGHTS": envFile], cwd: dir.path + "/cwd"), envFile)
        let missing = dir.path + "/gone.safetensors"
        expectError([missing, "does not exist", "$STYLIZE_WEIGHTS"]) { _ = try resolve(env: ["STYLIZE_WEIGHTS": missing]) }
        // An empty variable counts as unset.
        XCTAssertEqual(try resolve(env: ["STYLIZE_WEIGHTS": ""], cwd: dir.path + "/cwd"),
                       dir.path + "/cwd/weights/vgg16.safetensors")
    }

    func testWorkingDirectoryBeforeInstallDirectory() throws {
        let local = try dir.write(Data([3]), to: "cwd/weights/vgg16.safetensors")
        try dir.write(Data([4]), to: "prefix/share/stylize/vgg16.safetensors")
        XCTAssertEqual(try resolve(executable: dir.path + "/prefix/bin/stylize", cwd: dir.path + "/cwd"), local)
    }

    func testInstallDirectoryFromExecutable() throws {
        let installed = try dir.write(Data([4]), to: "prefix/share/stylize/vgg16.safetensors")
        XCTAssertEqual(try resolve(executable: dir.path + "/prefix/bin/stylize"), installed)
        // A symlinked executable is followed to its real prefix.
        try FileManager.default.createDirectory(atPath: dir.path + "/prefix/bin", withIntermediateDirectories: true)
        try dir.write(Data([0]), to: "prefix/bin/stylize")
        try FileManager.default.createDirectory(atPath: dir.path + "/links", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/links/stylize", withDestinationPath: dir.path + "/prefix/bin/stylize")
        XCTAssertEqual(try resolve(executable: dir.path + "/links/stylize"), installed)
    }

    /// A binary SwiftPM built in a checkout (`<checkout>/.build/<triple>/release/stylize`)
    /// finds the checkout's `weights/` from any working folder, after the other places.
    func testCheckoutOfTheExecutableLast() throws {
        let checkoutWeights = try dir.write(Data([5]), to: "checkout/weights/vgg16.safetensors")
        try dir.write(Data(), to: "checkout/Package.swift")
        let built = dir.path + "/checkout/.build/x86_64-unknown-linux-gnu/release/stylize"
        XCTAssertEqual(WeightsLocator.checkoutDirectory(executablePath: built), dir.path + "/checkout")
        XCTAssertEqual(try resolve(executable: built), checkoutWeights)
        // Through `.build/release`, a symlink to the triple's folder, as `make` runs it.
        try FileManager.default.createDirectory(atPath: dir.path + "/checkout/.build/x86_64-unknown-linux-gnu/release",
                                                withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/checkout/.build/release",
                                                   withDestinationPath: "x86_64-unknown-linux-gnu/release")
        XCTAssertEqual(try resolve(executable: dir.path + "/checkout/.build/release/stylize"), checkoutWeights)
        // The working folder's weights still come first.
        let local = try dir.write(Data([3]), to: "cwd/weights/vgg16.safetensors")
        XCTAssertEqual(try resolve(executable: built, cwd: dir.path + "/cwd"), local)
        // No Package.swift above the executable: no checkout.
        XCTAssertNil(WeightsLocator.checkoutDirectory(executablePath: fakeExecutable))
    }

    func testNothingFound() throws {
        if FileManager.default.fileExists(atPath: WeightsLocator.systemPath) {
            throw XCTSkip("\(WeightsLocator.systemPath) exists on this machine")
        }
        let error = expectError(["no VGG16 weights found", "./weights/vgg16.safetensors",
                                 "/nonexistent-stylize-prefix/share/stylize/vgg16.safetensors",
                                 "/usr/local/share/stylize/vgg16.safetensors",
                                 "pass --weights FILE, set STYLIZE_WEIGHTS=FILE, or run 'make weights' (or 'make install')"]) {
            _ = try resolve()
        }
        XCTAssertNil(error?.file)
    }
}
