import Foundation
import XCTest
@testable import StylizeKit

/// Files a user may be handed: each must end in one error line, within a second and
/// 200 MB of memory, through the same code a run uses (see `assertRefused`).
final class HostileInputTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = dir + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A run's image read: content at 512 px, default layers (down to relu5_1: 16 px).
    func loadAsContent(_ path: String) throws {
        var c = StyleTransferConfiguration(contentPath: path, stylePaths: [path], outputPath: dir + "/out.png")
        c.size = 512
        _ = try TransferImages.load(c, minimumSide: 16)
    }

    /// Opening a FIFO for writing without blocking and closing it gives a blocked reader EOF.
    func releaseReader(_ fifo: String) -> () -> Void {
        { let fd = open(fifo, O_WRONLY | O_NONBLOCK); if fd >= 0 { close(fd) } }
    }

    func testAFIFOIsRefusedAtOnceAsImageAndAsWeights() throws {
        let fifo = dir + "/pipe.png"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let unblock = releaseReader(fifo)
        assertRefused("FIFO as image", containing: "is a FIFO", unblock: unblock) { try PNGCodec.read(path: fifo) }
        assertRefused("FIFO as content", containing: "is a FIFO", unblock: unblock) { try self.loadAsContent(fifo) }
        assertRefused("FIFO as weights", containing: "is a FIFO", unblock: unblock) { _ = try VGGWeights.load(from: fifo) }
        assertRefused("FIFO as --weights", containing: "is a FIFO", unblock: unblock) {
            _ = try WeightsLocator.resolve(explicit: fifo)
        }
        assertRefused("FIFO as $STYLIZE_WEIGHTS", containing: "is a FIFO", unblock: unblock) {
            _ = try WeightsLocator.resolve(explicit: nil, environment: ["STYLIZE_WEIGHTS": fifo])
        }
    }

    func testDevZeroIsRefusedAsADevice() {
        assertRefused("/dev/zero as image", containing: "is a device") { try PNGCodec.read(path: "/dev/zero") }
        assertRefused("/dev/zero as weights", containing: "is a device") { _ = try VGGWeights.load(from: "/dev/zero") }
    }

    /// A 20 GB file (sparse: it takes no disk) is refused from its size, unread.
    func testAHugeFileIsRefusedFromItsSize() throws {
        let path = dir + "/huge.png"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(HostileFiles.png([("IHDR", HostileFiles.ihdr(64, 64))]))))
        XCTAssertEqual(truncate(path, 20_000_000_000), 0)
        assertRefused("20 GB image", containing: "is 20000.0 MB, larger than a PNG within the pixel limit can be (at most 466.0 MB)") {
            try PNGCodec.read(path: path)
        }
        assertRefused("20 GB weights", containing: "larger than a weights file can be (at most 512.0 MB)") {
            _ = try VGGWeights.load(from: path)
        }
    }

    /// 7071×7071 RGB (49.999 megapixels, just within the limit) with 50 KB of a zlib stream that
    /// stops far short of the 150 MB it needs: refused before the 200 MB pixel buffer exists.
    func testAFiftyMegapixelBombIsRefusedBeforeAllocation() throws {
        let stream = Array(HostileFiles.zlibZeros(count: 150_000_000).prefix(50_000))
        let path = try write(HostileFiles.png([("IHDR", HostileFiles.ihdr(7071, 7071)), ("IDAT", stream), ("IEND", [])]), "bomb.png")
        assertRefused("50-megapixel bomb", containing: "cannot read '\(path)'") { try PNGCodec.read(path: path) }
        assertRefused("50-megapixel bomb as content", containing: "cannot read '\(path)'") { try self.loadAsContent(path) }
    }

    /// A valid 50,000,000×1 grey PNG (315 KB, 50 megapixels: within the pixel limit) would
    /// decode to 800 MB and resize through gigabytes of filter taps; at 512 px it would be
    /// 512×1, too small for relu5_1, which the header alone shows.
    func testAFiftyMillionByOneImageIsTooSmallFromItsHeader() throws {
        let stream = HostileFiles.zlibZeros(count: 50_000_001)
        let path = try write(HostileFiles.png([("IHDR", HostileFiles.ihdr(50_000_000, 1, color: 0)), ("IDAT", stream), ("IEND", [])]), "line.png")
        assertRefused("50,000,000×1 image as content", containing: "image is too small: 50000000x1 becomes 512x1 at a longest side of 512 px (--size), and each side must be at least 16 px") {
            try self.loadAsContent(path)
        }
        // Files made this way are valid PNGs: a 5,000,000×1 one decodes (to black).
        let small = HostileFiles.png([("IHDR", HostileFiles.ihdr(5_000_000, 1, color: 0)),
                                      ("IDAT", HostileFiles.zlibZeros(count: 5_000_001)), ("IEND", [])])
        let image = try PNGCodec.decode(small, path: "small-line.png")
        XCTAssertEqual([image.width, image.height], [5_000_000, 1])
        XCTAssertEqual(image.pixels.max(), 0)
    }

    /// A header declared as 90 MB (the reference implementation allows 100 MB): refused by the
    /// 1 MB cap before any JSON is parsed. The file is sparse, so it is zeros after the '{'.
    func testAGiantSafetensorsHeaderIsRefused() throws {
        var length = UInt64(90_000_000).littleEndian
        let path = try write(withUnsafeBytes(of: &length) { Array($0) } + Array("{".utf8), "giant.safetensors")
        XCTAssertEqual(truncate(path, 90_000_008), 0)
        assertRefused("90 MB safetensors header", containing: "header length 90000000 is not plausible") {
            _ = try VGGWeights.load(from: path)
        }
    }

    /// The weights are read, not mapped: truncating the file after it was opened cannot
    /// raise SIGBUS (with the mapping, reading the tensors then killed the process), and a
    /// file truncated before the read is one error.
    func testTruncatingTheWeightsFileAfterOpeningIsHarmless() throws {
        let tensors = SafeTensorsWriter.net(depths: [2, 1], channels: [8, 16])
        let path = try write([UInt8](SafeTensorsWriter.file(tensors)), "w.safetensors")
        let file = try SafeTensorsFile(path: path)
        XCTAssertEqual(truncate(path, 16), 0)
        let weights = try VGGWeights.load(file)
        XCTAssertEqual(weights.layers.map(\.outChannels), [8, 8, 16])
        XCTAssertEqual(weights.layers[2].weight.count, 16 * 8 * 9)
        assertRefused("truncated weights", containing: "header length 440 exceeds the 8 bytes after the length field") { _ = try VGGWeights.load(from: path) }
        let full = [UInt8](SafeTensorsWriter.file(tensors))
        let cut = try write(Array(full.prefix(full.count - 100)), "cut.safetensors")
        assertRefused("weights cut short", containing: "outside the") { _ = try VGGWeights.load(from: cut) }
    }
}
