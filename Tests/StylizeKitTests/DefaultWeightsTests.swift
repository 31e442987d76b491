import Foundation
import XCTest
@testable import StylizeKit

/// `--style-weight auto` keeps the photo for paintings of very different palettes (issues
/// 10 and 20's criterion), on two of the repository's photos and its paintings with the real
/// VGG16, at 128 px (64 → 91 → 128 px, 30 iterations per scale; `make eval` is the same
/// measurement at the default 256 px schedule on six photos and eleven paintings). For each
/// painting:
///
/// - the output's content loss is at most half the painting's own (the painting stretched to
///   the photo's size, scored as if it were the output): the photo is still there;
/// - the output's style loss is at most a tenth of the photo's own: the painting is there.
///
/// A fixed β = 1e-3 fails the first on the stained glass (measured at 256 px: 0.92).
final class DefaultWeightsTests: RealNetworkTestCase {
    /// A dark, muted, nearly monochrome painting (blue-grey diagonal strokes), the opposite
    /// palette of the stained glass; generated so the test needs no file outside the repository.
    static func nocturne(path: String) throws {
        let w = 160, h = 120
        var p = [Float]()
        for y in 0..<h { for x in 0..<w {
            let s = 0.5 + 0.5 * sin(0.35 * Double(x + 2 * y) + 2 * sin(0.07 * Double(x - y)))
            p += [Float(20 + 25 * s), Float(30 + 35 * s), Float(60 + 50 * s)]
        } }
        try PNGCodec.write(RGBImage(width: w, height: h, pixels: p), to: path)
    }

    func check(_ paintings: [String], photo photoName: String = "astronaut") throws {
        for name in paintings {
            let style = name.hasPrefix("/") ? name : packagePath("samples/style/\(name).png")
            var c = StyleTransferConfiguration(contentPath: packagePath("samples/content/\(photoName).png"), stylePaths: [style],
                                               outputPath: dir + "/out.png")
            c.size = 128; c.minSize = 64; c.iterations = 30; c.coarseIterations = 30
            XCTAssertEqual(c.styleWeight, .auto, "the default is auto")
            let result = try StyleTransfer.run(configuration: c, weights: weights)
            let transfer = try StyleTransfer(configuration: c, weights: weights, images: TransferImages.load(c, minimumSide: 16))
            let w = transfer.images.content.width, h = transfer.images.content.height
            // Scored as `make eval` scores: Gatys et al.'s content term, every position alike.
            let scores = try transfer.scores(of: PNGCodec.read(path: c.outputPath).resized(width: w, height: h))
            let contentRatio = scores.contentRatio, styleRatio = scores.styleRatio
            print(String(format: "default weights, %@ with %@: β %.3e, content %.3f of the painting's, style %.4f of the photo's",
                         photoName, name, result.styleWeight, contentRatio, styleRatio))
            XCTAssertLessThanOrEqual(contentRatio, 0.5, "\(photoName) with \(name): the photo is lost")
            XCTAssertLessThanOrEqual(styleRatio, 0.1, "\(photoName) with \(name): the painting is not there")
        }
    }

    func testFlatAndSaturatedPaintings() throws { try check(["stained_glass", "sunflowers", "tiger"]) }

    func testMutedAndDarkPaintings() throws {
        let nocturne = dir + "/nocturne.png"
        try Self.nocturne(path: nocturne)
        try check(["bedroom", "jupiter", nocturne])
    }

    /// A second photo, not used to choose the ratio: the coffee cup (a still life, warm and
    /// dark), with the same six paintings.
    func testASecondPhoto() throws {
        let nocturne = dir + "/nocturne.png"
        try Self.nocturne(path: nocturne)
        try check(["stained_glass", "sunflowers", "tiger", "bedroom", "jupiter", nocturne], photo: "coffee")
    }
}
