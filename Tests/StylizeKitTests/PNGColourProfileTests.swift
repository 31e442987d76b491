import Foundation
import XCTest
@testable import StylizeKit

/// Embedded ICC profiles converted to sRGB on reading (LittleCMS), against values computed
/// by hand without LittleCMS; broken profiles refused with one line. The files are made by
/// `tools/make_profile_pngs.c` (Resources/profiles/SOURCES.md). gAMA/cHRM files are checked
/// by PNGCodecTests on the whole PngSuite (144 converted files, hand-computed expectations).
final class PNGColourProfileTests: XCTestCase {
    func profile(_ name: String) throws -> String {
        try XCTUnwrap(Bundle.module.url(forResource: "Resources", withExtension: nil)).appendingPathComponent("profiles/\(name)").path
    }

    /// `python3 tools/profile_reference.py`: the 8×8 Display P3 colours of p3.png taken to
    /// sRGB by hand (sRGB curve, P3 → XYZ → sRGB matrices from the xy chromaticities, both
    /// D65; clipped), as 0…255 floats, RGB, row-major.
    static let p3InSRGB: [Float] = [0.000, 0.000, 94.143, 10.000, 10.000, 94.024, 40.000, 40.000, 93.302, 90.000, 90.000, 90.000, 128.000, 128.000, 85.106, 180.000, 180.000, 73.439, 230.000, 230.000, 52.149, 255.000, 255.000, 31.427, 0.000, 40.803, 0.000, 40.000, 40.000, 4.113, 97.359, 36.200, 38.274, 139.360, 30.070, 91.735, 196.363, 9.608, 130.861, 250.981, 0.000, 184.813, 255.000, 0.000, 237.109, 0.000, 40.935, 255.000, 12.122, 0.000, 42.092, 10.000, 10.000, 94.024, 0.000, 40.803, 133.207, 0.000, 91.748, 186.363, 0.000, 130.425, 237.635, 0.000, 183.337, 255.000, 0.000, 234.209, 0.000, 0.000, 255.000, 0.000, 0.000, 91.801, 0.000, 0.000, 130.425, 0.000, 0.000, 183.205, 0.000, 0.000, 233.685, 0.000, 55.948, 255.000, 0.000, 197.116, 0.000, 0.000, 251.449, 0.000, 0.000, 255.000, 0.000, 0.000, 55.948, 255.000, 0.000, 156.358, 255.000, 0.000, 223.860, 255.000, 0.000, 255.000, 255.000, 31.427, 0.000, 255.000, 110.828, 0.000, 255.000, 173.871, 0.000, 255.000, 229.834, 0.000, 255.000, 255.000, 251.527, 0.000, 185.098, 251.449, 0.000, 237.790, 250.981, 0.000, 255.000, 248.883, 76.512, 0.000, 245.901, 121.135, 0.000, 239.423, 177.482, 0.000, 230.000, 230.000, 52.149, 223.860, 255.000, 105.572, 0.000, 234.225, 176.888, 0.000, 255.000, 173.871, 44.766, 0.000, 187.658, 98.919, 0.000, 187.351, 139.360, 30.070, 186.734, 193.452, 83.394, 184.848, 245.901, 121.135, 182.169, 255.000, 175.890, 178.096, 255.000, 118.520, 0.000, 0.000, 130.459, 0.000, 0.000, 130.425, 18.483, 0.000, 130.220, 86.819, 78.251, 129.302, 128.610, 128.000, 128.000, 184.126, 189.272, 125.188, 236.536, 245.901, 121.135, 255.000]

    /// The same script: grey levels 17·x under a linear grey profile, sRGB-encoded.
    static let linearGreyInSRGB: [Float] = [0.000, 73.022, 102.169, 123.555, 141.075, 156.188, 169.622, 181.805, 193.009, 203.423, 213.182, 222.386, 231.115, 239.428, 247.376, 255.000]

    /// Tolerance 0.25 levels: the profile stores its matrix as s15.16 fixed point adapted to
    /// D50 and the result is kept as a 16-bit sample (1/257 level); measured max 0.030
    /// (grey: 0.0022). Without the conversion the first pixel's blue is off by 4 levels.
    func testDisplayP3ProfileIsConvertedToSRGB() throws {
        let image = try PNGCodec.read(path: profile("p3.png"))
        XCTAssertEqual([image.width, image.height], [8, 8])
        let worst = zip(image.pixels, Self.p3InSRGB).map { abs($0 - $1) }.max()!
        XCTAssertLessThanOrEqual(worst, 0.25)
        // Not a no-op: the stored values differ from sRGB's by up to 50 levels.
        let unconverted: [Float] = [0, 0, 90, 10, 10, 90]
        XCTAssertGreaterThan(abs(image.pixels[2] - unconverted[2]), 3)
    }

    func testGreyImageWithAGreyProfileIsConverted() throws {
        let image = try PNGCodec.read(path: profile("grey-linear.png"))
        XCTAssertEqual([image.width, image.height], [16, 1])
        var worst: Float = 0
        for x in 0..<16 { for c in 0..<3 { worst = max(worst, abs(image[x, 0, c] - Self.linearGreyInSRGB[x])) } }
        XCTAssertLessThanOrEqual(worst, 0.25)
    }

    /// Documented behaviour: a profile that cannot be used refuses the file, one line,
    /// naming the reason; never a crash and never silently wrong colours.
    func testBrokenProfilesRefuseTheFileWithOneLine() throws {
        for (name, text) in [("broken-tags.png", "colour profile cannot be converted to sRGB"),
                             ("broken-header.png", "its ICC profile is invalid")] {
            let path = try profile(name)
            XCTAssertThrowsError(try PNGCodec.read(path: path), name) { error in
                let line = "\(error)"
                XCTAssertTrue(line.hasPrefix("cannot read '\(path)': "), line)
                XCTAssertTrue(line.contains(text), line)
                XCTAssertFalse(line.contains("\n"), line)
            }
        }
    }

    /// What stylize writes is tagged sRGB (sRGB chunk, with gAMA 45455 and cHRM beside it):
    /// read back it is not converted, so a round trip stays exact.
    func testOutputsAreTaggedSRGBAndReadBackUnchanged() throws {
        let image = RGBImage(width: 3, height: 1, pixels: [0, 1, 2, 60, 128, 200, 253, 254, 255])
        let bytes = try PNGCodec.encode(image)
        for chunk in ["sRGB", "gAMA", "cHRM"] {
            XCTAssertNotNil(chunkData(bytes, chunk), chunk)
        }
        XCTAssertEqual(chunkData(bytes, "sRGB"), [0])  // perceptual intent
        XCTAssertEqual(try PNGCodec.decode(bytes, path: "t.png"), image)
    }
}

/// The data of the first chunk of `type` in PNG `bytes`, or nil.
func chunkData(_ bytes: [UInt8], _ type: String) -> [UInt8]? {
    var offset = 8
    while offset + 12 <= bytes.count {
        let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
        if String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self) == type {
            return Array(bytes[(offset + 8)..<(offset + 8 + length)])
        }
        offset += 12 + length
    }
    return nil
}
