import XCTest
@testable import StylizeKit

final class ResizeTests: XCTestCase {
    func testSameLongestSideIsNotResampled() {
        var rng = SeededRandom(seed: 1)
        let image = RGBImage(width: 40, height: 30, pixels: rng.floats(40 * 30 * 3, 0, 255))
        XCTAssertEqual(image.resized(longestSide: 40), image)
    }

    func testAspectRatioAndRounding() {
        let image = RGBImage(width: 451, height: 300, fill: (10, 20, 30))
        let r = image.resized(longestSide: 512)
        XCTAssertEqual([r.width, r.height], [512, 341])  // 300·512/451 = 340.6
        let t = RGBImage(width: 300, height: 451, fill: (10, 20, 30)).resized(longestSide: 256)
        XCTAssertEqual([t.width, t.height], [170, 256])  // 300·256/451 = 170.3
    }

    func testConstantImageStaysConstant() {
        let image = RGBImage(width: 64, height: 48, fill: (200, 100, 50))
        for (w, h) in [(16, 12), (100, 75), (63, 47)] {
            let r = image.resized(width: w, height: h)
            for p in 0..<(w * h) {
                XCTAssertEqual(r.pixels[3 * p], 200, accuracy: 1e-3)
                XCTAssertEqual(r.pixels[3 * p + 1], 100, accuracy: 1e-3)
                XCTAssertEqual(r.pixels[3 * p + 2], 50, accuracy: 1e-3)
            }
        }
    }

    /// A one-pixel checkerboard shrunk 4× must average to grey, not alias into a pattern.
    func testDownscalingAntialiases() {
        var px = [Float]()
        for y in 0..<64 { for x in 0..<64 { let v: Float = (x + y) % 2 == 0 ? 255 : 0; px += [v, v, v] } }
        let r = RGBImage(width: 64, height: 64, pixels: px).resized(width: 16, height: 16)
        for v in r.pixels { XCTAssertEqual(v, 127.5, accuracy: 2) }
    }
}
