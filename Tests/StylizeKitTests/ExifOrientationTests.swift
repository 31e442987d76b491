import Foundation
import XCTest
@testable import StylizeKit

/// EXIF orientation: the same stored pixels (quadrants red, green / blue, white; 32×16)
/// tagged 1…8 by exiftool must come out as the EXIF specification's table says, checked by
/// where each colour lands; bad EXIF blocks fall back to the stored orientation.
final class ExifOrientationTests: XCTestCase {
    static let red: [Float] = [255, 0, 0], green: [Float] = [0, 255, 0], blue: [Float] = [0, 0, 255], white: [Float] = [255, 255, 255]

    /// Upright colours of the top-left, top-right, bottom-left and bottom-right quadrants,
    /// worked out by hand from the specification's names (exiftool's: 2 mirror horizontal, 3
    /// rotate 180, 4 mirror vertical, 5 mirror horizontal and rotate 270 CW, 6 rotate 90 CW,
    /// 7 mirror horizontal and rotate 90 CW, 8 rotate 270 CW).
    static let expected: [Int: [[Float]]] = [
        1: [red, green, blue, white], 2: [green, red, white, blue], 3: [white, blue, green, red],
        4: [blue, white, red, green], 5: [red, blue, green, white], 6: [blue, red, white, green],
        7: [white, green, blue, red], 8: [green, white, red, blue],
    ]

    /// The quadrants' colours of `image`, each the mean of its centre 4×4 (JPEG at quality
    /// 95, 4:4:4, blocks aligned with the quadrants: within 3 levels of the pure colours).
    func quadrants(_ image: RGBImage) -> [[Float]] {
        let (hw, hh) = (image.width / 2, image.height / 2)
        return [(0, 0), (1, 0), (0, 1), (1, 1)].map { qx, qy in
            image.mean(x: qx * hw + hw / 2 - 2, y: qy * hh + hh / 2 - 2, w: 4, h: 4)
        }
    }

    func assertQuadrants(_ image: RGBImage, _ colours: [[Float]], _ what: String) {
        for (got, want) in zip(quadrants(image), colours) {
            XCTAssertLessThanOrEqual(maxDifference(got, want), 3, "\(what): \(got) vs \(want)")
        }
    }

    func testAllEightOrientationsComeOutUpright() throws {
        for n in 1...8 {
            let path = try PhotoFixtures.path("orientation-\(n).jpg")
            let image = try ImageFile.read(path: path).image
            let size = n >= 5 ? [16, 32] : [32, 16]
            XCTAssertEqual([image.width, image.height], size, "orientation \(n)")
            let header = try ImageFile.dimensions(path: path)
            XCTAssertEqual([header.width, header.height], size, "orientation \(n): header")
            assertQuadrants(image, Self.expected[n]!, "orientation \(n)")
        }
    }

    /// The same block in a WebP EXIF chunk (lossless pixels: the colours are exact).
    func testWebPExifChunkIsApplied() throws {
        let image = try ImageFile.read(path: PhotoFixtures.path("orientation-6.webp")).image
        XCTAssertEqual([image.width, image.height], [16, 32])
        assertQuadrants(image, Self.expected[6]!, "WebP orientation 6")
    }

    /// The working size is checked from the header on the upright size (a quarter turn
    /// cannot change whether an image is too small, but the message names the photo as the
    /// user sees it): 64×8 stored with orientation 6 is reported as 8×64.
    func testWorkingSizeIsCheckedOnTheUprightSize() throws {
        let stored = RGBImage(width: 64, height: 8, fill: (r: 10, g: 20, b: 30))
        let jpeg = try ImageFile.encode(stored, as: OutputFormat(format: .jpeg)).bytes
        let tagged = insertExif(jpeg, orientation: 6)
        XCTAssertEqual(try ImageFile.decode(tagged, path: "t.jpg").image.width, 8)
        XCTAssertThrowsError(try ImageFile.decode(tagged, path: "t.jpg", workingSize: WorkingSize(longestSide: 64, minimumSide: 16))) {
            XCTAssertTrue("\($0)".contains("image is too small: 8x64 becomes 8x64 at a longest side of 64 px"), "\($0)")
        }
    }

