import Foundation
import XCTest
@testable import StylizeKit

/// `--preserve-colors` on real images (samples/) with the real VGG16: short coarse-to-fine
/// runs at 128 px (64 → 128 px, 20 + 20 iterations, a few seconds each).
final class ColorPreservationTests: RealNetworkTestCase {
    func configuration(_ mode: ColorPreservation, style: String = "stained_glass") -> StyleTransferConfiguration {
        var c = StyleTransferConfiguration(contentPath: packagePath("samples/content/astronaut.png"),
                                           stylePaths: [packagePath("samples/style/\(style).png")],
                                           outputPath: dir + "/\(mode.rawValue).png")
        c.size = 128; c.minSize = 64; c.iterations = 20; c.coarseIterations = 20
        c.preserveColors = mode
        return c
    }

    /// Luminance mode: the saved PNG's chroma (YIQ I and Q) equals the photo's at the output
    /// size to within 8-bit rounding of R, G, B (at most 0.5 × (|I row| sum 1.19) = 0.60 and
    /// 0.5 × (|Q row| sum 1.05) = 0.52 levels) wherever it fits at the new luminance; where it
    /// does not (a dark stroke over a saturated colour), one channel sits at 0 or 255 and the
    /// chroma is smaller, in the same direction. Its luminance is the painting-styled one: it
    /// differs from the photo's by more than 5 levels on average.
    func testLuminanceModeKeepsThePhotosChroma() throws {
        let c = configuration(.luminance)
        _ = try StyleTransfer.run(configuration: c, weights: weights)
        let out = try PNGCodec.read(path: c.outputPath)
        let photo = try TransferImages.load(c, minimumSide: 16).photo(width: out.width, height: out.height)
        let a = YIQ.chroma(out), b = YIQ.chroma(photo)
        var worstI: Float = 0, worstQ: Float = 0, scaled = 0
        for p in 0..<(out.width * out.height) {
            let rgb = out.pixels[(3 * p)..<(3 * p + 3)]
            if rgb.contains(where: { $0 <= 0.5 || $0 >= 254.5 }) {
                scaled += 1
                XCTAssertEqual(a[2 * p] * b[2 * p + 1] - a[2 * p + 1] * b[2 * p], 0, accuracy: 0.6 * hypot(b[2 * p], b[2 * p + 1]) + 1,
                               "pixel \(p): the hue is kept")
                XCTAssertLessThanOrEqual(hypot(a[2 * p], a[2 * p + 1]), hypot(b[2 * p], b[2 * p + 1]) + 0.8)
                continue
            }
            worstI = max(worstI, abs(a[2 * p] - b[2 * p])); worstQ = max(worstQ, abs(a[2 * p + 1] - b[2 * p + 1]))
        }
        XCTAssertLessThanOrEqual(worstI, 0.60)
        XCTAssertLessThanOrEqual(worstQ, 0.53)
        // Chroma gives way only where it must: the mean chroma magnitude stays above 0.7 of the photo's.
        let n = out.width * out.height
        let kept = (0..<n).reduce(0.0) { $0 + Double(hypot(a[2 * $1], a[2 * $1 + 1])) }
            / (0..<n).reduce(0.0) { $0 + Double(hypot(b[2 * $1], b[2 * $1 + 1])) }
        XCTAssertGreaterThan(kept, 0.7)  // 0.74 measured (astronaut × stained glass, 128 px)
        let dy = zip(YIQ.luminance(out), YIQ.luminance(photo)).reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) } / Double(out.width * out.height)
        XCTAssertGreaterThan(dy, 5, "the luminance should carry the painting's strokes")
    }

    /// Both colour modes keep the photo's contrast (issue 16: coffee × sunflowers in luminance
    /// mode came out with a luminance σ of 36 levels against the photo's 58, black turned
    /// grey-blue). Luminance mode: the output's luminance mean and σ equal the photo's at the
    /// output size to within 1 level (8-bit rounding of R, G, B); its darkest and brightest
    /// percentiles too, within 2. Histogram mode maps the colours by their mean and
    /// covariance, and clips what falls outside 0…255: σ within 8% of the photo's. Before
    /// the fix this run gave σ 35 (luminance) and 43 (histogram) against the photo's 56.5.
    func testColourModesKeepThePhotosLuminanceContrast() throws {
        for mode in [ColorPreservation.luminance, .histogram] {
            var c = configuration(mode, style: "sunflowers")
            c.contentPath = packagePath("samples/content/coffee.png")
            _ = try StyleTransfer.run(configuration: c, weights: weights)
            let out = try PNGCodec.read(path: c.outputPath)
            let photo = try TransferImages.load(c, minimumSide: 16).photo(width: out.width, height: out.height)
            let (mo, so) = ColorTransform.meanAndDeviation(YIQ.luminance(out))
            let (mp, sp) = ColorTransform.meanAndDeviation(YIQ.luminance(photo))
            XCTAssertEqual(so, sp, accuracy: mode == .luminance ? 1 : 0.08 * sp, "\(mode): luminance σ \(so), photo \(sp)")
            XCTAssertEqual(mo, mp, accuracy: mode == .luminance ? 1 : 3, "\(mode): luminance mean \(mo), photo \(mp)")
            if mode == .luminance {
                let a = YIQ.luminance(out).sorted(), b = YIQ.luminance(photo).sorted()
                for q in [a.count / 100, a.count * 99 / 100] { XCTAssertEqual(a[q], b[q], accuracy: 2, "percentile at \(q)") }
            }
        }
    }

    /// Histogram mode: the painting the network sees at the final scale has the photo's RGB
    /// mean (within 0.01 levels) and covariance (within 1e-4 of its Frobenius norm), float32
    /// rounding over 16k pixels. A real run with it starts from noise and ends nearer the
    /// photo's mean colour than the (yellow) sunflowers painting's own mean is, by half.
    func testHistogramModeRecoloursThePaintingToThePhotosStatistics() throws {
        let c = configuration(.histogram, style: "sunflowers")
        let images = try TransferImages.load(c, minimumSide: 16)
        let photo = ColorStatistics(images.content)
        let painting = try XCTUnwrap(images.styles(width: images.content.width, height: images.content.height).first)
        let got = ColorStatistics(painting)
        for k in 0..<3 { XCTAssertEqual(got.mean[k], photo.mean[k], accuracy: 0.01) }
        var diff = 0.0, norm = 0.0
        for r in 0..<3 { for k in 0..<3 {
            diff += pow(got.covariance[r, k] - photo.covariance[r, k], 2); norm += pow(photo.covariance[r, k], 2)
        } }
        XCTAssertLessThan(diff.squareRoot(), 1e-4 * norm.squareRoot())
        // At a coarser scale the recolouring is applied after resizing: still the photo's mean.
        let small = ColorStatistics(try XCTUnwrap(images.styles(width: 64, height: 64).first))
        for k in 0..<3 { XCTAssertEqual(small.mean[k], ColorStatistics(images.photo(width: 64, height: 64)).mean[k], accuracy: 3) }

        _ = try StyleTransfer.run(configuration: c, weights: weights)
        let out = ColorStatistics(try PNGCodec.read(path: c.outputPath))
        let original = ColorStatistics(try PNGCodec.read(path: c.stylePaths[0]))
        func distance(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() }
        XCTAssertLessThan(distance(out.mean, photo.mean), 0.5 * distance(original.mean, photo.mean),
                          "output mean \(out.mean), photo \(photo.mean), painting \(original.mean)")
    }
}
