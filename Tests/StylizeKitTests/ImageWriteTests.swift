import Foundation
import XCTest
@testable import StylizeKit

/// Outputs by extension: the format type and its usage errors, JPEG and WebP encodes read
/// back, their sRGB profile, transparency (kept in WebP, composited over white in JPEG and
/// reported), atomic writes, and inputs picked up by extension in folders and globs.
final class ImageWriteTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("write-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    /// A smooth 64×48 picture: ramps in red and green, a soft blue bump.
    let picture: RGBImage = {
        var image = RGBImage(width: 64, height: 48, fill: (r: 0, g: 0, b: 0))
        for y in 0..<48 { for x in 0..<64 {
            let d = Float((x - 32) * (x - 32) + (y - 24) * (y - 24))
            image[x, y, 0] = Float(x) * 4; image[x, y, 1] = 40 + Float(y) * 4; image[x, y, 2] = 200 * exp(-d / 300)
        } }
        return image
    }()

    func testTheFormatComesFromTheExtension() throws {
        XCTAssertEqual(try OutputFormat(path: "out/a.png").format, .png)
        XCTAssertEqual(try OutputFormat(path: "A.JPG").format, .jpeg)
        XCTAssertEqual(try OutputFormat(path: "x.jpeg", quality: 80).quality, 80)
        XCTAssertEqual(try OutputFormat(path: "photo.WebP").format, .webp)
        XCTAssertEqual(try OutputFormat(path: "deep.png", bitDepth: .sixteen).bitDepth, .sixteen)
        XCTAssertEqual(try OutputFormat(path: "a.jpg").quality, 95)
        for path in ["a.tif", "noextension", "dir.png/", "dir.png/file", ".png", "a.png.bak"] {
            XCTAssertThrowsError(try OutputFormat(path: path), path) {
                XCTAssertEqual($0 as? OutputFormatError, .unsupportedExtension(path: path))
                XCTAssertEqual("\($0)", "cannot write '\(path)': the extension must be .png, .jpg, .jpeg or .webp (the output format is chosen from it)")
            }
        }
        XCTAssertThrowsError(try OutputFormat(path: "a.jpg", bitDepth: .sixteen)) {
            XCTAssertEqual("\($0)", "cannot write 'a.jpg' with 16 bits per sample: JPEG has 8; use a .png output for 16 bits")
        }
        XCTAssertThrowsError(try OutputFormat(path: "a.webp", bitDepth: .sixteen)) {
            XCTAssertEqual($0 as? OutputFormatError, .sixteenBitsNeedPNG(path: "a.webp", format: .webp))
        }
        XCTAssertThrowsError(try OutputFormat(format: .webp, bitDepth: .sixteen)) {
            XCTAssertEqual("\($0)", "cannot write a WebP file with 16 bits per sample: WebP has 8; use a .png output for 16 bits")
        }
        for quality in [0, 101, -5] {
            XCTAssertThrowsError(try OutputFormat(path: "a.jpg", quality: quality)) {
                XCTAssertEqual("\($0)", "quality must be an integer between 1 and 100, got \(quality)")
            }
        }
    }

    /// Segments of a JPEG before its first scan: (marker, payload).
    func segments(_ jpeg: [UInt8]) -> [(marker: UInt8, payload: [UInt8])] {
        var out: [(UInt8, [UInt8])] = [], at = 2
        while at + 4 <= jpeg.count, jpeg[at] == 0xFF {
            let length = Int(jpeg[at + 2]) << 8 | Int(jpeg[at + 3])
            out.append((jpeg[at + 1], Array(jpeg[(at + 4)..<(at + 2 + length)])))
            if jpeg[at + 1] == 0xDA { break }
            at += 2 + length
        }
        return out
    }

    /// Quality 95, 4:4:4: a smooth picture comes back within 5 levels everywhere (measured
    /// 4.0: quality 95's quantization steps are 2–4 levels of DCT coefficient, and the
    /// colour conversion to YCbCr and back rounds twice), and quality reaches the encoder
    /// (quality 50 is smaller and subsampled).
    func testJPEGOutputReadsBackCloseAtQuality95WithoutChromaSubsampling() throws {
        let encoded = try ImageFile.encode(picture, as: OutputFormat(format: .jpeg))
        XCTAssertFalse(encoded.flattenedAlpha)
        XCTAssertEqual(ImageFormat.detect(encoded.bytes), .jpeg)
        let back = try ImageFile.decode(encoded.bytes, path: "t.jpg").image
        let worst = maxDifference(back.pixels, picture.pixels.map { $0.rounded() })
        XCTAssertLessThanOrEqual(worst, 5)
        print("JPEG q95 round trip: max difference \(worst)")
        let sof = try XCTUnwrap(segments(encoded.bytes).first { $0.marker == 0xC0 }).payload
        XCTAssertEqual(sof[5], 3)  // components, each 1×1 sampling (0x11)
        XCTAssertEqual([sof[7], sof[10], sof[13]], [0x11, 0x11, 0x11])
        let smaller = try ImageFile.encode(picture, as: OutputFormat(format: .jpeg, quality: 50))
        XCTAssertLessThan(smaller.bytes.count, encoded.bytes.count)
        let sof50 = try XCTUnwrap(segments(smaller.bytes).first { $0.marker == 0xC0 }).payload
        XCTAssertEqual(sof50[7], 0x22)  // 4:2:0 below quality 90
    }

    /// The embedded profile is LittleCMS's sRGB (an RGB display profile with XYZ PCS), and
    /// reading it back is the identity: the file decoded with it and with the APP2 marker
    /// removed agree within 0.1 level (measured 0.043: the saved profile's colorants are
    /// s15.16 fixed point, the built-in sRGB the reader converts to is not rounded).
    func testJPEGOutputCarriesAnSRGBProfileThatReadsBackAsIs() throws {
        let bytes = try ImageFile.encode(picture, as: OutputFormat(format: .jpeg)).bytes
        let app2 = segments(bytes).filter { $0.marker == 0xE2 }
        XCTAssertEqual(app2.count, 1)
        let marker = try XCTUnwrap(app2.first).payload
        XCTAssertEqual(Array(marker.prefix(14)), Array("ICC_PROFILE".utf8) + [0, 1, 1])
        let profile = Array(marker.dropFirst(14))
        XCTAssertEqual(profile, PhotoEncoder.sRGBProfile)
        XCTAssertEqual(String(decoding: profile[12..<24], as: UTF8.self), "mntrRGB XYZ ")
        XCTAssertEqual(Array(profile[24..<36]), [UInt8](repeating: 0, count: 12))  // no date: reproducible
        var stripped = bytes
        let at = try XCTUnwrap((2..<bytes.count - 1).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xE2 })
        stripped.removeSubrange(at..<(at + 2 + 14 + profile.count + 2))
        XCTAssertTrue(segments(stripped).allSatisfy { $0.marker != 0xE2 })
        let withProfile = try ImageFile.decode(bytes, path: "a.jpg").image
        let without = try ImageFile.decode(stripped, path: "b.jpg").image
        XCTAssertLessThanOrEqual(maxDifference(withProfile.pixels, without.pixels), 0.1)
    }

    /// JPEG has no alpha: blue at alpha 0, 128 and 255 becomes white, the mix and blue
    /// (`c·a + 255·(1 − a)`), within 3 levels (quality 95, flat 16×16 areas), and the caller
    /// is told. Opaque alpha is no transparency: no warning.
    func testJPEGOutputCompositesTransparencyOverWhiteAndSaysSo() throws {
        let image = RGBImage(width: 48, height: 16, fill: (r: 0, g: 0, b: 255))
        let alpha = AlphaPlane(width: 48, height: 16, values: (0..<(48 * 16)).map { Float([0, 128, 255][($0 % 48) / 16]) })
        let path = dir + "/out.jpg"
        let written = try ImageFile.write(image, alpha: alpha, to: path)
        XCTAssertTrue(written.flattenedAlpha)
        XCTAssertEqual(written.transparencyWarning(path: path),
                       "'\(path)' is a JPEG file, which has no transparency: the transparent parts were composited over white (write a .png or .webp to keep them)")
        let back = try ImageFile.read(path: path)
        XCTAssertNil(back.alpha)
        let mix = Float(255 * (1 - 128.0 / 255))
        for (i, want) in [[255, 255, 255], [mix, mix, 255], [0, 0, 255]].enumerated() {
            XCTAssertLessThanOrEqual(maxDifference(back.image.mean(x: 16 * i + 4, y: 4, w: 8, h: 8), want), 3, "area \(i)")
        }
        let opaque = AlphaPlane(width: 48, height: 16, values: [Float](repeating: 255, count: 48 * 16))
        XCTAssertNil(try ImageFile.write(image, alpha: opaque, to: path).transparencyWarning(path: path))
    }

    /// WebP keeps transparency: the alpha plane is stored losslessly, so it reads back as
    /// the rounded input exactly; colours where alpha > 0 within 8 levels of the input
    /// composited as the reader does (measured 6.1: lossy WebP is always 4:2:0, and this
    /// picture's red changes by 4 levels a pixel). ICCP: the sRGB profile.
    func testWebPOutputKeepsAlphaAndCarriesAnSRGBProfile() throws {
        let alpha = AlphaPlane(width: 64, height: 48, values: (0..<(64 * 48)).map { Float(($0 % 64) * 4) + 0.3 })
        let path = dir + "/out.webp"
        let written = try ImageFile.write(picture, alpha: alpha, to: path)
        XCTAssertFalse(written.flattenedAlpha)
        XCTAssertNil(written.transparencyWarning(path: path))
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(String(decoding: bytes[12..<16], as: UTF8.self), "VP8X")
        let iccp = try XCTUnwrap((12..<bytes.count - 4).first { String(decoding: bytes[$0..<($0 + 4)], as: UTF8.self) == "ICCP" })
        let size = Int(bytes[iccp + 4]) | Int(bytes[iccp + 5]) << 8 | Int(bytes[iccp + 6]) << 16
        XCTAssertEqual(Array(bytes[(iccp + 8)..<(iccp + 8 + size)]), PhotoEncoder.sRGBProfile)
        let back = try ImageFile.read(path: path)
        let backAlpha = try XCTUnwrap(back.alpha)
        XCTAssertEqual(backAlpha.values, alpha.values.map { $0.rounded() })
        var worst: Float = 0
        for p in 0..<(64 * 48) where alpha.values[p] >= 1 {
            let a = backAlpha.values[p] / 255
            for c in 0..<3 {
                worst = max(worst, abs(back.image.pixels[3 * p + c] - (picture.pixels[3 * p + c] * a + 255 * (1 - a))))
            }
        }
        XCTAssertLessThanOrEqual(worst, 8)
        print("WebP q95 round trip with alpha: max colour difference \(worst)")
    }

    func testSixteenBitPNGThroughTheSameWriter() throws {
        let path = dir + "/deep.png"
        let written = try ImageFile.write(picture, to: path, bitDepth: .sixteen)
        XCTAssertEqual(written.format.format, .png)
        XCTAssertEqual(written.bytes[24], 16)  // IHDR bit depth
        XCTAssertLessThanOrEqual(maxDifference(try ImageFile.read(path: path).image.pixels, picture.pixels), 255.0 / 65535)
    }

    /// An unknown extension is refused before anything is encoded or created; a written
    /// file leaves no temporary file behind.
    func testWritesAreAtomicAndAnUnknownExtensionCreatesNothing() throws {
        XCTAssertThrowsError(try ImageFile.write(picture, to: dir + "/out.tif")) { XCTAssertTrue($0 is OutputFormatError) }
        for name in ["a.png", "b.jpg", "c.jpeg", "d.webp"] { try ImageFile.write(picture, to: dir + "/" + name) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["a.png", "b.jpg", "c.jpeg", "d.webp"])
        XCTAssertEqual(ImageFormat.detect([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/c.jpeg")))), .jpeg)
        XCTAssertEqual(ImageFormat.detect([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/d.webp")))), .webp)
    }

    /// A run's plan checks its output's format before it reads any image: the missing content
    /// would otherwise be the error. The problem is the output option's.
    func testARunRefusesAnUnknownOutputExtensionBeforeReadingImages() {
        let c = StyleTransferConfiguration(contentPath: dir + "/missing.png", stylePaths: [dir + "/missing.png"], outputPath: dir + "/out.gif")
        XCTAssertThrowsError(try StyleTransfer.run(configuration: c, weights: syntheticWeights())) {
            guard case .option(let e)? = $0 as? PlanError else { return XCTFail("\($0)") }
            XCTAssertEqual(e.key, "output")
            XCTAssertEqual(e.problem.description, "\(OutputFormatError.unsupportedExtension(path: self.dir + "/out.gif"))")
        }
        XCTAssertEqual(StyleTransfer.intermediatePath("/a/photo.jpg", iteration: 50), "/a/photo_iter0050.jpg")
        XCTAssertEqual(StyleTransfer.intermediatePath("/a/photo.png", iteration: 7), "/a/photo_iter0007.png")
    }

    /// An interrupted run's image so far: beside the output, in its format, numbered when
    /// taken, and cut (with a hash) so that even an output name of 255 bytes has one that fits.
    func testTheImageSoFarIsNamedBesideTheOutput() {
        XCTAssertEqual(StyleTransfer.partialPath("out/photo.jpg"), "out/photo.partial.jpg")
        XCTAssertEqual(StyleTransfer.partialPath("photo.webp", number: 2), "photo.partial-2.webp")
        let long = dir + "/" + String(repeating: "é", count: 125) + "x.png"  // 255 bytes
        for n in [1, 2, 1000] {
            let name = URL(fileURLWithPath: StyleTransfer.partialPath(long, number: n)).lastPathComponent
            XCTAssertLessThanOrEqual(name.utf8.count, 255, name)
            XCTAssertTrue(name.hasSuffix(n == 1 ? ".partial.png" : ".partial-\(n).png"), name)
        }
    }

    func testFoldersAndGlobsPickUpJPEGAndWebP() throws {
        try FileManager.default.createDirectory(atPath: dir + "/in", withIntermediateDirectories: true)
        for name in ["a.png", "b.JPG", "c.jpeg", "d.webp", "e.txt", "f.gif", ".hidden.jpg"] {
            try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/in/" + name))
        }
        let expected = ["a.png", "b.JPG", "c.jpeg", "d.webp"].map { dir + "/in/" + $0 }
        XCTAssertEqual(try InputExpansion.expand([dir + "/in"], option: "--content"), expected)
        XCTAssertEqual(try InputExpansion.expand([dir + "/in/*"], option: "--content"), expected)
        XCTAssertThrowsError(try InputExpansion.expand([dir + "/in/*.gif"], option: "--style")) {
            XCTAssertEqual("\($0)", "--style '\(self.dir!)/in/*.gif': no images found (PNG, JPEG or WebP)")
        }
    }
}
