import Foundation
import XCTest
@testable import StylizeKit

/// A content photo with transparency, through real runs with the real VGG16 at 64 px
/// (single scale, 2 iterations, about a second each): the output and the `--save-every`
/// snapshots carry the photo's alpha, resized to their size; 8 and 16 bits.
final class TransparencyRunTests: RealNetworkTestCase {
    /// chelsea.png at 96×64 with an alpha of a soft-edged disc (255 inside, 0 outside, a
    /// ramp of 12 px between) and a half-transparent band at the top.
    func writeTransparentPhoto() throws -> (path: String, alpha: AlphaPlane) {
        let photo = try PNGCodec.read(path: packagePath("samples/content/chelsea.png")).resized(width: 96, height: 64)
        var values = [Float](repeating: 0, count: 96 * 64)
        for y in 0..<64 { for x in 0..<96 {
            let r = ((Double(x) - 48) * (Double(x) - 48) + (Double(y) - 32) * (Double(y) - 32)).squareRoot()
            values[y * 96 + x] = y < 6 ? 128 : Float(min(255, max(0, (34 - r) / 12 * 255)))
        } }
        let alpha = AlphaPlane(width: 96, height: 64, values: values)
        let path = dir + "/cat-cutout.png"
        try PNGCodec.write(photo, alpha: alpha, to: path)
        return (path, alpha)
    }

    func run(depth: PNGBitDepth) throws -> (StyleTransferConfiguration, AlphaPlane) {
        let (path, alpha) = try writeTransparentPhoto()
        var c = StyleTransferConfiguration(contentPath: path, stylePaths: [packagePath("samples/style/bedroom.png")],
                                           outputPath: dir + "/out\(depth.rawValue).png")
        c.size = 64; c.minSize = 64; c.iterations = 2; c.saveEvery = 1; c.bitDepth = depth
        _ = try StyleTransfer.run(configuration: c, weights: weights)
        // What was written holds alpha rounded to 8 bits: the reference is that, resized.
        let stored = AlphaPlane(width: 96, height: 64, values: alpha.values.map { $0.rounded() })
        return (c, stored.resized(width: 64, height: 43))
    }

    func testOutputAndSnapshotsKeepTheContentsAlpha() throws {
        for depth in PNGBitDepth.allCases {
            let (c, expected) = try run(depth: depth)
            for path in [c.outputPath, StyleTransfer.intermediatePath(c.outputPath, iteration: 1)] {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
                XCTAssertEqual(bytes[24], UInt8(depth.rawValue), path)
                XCTAssertEqual(bytes[25], 6, "\(path) should be RGBA")
                let decoded = try PNGCodec.readWithAlpha(path: path)
                XCTAssertEqual([decoded.image.width, decoded.image.height], [64, 43])
                let alpha = try XCTUnwrap(decoded.alpha, path)
                // Rounding to the file's depth: half a step (8 bits: 0.5; 16 bits: 0.5/257).
                let step: Float = depth == .eight ? 0.5 : 0.5 / 257
                let worst = zip(alpha.values, expected.values).map { abs($0 - $1) }.max()!
                XCTAssertLessThanOrEqual(worst, step + 1e-3, path)
                XCTAssertTrue(alpha.values.contains(0) && alpha.values.contains(255), "disc and outside both present")
            }
        }
    }

    /// The network sees the photo composited over white: fully transparent pixels are white.
    func testTheNetworkSeesThePhotoOverWhite() throws {
        let (path, alpha) = try writeTransparentPhoto()
        var c = StyleTransferConfiguration(contentPath: path, stylePaths: [packagePath("samples/style/bedroom.png")], outputPath: "")
        c.size = 96
        let images = try TransferImages.load(c, minimumSide: 16)
        XCTAssertEqual(images.contentAlpha?.values.map { $0.rounded() }, alpha.values.map { $0.rounded() })
        for p in 0..<(96 * 64) where alpha.values[p].rounded() == 0 {
            for k in 0..<3 { XCTAssertEqual(images.content.pixels[3 * p + k], 255) }
        }
    }
}
