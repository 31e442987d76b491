import Foundation
import XCTest
@testable import StylizeKit

/// JPEG reading against djpeg's decodes of the same files (libjpeg-turbo's own tool, same
/// default settings: accurate integer IDCT, fancy upsampling), CMYK and Display P3 against
/// hand colour maths. Files: Resources/photos (SOURCES.md).
final class JPEGDecodeTests: XCTestCase {
    /// One level: djpeg uses the same library, so the values agree exactly here (measured
    /// 0 for all four files); a different libjpeg-turbo build (other SIMD code) may round an
    /// IDCT or upsampling result the other way.
    func testBaselineProgressiveArithmeticAndManyScansMatchDjpeg() throws {
        for name in ["baseline", "progressive", "arithmetic", "scans-190"] {
            let decoded = try ImageFile.read(path: PhotoFixtures.path("\(name).jpg"))
            let reference = try PhotoFixtures.pnm("\(name).djpeg.ppm")
            XCTAssertEqual([decoded.image.width, decoded.image.height], [48, 32], name)
            XCTAssertEqual([reference.width, reference.height], [48, 32], name)
            XCTAssertNil(decoded.alpha, name)
            let worst = maxDifference(decoded.image.pixels, reference.samples.map(Float.init))
            XCTAssertLessThanOrEqual(worst, 1, name)
            print("JPEG \(name): max |stylize − djpeg| = \(worst)")
        }
        // The 190-scan file holds baseline.jpg's pixels at 4:4:4 (not 4:2:0): not the same
        // picture as baseline.jpg, but the same source: within JPEG's loss of it.
        let source = try PNGCodec.read(path: PhotoFixtures.path("rgb.png"))
        let scans = try ImageFile.read(path: PhotoFixtures.path("scans-190.jpg")).image
        XCTAssertLessThan(maxDifference(scans.pixels, source.pixels), 40)
    }

    func testGreyscaleJPEGIsGreyAndMatchesDjpeg() throws {
        let image = try ImageFile.read(path: PhotoFixtures.path("grey.jpg")).image
        let reference = try PhotoFixtures.pnm("grey.djpeg.pgm")
        XCTAssertEqual(reference.channels, 1)
        var worst: Float = 0
        for p in 0..<(image.width * image.height) {
            for c in 0..<3 { worst = max(worst, abs(image.pixels[3 * p + c] - Float(reference.samples[p]))) }
        }
        XCTAssertLessThanOrEqual(worst, 1)  // as above
    }

