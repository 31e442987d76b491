import Foundation
import XCTest
@testable import StylizeKit

/// Replays every input fuzzing ever found a problem with (`Tests/FuzzRegressions/`, see
/// its SOURCES.md and Fuzz/README.md) through the same calls as the harnesses: each must
/// end in one error line or a valid result, within a second.
final class FuzzRegressionTests: XCTestCase {
    func inputs(_ kind: String) throws -> [String] {
        let folder = packagePath("Tests/FuzzRegressions/" + kind)
        return try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0 != "SOURCES.md" && !$0.hasPrefix(".") }.sorted()
            .map { folder + "/" + $0 }
    }

    func assertOneLine(_ error: Error, _ path: String) {
        let text = "\(error)"
        XCTAssertTrue(error is ImageError || error is WeightsError, "\(path): \(type(of: error))")
        XCTAssertFalse(text.isEmpty || text.contains("\n"), "\(path): \(text)")
    }

    func testEveryPNGRegressionInputEndsCleanly() throws {
        let files = try inputs("png")
        XCTAssertGreaterThanOrEqual(files.count, 1)
        for path in files {
            let start = Date()
            do {
                let image = try PNGCodec.read(path: path, workingSize: WorkingSize(longestSide: 64, minimumSide: 16))
                let small = image.resized(longestSide: 64)
                XCTAssertEqual(max(small.width, small.height), 64, path)
            } catch { assertOneLine(error, path) }
            XCTAssertLessThan(Date().timeIntervalSince(start), 1, path)
        }
    }

    /// JPEG and WebP (`Tests/FuzzRegressions/jpeg/`, `…/webp/`): the reader a run uses, at a
    /// working size, as the harnesses do (Fuzz/PhotoFuzzCommon.swift).
    func testEveryJPEGAndWebPRegressionInputEndsCleanly() throws {
        for path in try inputs("jpeg") + inputs("webp") {
            let start = Date()
            do {
                let image = try ImageFile.read(path: path, workingSize: WorkingSize(longestSide: 64, minimumSide: 16)).image
                XCTAssertEqual(max(image.resized(longestSide: 64).width, image.resized(longestSide: 64).height), 64, path)
            } catch { assertOneLine(error, path) }
            XCTAssertLessThan(Date().timeIntervalSince(start), 1, path)
        }
    }

    /// EXIF blocks (`Tests/FuzzRegressions/exif/`): the orientation reader never fails, so
    /// each must give an orientation that turns a 3×2 image into a permutation of it.
    func testEveryExifRegressionInputEndsCleanly() throws {
        for path in try inputs("exif") {
            let orientation = ExifOrientation(exif: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
            let image = RGBImage(width: 3, height: 2, pixels: (0..<18).map(Float.init))
            XCTAssertEqual(orientation.apply(to: image).pixels.sorted(), image.pixels, path)
        }
    }

    func testEverySafetensorsRegressionInputEndsCleanly() throws {
        for path in try inputs("safetensors") {
            let start = Date()
            do {
                let weights = try VGGWeights.load(from: path)
                XCTAssertFalse(weights.layers.isEmpty, path)
            } catch { assertOneLine(error, path) }
            XCTAssertLessThan(Date().timeIntervalSince(start), 1, path)
        }
    }
}
