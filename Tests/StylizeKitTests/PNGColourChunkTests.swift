import Foundation
import XCTest
@testable import StylizeKit

/// gAMA and cHRM judged one by one (PNG specification: ignore an invalid chunk, keep what is
/// valid), with one warning naming the file and the chunk. Files are crafted here from a
/// plain encode, so the tests need nothing outside the repository.
final class PNGColourChunkTests: XCTestCase {
    /// The chunks of PNG `bytes`, in order.
    static func chunks(_ bytes: [UInt8]) -> [(type: String, data: [UInt8])] {
        var list: [(type: String, data: [UInt8])] = [], offset = 8
        while offset + 12 <= bytes.count {
            let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            list.append((String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self),
                         Array(bytes[(offset + 8)..<(offset + 8 + length)])))
            offset += 12 + length
        }
        return list
    }

    /// `bytes` with the chunks named in `removing` dropped and `inserting` placed after IHDR.
    static func edited(_ bytes: [UInt8], removing: Set<String> = ["sRGB", "gAMA", "cHRM"],
                       inserting: [(type: String, data: [UInt8])]) -> [UInt8] {
        var list: [(type: String, data: [UInt8])] = []
        for c in chunks(bytes) where !removing.contains(c.type) {
            list.append(c)
            if c.type == "IHDR" { list += inserting }
        }
        return HostileFiles.png(list)
    }

    static func gAMA(_ v: UInt32) -> (type: String, data: [UInt8]) { ("gAMA", be32(v)) }
    static func cHRM(_ v: [UInt32]) -> (type: String, data: [UInt8]) { ("cHRM", v.flatMap(be32)) }
    /// A zlib stream holding `data` in one stored (uncompressed) deflate block.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        let n = UInt16(data.count)
        return [0x78, 0x01, 0x01, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8(~n >> 8)] + data + be32(b << 16 | a)
    }

    static let zeroCHRM = cHRM(Array(repeating: 0, count: 8))
    /// Display P3's primaries with a D65 white: valid, and far enough from sRGB's to show.
    static let p3CHRM = cHRM([31270, 32900, 68000, 32000, 26500, 69000, 15000, 6000])

    func decode(_ bytes: [UInt8]) throws -> (pixels: [Float], warnings: [String]) {
        var warnings: [String] = []
        let image = try PNGCodec.decode(bytes, path: "t.png", warn: { warnings.append($0) })
        return (image.pixels, warnings)
    }

    let rgb: [UInt8] = {
        var px = [Float]()
        for y in 0..<8 { for x in 0..<8 { for c in 0..<3 { px.append(Float((x * 29 + y * 11 + c * 70) % 230 + 10)) } } }
        return (try? PNGCodec.encode(RGBImage(width: 8, height: 8, pixels: px))) ?? []
    }()

    func testAValidCHRMBesideAnInvalidGAMAIsKeptWithTheSRGBCurve() throws {
        let chrmOnly = try decode(Self.edited(rgb, inserting: [Self.p3CHRM]))
        XCTAssertEqual(chrmOnly.warnings, [])
        let both = try decode(Self.edited(rgb, inserting: [Self.gAMA(0), Self.p3CHRM]))
        XCTAssertEqual(both.pixels, chrmOnly.pixels)
        XCTAssertEqual(both.warnings, ["'t.png': invalid gAMA chunk ignored (gamma 0); the colours are converted with its cHRM and the sRGB tone curve"])
        XCTAssertNotEqual(chrmOnly.pixels, try decode(Self.edited(rgb, inserting: [])).pixels, "P3 primaries change the colours")
    }

    /// Every kind of broken cHRM, and a gAMA of the wrong length or with a bad CRC.
    func testEachInvalidChunkIsNamedWithItsReason() throws {
        let cases: [([(type: String, data: [UInt8])], String)] = [
            ([Self.cHRM([31270, 32900, 64000, 33000, 30000, 60000, 15000, 0])], "a chromaticity has y = 0"),
            ([Self.cHRM([31270, 32900, 90000, 33000, 30000, 60000, 15000, 6000])], "outside the diagram"),
            ([Self.cHRM([90000, 5000, 64000, 33000, 30000, 60000, 15000, 6000])], "the white point lies outside the primaries' triangle"),
            ([("cHRM", [0, 1, 2])], "not 32 bytes"),
            ([("gAMA", [0, 0, 177, 143, 0])], "invalid gAMA chunk ignored (5 bytes, not 4)"),
        ]
        for (chunks, reason) in cases {
            let result = try decode(Self.edited(rgb, inserting: chunks))
            XCTAssertEqual(result.warnings.count, 1, reason)
            XCTAssertTrue(result.warnings.first?.contains(reason) == true, "\(reason): \(result.warnings)")
        }
        // A gAMA whose CRC does not match: libpng discarded it silently before.
        var bytes = Self.edited(rgb, inserting: [Self.gAMA(100_000)])
        let at = try XCTUnwrap((8..<(bytes.count - 4)).first { String(decoding: bytes[$0..<($0 + 4)], as: UTF8.self) == "gAMA" })
        bytes[at + 8] ^= 0xFF  // last CRC byte follows the 4 data bytes
        XCTAssertEqual(try decode(bytes).warnings, ["'t.png': invalid gAMA chunk ignored (its CRC does not match); the colours are read as sRGB"])
    }

    /// A grey image with a valid gAMA and a broken cHRM: converted with the gAMA, no warning
    /// (cHRM does not apply to grey).
    func testGreyKeepsItsGAMABesideABrokenCHRM() throws {
        let grey = HostileFiles.png([("IHDR", HostileFiles.ihdr(4, 1, color: 0)), ("IDAT", Self.zlibStored([0, 0, 64, 128, 255])),
                                     ("IEND", [])])
        let withGamma = try decode(Self.edited(grey, inserting: [Self.gAMA(100_000)]))
        let both = try decode(Self.edited(grey, inserting: [Self.gAMA(100_000), Self.zeroCHRM]))
        XCTAssertEqual(both.pixels, withGamma.pixels)
        XCTAssertEqual(both.warnings, [])
        XCTAssertGreaterThan(withGamma.pixels[3], 64 + 20, "linear 64 is lighter in sRGB")
    }

    /// The precedence is the specification's: an iCCP wins over gAMA/cHRM, so a broken cHRM
    /// beside it changes nothing (libpng had dropped the profile with it, silently).
    func testAnICCProfileIsKeptBesideABrokenCHRM() throws {
        let p3 = try XCTUnwrap(Bundle.module.url(forResource: "Resources", withExtension: nil)).appendingPathComponent("profiles/p3.png")
        let bytes = [UInt8](try Data(contentsOf: p3))
        let plain = try decode(bytes)
        let broken = try decode(Self.edited(bytes, removing: [], inserting: [Self.zeroCHRM]))
        XCTAssertEqual(broken.pixels, plain.pixels)
        XCTAssertEqual(broken.warnings, [])
        // An sRGB chunk also wins: no conversion, no warning.
        let srgb = try decode(Self.edited(rgb, removing: ["gAMA", "cHRM"], inserting: [Self.gAMA(0), Self.zeroCHRM]))
        XCTAssertEqual(srgb.warnings, [])
        XCTAssertEqual(srgb.pixels, try decode(rgb).pixels)
    }
}
