import Foundation
import XCTest
@testable import StylizeKit

/// WebP reading: lossless files against the PNG they were made from (exact), lossy ones
/// against dwebp's decodes, alpha, the ICCP profile, animated files. Files:
/// Resources/photos (SOURCES.md).
final class WebPDecodeTests: XCTestCase {
    func testLosslessWebPIsExactlyItsSourcePNG() throws {
        let decoded = try ImageFile.read(path: PhotoFixtures.path("lossless.webp"))
        XCTAssertEqual(decoded.image, try PNGCodec.read(path: PhotoFixtures.path("rgb.png")))
        XCTAssertNil(decoded.alpha)
    }

    /// One level, as for JPEG vs djpeg: dwebp is the same library with the same default
    /// (fancy) upsampling, so they agree exactly here (measured 0).
    func testLossyWebPMatchesDwebp() throws {
        let image = try ImageFile.read(path: PhotoFixtures.path("lossy.webp")).image
        let reference = try PhotoFixtures.pnm("lossy.dwebp.ppm")
        XCTAssertEqual([image.width, image.height, reference.width, reference.height], [48, 32, 48, 32])
        let worst = maxDifference(image.pixels, reference.samples.map(Float.init))
        XCTAssertLessThanOrEqual(worst, 1)
        print("WebP lossy: max |stylize − dwebp| = \(worst)")
    }

    /// Alpha kept as for PNG: the plane beside the colours, the colours composited over
    /// white. Lossless (-exact): alpha 17·y, red 17·x, green 100, blue 200 exactly, so the
    /// composited colours are known to float precision (1e-3).
    func testLosslessAlphaIsKeptAndTheColoursCompositedOverWhite() throws {
        let decoded = try ImageFile.read(path: PhotoFixtures.path("alpha-lossless.webp"))
        let alpha = try XCTUnwrap(decoded.alpha)
        XCTAssertEqual([alpha.width, alpha.height], [16, 16])
        for y in 0..<16 {
            for x in 0..<16 {
                let a = Float(17 * y)
                XCTAssertEqual(alpha.values[y * 16 + x], a)
                let colour: [Float] = [Float(17 * x), 100, 200].map { $0 * a / 255 + 255 * (1 - a / 255) }
                XCTAssertLessThanOrEqual(maxDifference((0..<3).map { decoded.image[x, y, $0] }, colour), 1e-3, "\(x),\(y)")
            }
        }
    }

    /// Lossy with alpha (the alpha plane is stored losslessly by default): alpha exactly
    /// dwebp's, colours within one level of dwebp's composited over white.
    func testLossyAlphaMatchesDwebp() throws {
        let decoded = try ImageFile.read(path: PhotoFixtures.path("alpha-lossy.webp"))
        let reference = try PhotoFixtures.pnm("alpha-lossy.dwebp.pam")
        XCTAssertEqual(reference.channels, 4)
        let alpha = try XCTUnwrap(decoded.alpha)
        var worst: Float = 0
        for p in 0..<(16 * 16) {
            let a = Float(reference.samples[4 * p + 3])
            XCTAssertEqual(alpha.values[p], a)
            for c in 0..<3 {
                let expected = Float(reference.samples[4 * p + c]) * a / 255 + 255 * (1 - a / 255)
                worst = max(worst, abs(decoded.image.pixels[3 * p + c] - expected))
            }
        }
        XCTAssertLessThanOrEqual(worst, 1)
    }

    /// An ICCP chunk is converted like a PNG's iCCP: the pixels are make_profile_pngs.c's
    /// P3 colours (lossless), so the PNG test's hand-computed values apply, to 0.25 level.
    func testICCPProfileIsConvertedToSRGB() throws {
        let image = try ImageFile.read(path: PhotoFixtures.path("p3.webp")).image
        XCTAssertEqual([image.width, image.height], [8, 8])
        XCTAssertLessThanOrEqual(maxDifference(image.pixels, PNGColourProfileTests.p3InSRGB), 0.25)
    }

    func testAnimatedWebPIsRefusedWithOneLine() throws {
        let path = try PhotoFixtures.path("animated.webp")
        XCTAssertThrowsError(try ImageFile.read(path: path)) {
            XCTAssertEqual("\($0)", "cannot read '\(path)': animated WebP is not supported (only still images)")
        }
    }
}
