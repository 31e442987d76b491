import Foundation
import XCTest
@testable import StylizeKit

/// PngSuite conformance against pixels decoded independently (pypng, with the gAMA/cHRM
/// conversion to sRGB done by hand in float64; see Resources/pngsuite/make_expected.py),
/// corrupt files, the pixel limit and writing.
final class PNGCodecTests: XCTestCase {
    struct Entry: Decodable { let width: Int; let height: Int; let bitdepth: Int; let offset: Int; let converted: Bool }

    var suite: URL {
        get throws { try XCTUnwrap(Bundle.module.url(forResource: "Resources", withExtension: nil)).appendingPathComponent("pngsuite") }
    }

    func testEveryValidPngSuiteFileDecodesToTheIndependentPixels() throws {
        let dir = try suite
        let index = try JSONDecoder().decode([String: Entry].self, from: Data(contentsOf: dir.appendingPathComponent("expected.json")))
        let blob = [UInt8](try Data(contentsOf: dir.appendingPathComponent("expected.bin")))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".png") && !$0.hasPrefix("x") }
        XCTAssertEqual(files.count, 161)
        XCTAssertEqual(Set(files), Set(index.keys))
        for name in files.sorted() {
            let e = try XCTUnwrap(index[name])
            let image = try PNGCodec.read(path: dir.appendingPathComponent(name).path)
            XCTAssertEqual([image.width, image.height], [e.width, e.height], name)
            // 8-bit and lower, no colour chunk: exact. 16-bit: the decoder and the script may
            // round on opposite sides of .5 when compositing alpha. Colour converted (144
            // files, gAMA/cHRM): LittleCMS's float pipeline is stored back as 16-bit samples
            // before compositing, so a value near .5 may round either way: one level
            // (measured: at most 1, in 428 of 396,342 samples).
            let tolerance: Float = e.bitdepth == 16 || e.converted ? 1 : 0
            for i in 0..<(e.width * e.height * 3) {
                let got = image.pixels[i].rounded(), want = Float(blob[e.offset + i])
                if abs(got - want) > tolerance {
                    XCTFail("\(name): pixel \(i / 3) channel \(i % 3) is \(got), expected \(want)")
                    break
                }
            }
        }
    }

    func testEveryCorruptPngSuiteFileIsRefusedWithOneLine() throws {
        let dir = try suite
        let corrupt = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("x") && $0.hasSuffix(".png") }
        XCTAssertEqual(corrupt.count, 14)
        for name in corrupt.sorted() {
            let path = dir.appendingPathComponent(name).path
            XCTAssertThrowsError(try PNGCodec.read(path: path), name) { error in
                let text = "\(error)"
                XCTAssertTrue(error is ImageError, "\(name): \(type(of: error))")
                XCTAssertTrue(text.hasPrefix("cannot read '\(path)': "), text)
                XCTAssertFalse(text.contains("\n"), text)
                XCTAssertGreaterThan(text.count, "cannot read '\(path)': ".count + 3, text)
            }
        }
    }

    /// A valid PNG header claiming 100000×100000 is refused from the header alone.
    func testPixelLimitIsCheckedBeforeDecoding() throws {
        let bytes = HostileFiles.png([("IHDR", HostileFiles.ihdr(100_000, 100_000)),
                                      ("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]), ("IEND", [])])
        let start = Date()
        XCTAssertThrowsError(try PNGCodec.decode(bytes, path: "huge.png")) { error in
            XCTAssertEqual("\(error)", "cannot read 'huge.png': image is 100000x100000 (10000 megapixels), above the limit of 50 megapixels; raise it with --max-megapixels")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0)
        // A raised limit lets it through to the decoder, which then fails on the tiny IDAT
        // (before allocating 40 GB of pixels).
        XCTAssertThrowsError(try PNGCodec.decode(bytes, path: "huge.png", maxPixels: 10_000_000_000)) {
            XCTAssertFalse("\($0)".contains("above the limit"), "\($0)")
            XCTAssertTrue("\($0)".hasPrefix("cannot read 'huge.png': "), "\($0)")
        }
        // A limit just below a real image's size refuses it; at its size, it decodes.
        let image = RGBImage(width: 30, height: 20, fill: (10, 20, 30))
        let png = try PNGCodec.encode(image)
        XCTAssertThrowsError(try PNGCodec.decode(png, path: "a.png", maxPixels: 599)) {
            XCTAssertEqual("\($0)", "cannot read 'a.png': image is 30x20 (0 megapixels), above the limit of 0 megapixels; raise it with --max-megapixels")
        }
        XCTAssertEqual(try PNGCodec.decode(png, path: "a.png", maxPixels: 600), image)
    }

    /// A file holding a chunk that claims more bytes than remain is refused before libpng
    /// sees it (fuzzing found an 87-byte file whose tEXt claimed 1.3 GB, which libpng allocated).
    func testAChunkLongerThanTheFileIsRefused() throws {
        var bytes = HostileFiles.png([("IHDR", HostileFiles.ihdr(1, 1)), ("tEXt", Array("k\0v".utf8)), ("IEND", [])])
        bytes.replaceSubrange(33..<37, with: be32(1_342_177_290))
        XCTAssertThrowsError(try PNGCodec.decode(bytes, path: "t.png")) {
            XCTAssertEqual("\($0)", "cannot read 't.png': file is truncated or corrupt (a chunk claims 1342177290 bytes, 15 remain)")
        }
    }

    func testMissingFileAndNotAPNG() throws {
        XCTAssertThrowsError(try PNGCodec.read(path: "/nonexistent/a.png")) {
            XCTAssertEqual("\($0)", "cannot read '/nonexistent/a.png': no such file")
        }
        XCTAssertThrowsError(try PNGCodec.decode(Array("GIF89a....".utf8), path: "a.gif")) {
            XCTAssertEqual("\($0)", "cannot read 'a.gif': not a PNG file (bad signature)")
        }
    }

    func testWriteReadRoundTripIsExactAndLeavesNoTemporaryFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("png-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SeededRandom(seed: 5)
        let image = RGBImage(width: 37, height: 23, pixels: (0..<(37 * 23 * 3)).map { _ in Float(rng.next() % 256) })
        let path = dir.appendingPathComponent("out.png").path
        try PNGCodec.write(image, to: path)
        XCTAssertEqual(try PNGCodec.read(path: path), image)
        try PNGCodec.write(image, to: path)  // overwriting is atomic too
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["out.png"])
        // Out-of-range values are clamped and rounded.
        let clamped = RGBImage(width: 1, height: 1, pixels: [-20, 127.6, 300])
        try PNGCodec.write(clamped, to: path)
        XCTAssertEqual(try PNGCodec.read(path: path).pixels, [0, 128, 255])
    }

    func testWritingIntoAMissingFolderFailsAndCreatesNothing() {
        XCTAssertThrowsError(try PNGCodec.write(RGBImage(width: 2, height: 2, fill: (1, 2, 3)), to: "/nonexistent-dir/x.png")) {
            XCTAssertEqual("\($0)", "cannot write '/nonexistent-dir/x.png': folder '/nonexistent-dir' does not exist")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/nonexistent-dir"))
    }
}

func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

/// CRC-32 as PNG defines it (ISO 3309, polynomial 0xEDB88320, reflected).
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        c ^= UInt32(b)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    }
    return c ^ 0xFFFF_FFFF
}