    /// The signature decides, not the name: a JPEG called .png reads as a JPEG, a PNG called
    /// .jpg as a PNG; anything else is refused naming the three formats.
    func testFormatComesFromTheSignature() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sig-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: PhotoFixtures.path("baseline.jpg"), toPath: dir + "/photo.png")
        try FileManager.default.copyItem(atPath: PhotoFixtures.path("rgb.png"), toPath: dir + "/image.jpg")
        XCTAssertEqual(try ImageFile.read(path: dir + "/photo.png").image,
                       try ImageFile.read(path: PhotoFixtures.path("baseline.jpg")).image)
        XCTAssertEqual(try ImageFile.read(path: dir + "/image.jpg").image, try PNGCodec.read(path: PhotoFixtures.path("rgb.png")))
        try Data("GIF89a not really".utf8).write(to: URL(fileURLWithPath: dir + "/a.gif"))
        XCTAssertThrowsError(try ImageFile.read(path: dir + "/a.gif")) {
            XCTAssertEqual("\($0)", "cannot read '\(dir)/a.gif': not a PNG, JPEG or WebP file (unknown signature)")
        }
        XCTAssertEqual(ImageFormat.detect([0xFF, 0xD8, 0xFF, 0xE0]), .jpeg)
        XCTAssertNil(ImageFormat.detect([0xFF, 0xD8]))
        XCTAssertEqual(ImageFormat.detect(Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBP".utf8)), .webp)
        XCTAssertNil(ImageFormat.detect(Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVE".utf8)))
    }

    /// The naive model cmyk-test.icc is built from (see tools/make_photo_fixtures.c):
    /// linear R = (1 − C)(1 − K) and so on, sRGB-encoded. `ink` in 0…255.
    func modelSRGB(_ ink: [Double]) -> [Float] {
        let k = 1 - ink[3] / 255
        return (0..<3).map { Float(255 * PhotoFixtures.srgbEncode((1 - ink[$0] / 255) * k)) }
    }

    /// The patches' inks, as make_photo_fixtures.c writes them (4 × 2 patches of 8×8).
    let inks: [[Double]] = [[0, 0, 0, 0], [255, 0, 0, 0], [0, 255, 0, 0], [0, 0, 255, 0],
                            [0, 0, 0, 255], [51, 102, 153, 0], [204, 51, 0, 102], [102, 153, 204, 51]]

    /// Adobe CMYK (stored inverted) through its embedded profile. The inks are CLUT nodes and
    /// fill whole blocks at quality 100, so they decode exactly and the profile is exact at
    /// them: 0.1 level covers the CLUT's and the result's 16-bit rounding (measured 0.02).
    /// Read without undoing Adobe's inversion, white paper would come out black.
    func testAdobeCMYKIsConvertedThroughItsProfile() throws {
        let image = try ImageFile.read(path: PhotoFixtures.path("cmyk-adobe.jpg")).image
        XCTAssertEqual([image.width, image.height], [32, 16])
        var worst: Float = 0
        for (i, ink) in inks.enumerated() {
            let x = (i % 4) * 8, y = (i / 4) * 8
            for j in y..<(y + 8) { for k in x..<(x + 8) {
                worst = max(worst, maxDifference((0..<3).map { image[k, j, $0] }, modelSRGB(ink)))
            } }
        }
        XCTAssertLessThanOrEqual(worst, 0.1)
        print("CMYK: max |stylize − model| = \(worst)")
    }

    /// YCCK: libjpeg's YCC → CMY conversion rounds, so an ink may come out one level off:
    /// each value must lie between the model's values for inks one level either side (plus
    /// 0.1 as above), checked at the patch centres (the edges of a patch also carry
    /// chroma ringing).
    func testYCCKIsConvertedThroughItsProfile() throws {
        let image = try ImageFile.read(path: PhotoFixtures.path("ycck-adobe.jpg")).image
        for (i, ink) in inks.enumerated() {
            let x = (i % 4) * 8 + 3, y = (i / 4) * 8 + 3
            for c in 0..<3 {
                var values: [Float] = []
                for d in [-1.0, 0, 1] { for dk in [-1.0, 0, 1] {
                    var shifted = ink
                    shifted[c] = min(max(shifted[c] + d, 0), 255); shifted[3] = min(max(shifted[3] + dk, 0), 255)
                    values.append(modelSRGB(shifted)[c])
                } }
                XCTAssertGreaterThanOrEqual(image[x, y, c], values.min()! - 0.1, "patch \(i) channel \(c)")
                XCTAssertLessThanOrEqual(image[x, y, c], values.max()! + 0.1, "patch \(i) channel \(c)")
            }
        }
    }

    func testCMYKWithoutAProfileIsRefusedWithOneLine() throws {
        let path = try PhotoFixtures.path("cmyk-no-profile.jpg")
        XCTAssertThrowsError(try ImageFile.read(path: path)) {
            XCTAssertTrue("\($0)".hasPrefix("cannot read '\(path)': is a CMYK JPEG without an embedded colour profile"), "\($0)")
            XCTAssertFalse("\($0)".contains("\n"))
        }
    }

    /// Display P3 → sRGB against the hand computation from djpeg's decode of the stored
    /// values (djpeg ignores the profile): 0.25 level as for PNG (PNGColourProfileTests:
    /// the profile's s15.16 matrix and 16-bit samples). The split file's profile comes in
    /// two APP2 markers, the second first.
    func testDisplayP3ProfileIsConvertedAlsoWhenSplitOverTwoMarkers() throws {
        for name in ["p3", "p3-split-icc"] {
            let image = try ImageFile.read(path: PhotoFixtures.path("\(name).jpg")).image
            let stored = try PhotoFixtures.pnm("\(name).djpeg.ppm").samples
            let worst = maxDifference(image.pixels, PhotoFixtures.displayP3ToSRGB(stored))
            XCTAssertLessThanOrEqual(worst, 0.25, name)
            // Not a no-op: P3's stored values differ from their sRGB by up to 50 levels.
            XCTAssertGreaterThan(maxDifference(image.pixels, stored.map(Float.init)), 10, name)
            print("JPEG \(name): max |stylize − hand P3 → sRGB| = \(worst)")
        }
    }
}
