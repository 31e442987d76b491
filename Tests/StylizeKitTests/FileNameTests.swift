import XCTest
@testable import StylizeKit

/// `FileName`: any bytes of a name survive the trip through a `String`, exactly, and show as
/// `\xff` to people.
final class FileNameTests: XCTestCase {
    func testEveryByteStringRoundTrips() {
        var generator = SystemRandomNumberGenerator()
        let samples: [[UInt8]] = [Array("plain.png".utf8), Array("été.png".utf8), [0x70, 0xFF, 0x6F], [0xC3], [0xE2, 0x82],
                                  [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80],
                                  Array("\u{10FF80}\u{10FFFF}".utf8)]  // valid UTF-8 of the escape scalars themselves
        let random = (0..<2000).map { _ in (0..<Int.random(in: 1...12, using: &generator)).map { _ in UInt8.random(in: 1...255, using: &generator) } }
        for bytes in samples + random {
            XCTAssertEqual(FileName.bytes(FileName.string(bytes: bytes)), bytes, "\(bytes)")
        }
        XCTAssertEqual(FileName.string(bytes: Array("été.png".utf8)), "été.png")
        XCTAssertEqual(FileName.bytes("été.png"), Array("été.png".utf8))
        let odd = FileName.string(bytes: Array("dir/ph".utf8) + [0xFF] + Array("oto.png".utf8))
        XCTAssertEqual(FileName.bytes(FileNaming.stem(odd)), Array("ph".utf8) + [0xFF] + Array("oto".utf8))
        XCTAssertEqual(FileName.bytes(PathIdentity.canonical("/nonexistent/" + odd)), Array("/nonexistent/dir/ph".utf8) + [0xFF] + Array("oto.png".utf8))
    }

    func testDisplayAndJSONEscapes() throws {
        let name = FileName.string(bytes: [0x70, 0xFF, 0x0A, 0x6F])
        XCTAssertEqual(FileName.display("'\(name)'"), "'p\\xff\\x0ao'")
        let json = FileName.escapeJSON("{\"a\":\"\(name)\"}")
        XCTAssertEqual(json, "{\"a\":\"p\\udbff\\udfff\no\"}")
        let back = try JSONDecoder().decode([String: String].self, from: Data(json.replacingOccurrences(of: "\n", with: "\\n").utf8))
        XCTAssertEqual(back["a"].map(FileName.bytes), [0x70, 0xFF, 0x0A, 0x6F])
        XCTAssertEqual(HTML.href("a b/p" + FileName.string(bytes: [0xFF]) + ".png"), "a%20b/p%FF.png")
    }
}
