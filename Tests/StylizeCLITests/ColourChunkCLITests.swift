import Foundation
import StylizeKit
import XCTest

/// Issue 15, item 9: an invalid gAMA or cHRM is ignored on its own, as the PNG specification
/// says, the valid one beside it is kept, and one warning names the file and the chunk.
extension CLITests {
    /// CRC-32 of the PNG specification over `bytes`.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return crc ^ 0xFFFF_FFFF
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    /// `png` with its colour chunks (sRGB, gAMA, cHRM, iCCP) replaced by `chunks`, placed
    /// right after IHDR, each with a correct CRC.
    static func withColourChunks(_ png: [UInt8], _ chunks: [(String, [UInt8])]) -> [UInt8] {
        var out = Array(png[0..<8]), offset = 8
        while offset + 12 <= png.count {
            let length = Int(png[offset]) << 24 | Int(png[offset + 1]) << 16 | Int(png[offset + 2]) << 8 | Int(png[offset + 3])
            let type = String(decoding: png[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let whole = Array(png[offset..<(offset + 12 + length)])
            if !["sRGB", "gAMA", "cHRM", "iCCP"].contains(type) { out += whole }
            if type == "IHDR" {
                for (t, data) in chunks {
                    let body = Array(t.utf8) + data
                    out += bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
                }
            }
            offset += 12 + length
        }
        return out
    }

    /// `gAMA` with the value ×100000, `cHRM` from eight chromaticities ×100000.
    static func gAMA(_ v: UInt32) -> (String, [UInt8]) { ("gAMA", bigEndian(v)) }
    static func cHRM(_ v: [UInt32]) -> (String, [UInt8]) { ("cHRM", v.flatMap(bigEndian)) }

    /// The run reads the content (`--init content`, no iteration, no resampling) and writes it
    /// back: the output is the content as read, after any colour conversion.
    func testInvalidColourChunksAreIgnoredAloneWithOneWarning() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        _ = try writeImage("s.png", seed: 1)
        var px = [Float]()
        for y in 0..<32 { for x in 0..<32 { for c in 0..<3 { px.append(Float((x * 7 + y * 3 + c * 40) % 200 + 20)) } } }
        let plain = try PNGCodec.encode(RGBImage(width: 32, height: 32, pixels: px))
        let collinear: [UInt32] = [31270, 32900, 10000, 10000, 30000, 30000, 50000, 50000]
        let cases: [(name: String, chunks: [(String, [UInt8])], warning: String?)] = [
            ("none", [], nil),
            ("gamma1", [Self.gAMA(100_000)], nil),
            ("gamma1-zero-chrm", [Self.gAMA(100_000), Self.cHRM(Array(repeating: 0, count: 8))],
             "invalid cHRM chunk ignored (all chromaticities are 0); the colours are converted with its gAMA and the sRGB primaries"),
            ("gamma1-collinear-chrm", [Self.gAMA(100_000), Self.cHRM(collinear)],
             "invalid cHRM chunk ignored (the red, green and blue primaries lie on one line)"),
            ("gamma0", [Self.gAMA(0)], "invalid gAMA chunk ignored (gamma 0); the colours are read as sRGB"),
            ("gamma0-zero-chrm", [Self.gAMA(0), Self.cHRM(Array(repeating: 0, count: 8))],
             "invalid gAMA chunk (gamma 0) and cHRM chunk (all chromaticities are 0) ignored; the colours are read as sRGB"),
        ]
        var outputs: [String: [Float]] = [:]
        for (name, chunks, warning) in cases {
            try Data(Self.withColourChunks(plain, chunks)).write(to: dir.appendingPathComponent(name + ".png"))
            let o = try run([name + ".png", "s.png", "-o", "out-\(name).png", "--init", "content", "--iterations", "0",
                             "--size", "32", "--min-size", "32", "--weights", weights, "--quiet"])
            XCTAssertEqual(o.status, 0, o.stderr)
            if let warning {
                XCTAssertEqual(o.stderr.split(separator: "\n").count, 1, o.stderr)
                XCTAssertTrue(o.stderr.hasPrefix("stylize: warning: '\(name).png': "), o.stderr)
                XCTAssertTrue(o.stderr.contains(warning), "'\(warning)' not in: \(o.stderr)")
            } else {
                XCTAssertEqual(o.stderr, "", name)
            }
            outputs[name] = try PNGCodec.read(path: dir.appendingPathComponent("out-\(name).png").path).pixels
        }
        XCTAssertEqual(outputs["none"], px, "an untagged image passes unchanged")
        XCTAssertNotEqual(outputs["gamma1"], outputs["none"], "gAMA 1.0 is converted (lighter)")
        XCTAssertEqual(outputs["gamma1-zero-chrm"], outputs["gamma1"], "the valid gAMA is kept beside a zero cHRM")
        XCTAssertEqual(outputs["gamma1-collinear-chrm"], outputs["gamma1"], "and beside collinear primaries")
        XCTAssertEqual(outputs["gamma0"], outputs["none"])
        XCTAssertEqual(outputs["gamma0-zero-chrm"], outputs["none"])
    }
}