    /// `jpeg` with an APP1 EXIF marker (big-endian TIFF, IFD0 with one SHORT orientation)
    /// inserted after SOI.
    func insertExif(_ jpeg: [UInt8], orientation: UInt16) -> [UInt8] {
        let tiff: [UInt8] = [0x4D, 0x4D, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1,
                             UInt8(orientation >> 8), UInt8(orientation & 0xFF), 0, 0, 0, 0, 0, 0]
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        return Array(jpeg[0..<2]) + [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload + Array(jpeg[2...])
    }

    /// The reader on crafted blocks: both byte orders, the "Exif\0\0" prefix, LONG instead
    /// of SHORT; and everything that must fall back to `.up` without reading out of bounds.
    func testTheReaderOnCraftedBlocks() {
        func block(_ little: Bool, type: UInt16 = 3, count: UInt32 = 1, value: UInt32 = 6, entries: UInt16 = 1, ifd: UInt32 = 8) -> [UInt8] {
            func u16(_ v: UInt16) -> [UInt8] { little ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)] }
            func u32(_ v: UInt32) -> [UInt8] { little ? u16(UInt16(v & 0xFFFF)) + u16(UInt16(v >> 16)) : u16(UInt16(v >> 16)) + u16(UInt16(v & 0xFFFF)) }
            let valueField = type == 3 ? u16(UInt16(value)) + [0, 0] : u32(value)
            return (little ? [0x49, 0x49] : [0x4D, 0x4D]) + u16(42) + u32(ifd) + u16(entries)
                + u16(0x0112) + u16(type) + u32(count) + valueField + u32(0)
        }
        XCTAssertEqual(ExifOrientation(exif: block(false)), .right)
        XCTAssertEqual(ExifOrientation(exif: block(true)), .right)
        XCTAssertEqual(ExifOrientation(exif: Array("Exif".utf8) + [0, 0] + block(true, value: 8)), .left)
        XCTAssertEqual(ExifOrientation(exif: block(true, type: 4, value: 3)), .down)
        // Falls back to .up:
        XCTAssertEqual(ExifOrientation(exif: block(true, value: 0)), .up)
        XCTAssertEqual(ExifOrientation(exif: block(true, value: 9)), .up)
        XCTAssertEqual(ExifOrientation(exif: block(true, type: 2)), .up)              // ASCII
        XCTAssertEqual(ExifOrientation(exif: block(true, count: 2)), .up)
        XCTAssertEqual(ExifOrientation(exif: block(true, ifd: 0xFFFF_FFF0)), .up)     // IFD outside
        XCTAssertEqual(ExifOrientation(exif: block(true, ifd: 24)), .up)              // IFD at the very end
        XCTAssertEqual(ExifOrientation(exif: Array(block(false).prefix(20))), .up)    // entry cut short
        XCTAssertEqual(ExifOrientation(exif: []), .up)
        XCTAssertEqual(ExifOrientation(exif: [0x4D, 0x4D, 0, 43, 0, 0, 0, 8]), .up)   // not 42
        // An entry count far beyond the block: only the entries inside are read.
        XCTAssertEqual(ExifOrientation(exif: block(false, entries: 65535)), .right)
    }

    /// The crafted files of Resources/photos/hostile (tools/make_hostile_photos.py): each
    /// decodes, with the orientation the reader can still make out.
    func testHostileExifFilesDecodeWithTheirReadableOrientation() throws {
        let cases: [(String, [Int])] = [
            ("exif-ifd-offset-outside", [32, 16]), ("exif-entry-count-huge", [16, 32]),
            ("exif-orientation-9", [32, 16]), ("exif-orientation-ascii", [32, 16]), ("exif-cut-short", [32, 16]),
        ]
        for (name, size) in cases {
            let image = try ImageFile.read(path: PhotoFixtures.path("hostile/\(name).jpg")).image
            XCTAssertEqual([image.width, image.height], size, name)
        }
        // IFD0 links to itself as the next IFD: only IFD0 is read, its orientation 3 applies.
        let loop = try ImageFile.read(path: PhotoFixtures.path("hostile/exif-ifd-loop.jpg")).image
        assertQuadrants(loop, Self.expected[3]!, "IFD loop")
    }
}
