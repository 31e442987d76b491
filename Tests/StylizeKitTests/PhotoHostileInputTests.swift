import Foundation
import XCTest
@testable import StylizeKit

/// Crafted hostile JPEG and WebP files (Resources/photos/hostile, made by
/// tools/make_hostile_photos.py; see SOURCES.md): each must end in one error line within a
/// second and 200 MB of peak memory growth, through the reader and through a run's read.
final class PhotoHostileInputTests: XCTestCase {
    func hostile(_ name: String) throws -> String { try PhotoFixtures.path("hostile/\(name)") }

    /// A run's image read: content at 512 px, default layers.
    func loadAsContent(_ path: String) throws {
        var c = StyleTransferConfiguration(contentPath: path, stylePaths: [path], outputPath: "/nonexistent/out.png")
        c.size = 512
        _ = try TransferImages.load(c, minimumSide: 16)
    }

    func assertRefusedBoth(_ name: String, containing text: String) throws {
        let path = try hostile(name)
        assertRefused(name, containing: "cannot read '\(path)': \(text)") { _ = try ImageFile.read(path: path) }
        assertRefused("\(name) as content", containing: "cannot read '\(path)': \(text)") { try self.loadAsContent(path) }
    }

    /// 65000×65000 (4,225 megapixels) in 661 bytes: refused from the header.
    func testAJPEGClaiming65000SquaredIsRefusedFromItsHeader() throws {
        try assertRefusedBoth("jpeg-65000x65000.jpg",
                              containing: "image is 65000x65000 (4225 megapixels), above the limit of 50 megapixels")
        XCTAssertThrowsError(try ImageFile.dimensions(path: hostile("jpeg-65000x65000.jpg")))
    }

    /// 7000×7000 (49 megapixels, within the limit) over 1 KB of data, baseline and
    /// progressive: libjpeg's "premature end" warning is an error, so the decode stops where
    /// the data does. The 392 MB image buffer (baseline) and libjpeg's coefficient buffer
    /// (progressive, 147 MB) are allocated but their pages are only touched where rows were
    /// decoded.
    func testAJPEGBombWithinThePixelLimitStopsWhereItsDataDoes() throws {
        try assertRefusedBoth("jpeg-7000x7000.jpg", containing: "file is truncated (libjpeg:")
        try assertRefusedBoth("jpeg-7000x7000-progressive.jpg", containing: "file is truncated (libjpeg:")
    }

    func testATruncatedJPEGIsRefused() throws {
        try assertRefusedBoth("jpeg-truncated.jpg", containing: "file is truncated (libjpeg:")
    }

    /// 568 scans (valid, but each scan walks the whole coefficient buffer): over the limit
    /// of 500. The 190-scan file under it decodes (JPEGDecodeTests).
    func testAProgressiveJPEGWithTooManyScansIsRefused() throws {
        let path = try PhotoFixtures.path("scans-568.jpg")
        assertRefused("568 scans", containing: "cannot read '\(path)': progressive JPEG with more than 500 scans") {
            _ = try ImageFile.read(path: path)
        }
    }

    func testWebPClaiming16383SquaredIsRefusedFromItsHeader() throws {
        try assertRefusedBoth("webp-16383x16383.webp",
                              containing: "image is 16383x16383 (268 megapixels), above the limit of 50 megapixels")
    }

    /// A lossless header claiming 16383×3000 (49 megapixels) over 160 bytes of a 48×32
    /// image's data.
    func testALosslessWebPBombIsRefused() throws {
        try assertRefusedBoth("webp-lossless-16383x3000.webp", containing: "invalid WebP data (libwebp: bitstream error)")
    }

    /// Chunk and container sizes that do not fit the file.
    func testWebPWithBadChunkSizesIsRefused() throws {
        let container = "invalid or truncated WebP container (a chunk's size does not fit the file)"
        for (name, text) in [("webp-riff-size-huge.webp", container), ("webp-truncated.webp", container),
                             ("webp-chunk-size-huge.webp", "invalid WebP data (libwebp: bitstream error)"),
                             ("webp-iccp-size-huge.webp", "invalid WebP data (libwebp: bitstream error)")] {
            try assertRefusedBoth(name, containing: text)
        }
    }
}
