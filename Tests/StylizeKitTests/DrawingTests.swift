import XCTest
@testable import StylizeKit

final class DrawingTests: XCTestCase {
    func testTextIsDrawnInsideItsBoxAndOnlyThere() throws {
        let font = try TextRenderer(pixelSize: 14)
        XCTAssertGreaterThan(font.lineHeight, 12)
        let w = font.width(of: "relu4_2")
        XCTAssertGreaterThan(w, 30); XCTAssertLessThan(w, 80)
        var image = RGBImage(width: 100, height: 30, fill: (255, 255, 255))
        font.draw("relu4_2", on: &image, x: 5, y: 5)
        var dark = 0
        for y in 0..<30 { for x in 0..<100 where image[x, y, 0] < 128 {
            dark += 1
            XCTAssertTrue(x >= 5 && x < 5 + w + 2 && y >= 5 && y < 5 + font.lineHeight, "ink at (\(x), \(y))")
        } }
        XCTAssertGreaterThan(dark, 40)  // the glyphs really were drawn
    }

    func testFillAndPasteClip() {
        var image = RGBImage(width: 4, height: 3, fill: (0, 0, 0))
        image.fill(x: 2, y: 1, width: 10, height: 10, color: (9, 8, 7))
        XCTAssertEqual(image[3, 2, 0], 9); XCTAssertEqual(image[1, 2, 0], 0)
        image.paste(RGBImage(width: 2, height: 2, fill: (1, 2, 3)), x: -1, y: -1)
        XCTAssertEqual(image[0, 0, 2], 3); XCTAssertEqual(image[1, 1, 0], 0); XCTAssertEqual(image[2, 1, 0], 9)
    }
}
