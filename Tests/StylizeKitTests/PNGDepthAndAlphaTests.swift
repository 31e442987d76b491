import Foundation
import XCTest
@testable import StylizeKit

/// 16-bit output and input at full precision, and alpha kept beside the colours.
final class PNGDepthAndAlphaTests: XCTestCase {
    /// IHDR's bit depth and colour type bytes (2 RGB, 6 RGBA).
    func header(_ png: [UInt8]) -> (depth: UInt8, color: UInt8) { (png[24], png[25]) }

    /// A smooth float gradient written at 16 bits holds `round(v / 255 · 65535)` exactly, not
    /// an 8-bit level × 257. The samples are read back through libpng at 16 bits (the
    /// decoder keeps 16-bit samples as `s / 257`, so `s = round(f · 257)` recovers them; an
    /// 8-bit decoder would give only multiples of 257).
    func testSixteenBitOutputKeepsTheFloatPrecision() throws {
        let w = 509, h = 2
        var pixels = [Float](repeating: 0, count: w * h * 3)
        for x in 0..<w { for y in 0..<h { for c in 0..<3 {
            pixels[(y * w + x) * 3 + c] = Float(x) * 255 / Float(w - 1) * (c == 1 ? 0.7 : 1) + Float(y) * 0.1
        } } }
        let image = RGBImage(width: w, height: h, pixels: pixels)
        let png = try PNGCodec.encode(image, bitDepth: .sixteen)
        XCTAssertEqual(header(png).depth, 16)
        XCTAssertEqual(header(png).color, 2)
        let back = try PNGCodec.decode(png, path: "g.png")
        var notMultiples = 0, worst = 0
        for (v, f) in zip(pixels, back.pixels) {
            let stored = Int((f * 257).rounded())
            let expected = min(65535, Int((Double(v) / 255 * 65535).rounded()))  // 255.1 clamps
            worst = max(worst, abs(stored - expected))
            if stored % 257 != 0 { notMultiples += 1 }
        }
        XCTAssertLessThanOrEqual(worst, 1)
        XCTAssertGreaterThan(notMultiples, pixels.count * 9 / 10, "16-bit samples look like 8-bit levels × 257")
        // The same image at 8 bits: depth 8, values rounded to levels.
        let eight = try PNGCodec.encode(image)
        XCTAssertEqual(header(eight).depth, 8)
        XCTAssertEqual(try PNGCodec.decode(eight, path: "e.png").pixels, pixels.map { min(max($0.rounded(), 0), 255) })
    }

    /// RGBA at 8 and 16 bits: alpha comes back (8 bits: rounded; 16 bits: within 1/257 of a
    /// level), and the colours are composited over white: c·a + 255·(1 − a).
    func testAlphaRoundTripsAndColoursAreCompositedOverWhite() throws {
        let image = RGBImage(width: 4, height: 1, pixels: [200, 100, 0, 10, 20, 30, 0, 0, 0, 255, 255, 255])
        let alpha = AlphaPlane(width: 4, height: 1, values: [255, 127.6, 0, 64.25])
        for depth in PNGBitDepth.allCases {
            let png = try PNGCodec.encode(image, alpha: alpha, bitDepth: depth)
            XCTAssertEqual(header(png).color, 6, "\(depth)")
            let back = try PNGCodec.decodeWithAlpha(png, path: "a.png")
            let got = try XCTUnwrap(back.alpha, "\(depth)")
            let step: Float = depth == .eight ? 0.5 : 0.5 / 257
            for (a, b) in zip(got.values, alpha.values) { XCTAssertEqual(a, b, accuracy: step + 1e-4, "\(depth)") }
            for p in 0..<4 { for c in 0..<3 {
                let a = got.values[p] / 255
                let stored = depth == .eight ? image.pixels[3 * p + c].rounded() : image.pixels[3 * p + c]
                XCTAssertEqual(back.image.pixels[3 * p + c], stored * a + 255 * (1 - a), accuracy: 0.01, "\(depth) \(p) \(c)")
            } }
        }
    }

    /// Opaque input gives RGB output: no alpha channel, or alpha that is 255 everywhere.
    func testOpaqueImagesHaveNoAlphaAndAreWrittenAsRGB() throws {
        let image = RGBImage(width: 2, height: 2, fill: (10, 20, 30))
        let rgb = try PNGCodec.encode(image)
        XCTAssertNil(try PNGCodec.decodeWithAlpha(rgb, path: "o.png").alpha)
        let opaque = AlphaPlane(width: 2, height: 2, values: [255, 255, 255, 255])
        let written = try PNGCodec.encode(image, alpha: opaque, bitDepth: .sixteen)
        XCTAssertEqual(header(written).color, 2, "an all-opaque alpha is not written")
        XCTAssertNil(try PNGCodec.decodeWithAlpha(written, path: "o.png").alpha)
        // An RGBA file whose alpha is all 255 also reads as opaque.
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Resources", withExtension: nil))
        XCTAssertNil(try PNGCodec.readWithAlpha(path: dir.appendingPathComponent("pngsuite/basn2c08.png").path).alpha)
        XCTAssertNotNil(try PNGCodec.readWithAlpha(path: dir.appendingPathComponent("pngsuite/basn6a08.png").path).alpha)
    }

    /// The alpha plane is resized by the colours' own resampler (Lanczos-3, clamped).
    func testAlphaIsResizedWithTheColourResampler() {
        var rng = SeededRandom(seed: 3)
        let values = (0..<(30 * 20)).map { _ in Float(rng.next() % 256) }
        let plane = AlphaPlane(width: 30, height: 20, values: values)
        let grey = RGBImage(width: 30, height: 20, pixels: values.flatMap { [$0, $0, $0] })
        let small = plane.resized(width: 13, height: 9), reference = grey.resized(width: 13, height: 9)
        XCTAssertEqual([small.width, small.height], [13, 9])
        for p in 0..<(13 * 9) { XCTAssertEqual(small.values[p], reference.pixels[3 * p], accuracy: 1e-4) }
        XCTAssertTrue(small.values.allSatisfy { $0 >= 0 && $0 <= 255 })
    }
}
