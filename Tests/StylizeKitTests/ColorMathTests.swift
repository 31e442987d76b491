import XCTest
@testable import StylizeKit

/// The colour maths on their own: 3×3 symmetric roots, YIQ, the affine colour map.
final class ColorMathTests: XCTestCase {
    func frobenius(_ a: Matrix3) -> Double { a.m.joined().reduce(0.0) { $0 + $1 * $1 }.squareRoot() }
    func difference(_ a: Matrix3, _ b: Matrix3) -> Double {
        frobenius(Matrix3((0..<3).map { r in (0..<3).map { a[r, $0] - b[r, $0] } }))
    }

    func testSymmetricSquareRootSquaresBack() {
        let s = Matrix3([[900, 300, -120], [300, 400, 50], [-120, 50, 90]])
        let root = s.symmetricPower(0.5, floor: 0), inverseRoot = s.symmetricPower(-0.5, floor: 0)
        XCTAssertLessThan(difference(root * root, s), 1e-10 * frobenius(s))
        XCTAssertLessThan(difference(root * inverseRoot, .identity), 1e-12)
        XCTAssertLessThan(difference(root, root.transposed), 1e-12)
    }

    func testYIQRoundTripAndGreyHasNoChroma() {
        XCTAssertLessThan(difference(YIQ.fromRGB * YIQ.toRGB, .identity), 1e-12)
        for k in 0..<3 { XCTAssertEqual(YIQ.toRGB[k, 0], 1, accuracy: 1e-12) }  // Y adds equally to R, G, B
        let grey = RGBImage(width: 1, height: 1, fill: (r: 77, g: 77, b: 77))
        XCTAssertEqual(YIQ.chroma(grey)[0], 0, accuracy: 1e-4)
        XCTAssertEqual(YIQ.chroma(grey)[1], 0, accuracy: 1e-4)
    }

    /// A new luminance is kept exactly, and so is each pixel's hue; where the photo's chroma
    /// does not fit at that Y (a saturated red cannot be made nearly white, a saturated blue
    /// nearly black), the chroma is scaled towards grey, by the largest factor that fits:
    /// one channel then sits at 0 or 255. Where it fits (mid grey), the chroma is exact.
    func testCombineKeepsLuminanceAndHueAndScalesOnlyChroma() {
        let photo = RGBImage(width: 4, height: 1, pixels: [200, 40, 30, 20, 120, 220, 128, 128, 128, 140, 110, 100])
        let y: [Float] = [250, 10, 60, 120]
        let out = YIQ.combine(luminance: y, chromaOf: photo)
        let got = YIQ.chroma(out), want = YIQ.chroma(photo), luma = YIQ.luminance(out)
        for p in 0..<4 {
            XCTAssertEqual(luma[p], y[p], accuracy: 1e-3, "pixel \(p): Y is kept")
            // Same direction in the I–Q plane: the cross product is 0 and the dot product positive.
            let (gi, gq, wi, wq) = (got[2 * p], got[2 * p + 1], want[2 * p], want[2 * p + 1])
            XCTAssertEqual(gi * wq - gq * wi, 0, accuracy: 1e-2, "pixel \(p): hue kept")
            XCTAssertGreaterThanOrEqual(gi * wi + gq * wq, 0)
            XCTAssertLessThanOrEqual(gi * gi + gq * gq, wi * wi + wq * wq + 1e-3)
        }
        XCTAssertEqual(out.pixels[0], 255, accuracy: 1e-3)               // red at its ceiling
        XCTAssertLessThan(hypot(got[0], got[1]), 0.2 * hypot(want[0], want[1]))  // …nearly white
        XCTAssertEqual(out.pixels[3], 0, accuracy: 1e-3)                 // blue's red at its floor
        for k in 4..<8 { XCTAssertEqual(got[k], want[k], accuracy: 1e-3) }   // grey, and a muted brown: exact
        XCTAssertTrue(out.pixels.allSatisfy { $0 >= 0 && $0 <= 255 })
    }

    /// x' = A(x − μ_s) + μ_c on a synthetic image: exact mean and covariance, and the
    /// symmetric-root map is equivariant to reordering the channels (Cholesky's is not).
    func testAffineMapMatchesMeanAndCovariance() {
        var rng = SeededRandom(seed: 3)
        func image(_ mix: [[Double]], _ offset: [Double]) -> RGBImage {
            var p = [Float]()
            for _ in 0..<500 {
                let z = (0..<3).map { _ in rng.uniform(-1, 1) }
                for r in 0..<3 { p.append(Float(offset[r] + (0..<3).reduce(0.0) { $0 + mix[r][$1] * z[$1] })) }
            }
            return RGBImage(width: 25, height: 20, pixels: p)
        }
        let painting = image([[80, 10, 0], [20, 60, 5], [0, 30, 40]], [200, 60, 40])
        let photo = image([[30, -20, 10], [10, 40, 0], [5, 5, 20]], [110, 120, 90])
        let target = ColorStatistics(photo)
        let recoloured = AffineColorMap(from: ColorStatistics(painting), to: target).apply(painting)
        let got = ColorStatistics(recoloured)
        for c in 0..<3 { XCTAssertEqual(got.mean[c], target.mean[c], accuracy: 1e-3) }
        XCTAssertLessThan(difference(got.covariance, target.covariance), 1e-5 * frobenius(target.covariance))
        // Swap R and B in both images: the recoloured painting is the same with R and B swapped.
        func swapped(_ i: RGBImage) -> RGBImage {
            var p = i.pixels
            for k in 0..<(i.width * i.height) { p.swapAt(3 * k, 3 * k + 2) }
            return RGBImage(width: i.width, height: i.height, pixels: p)
        }
        let other = AffineColorMap(from: ColorStatistics(swapped(painting)), to: ColorStatistics(swapped(photo))).apply(swapped(painting))
        XCTAssertLessThan(zip(swapped(other).pixels, recoloured.pixels).map { abs($0 - $1) }.max()!, 1e-3)
    }

    /// A painting with no variance along some colour direction (here grey: R = G = B) is
    /// not blown up: the floor keeps the map finite and the result inside a sane range.
    func testFlatDirectionsAreFloored() {
        let grey = RGBImage(width: 4, height: 1, pixels: [10, 10, 10, 90, 90, 90, 170, 170, 170, 250, 250, 250])
        let photo = RGBImage(width: 2, height: 1, pixels: [200, 30, 30, 30, 30, 200])
        let out = AffineColorMap(from: ColorStatistics(grey), to: ColorStatistics(photo)).apply(grey)
        XCTAssertTrue(out.pixels.allSatisfy { $0.isFinite && abs($0) < 1000 })
    }
}
