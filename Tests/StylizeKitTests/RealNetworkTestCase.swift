import Foundation
import XCTest
@testable import StylizeKit

/// Base of tests that run the real VGG16 on the repository's samples: skips without the
/// weights, loads them once per process, and gives each test a temporary folder `dir`.
class RealNetworkTestCase: XCTestCase {
    nonisolated(unsafe) private static var cached: VGGWeights?
    var weights: VGGWeights { RealNetworkTestCase.cached! }
    var dir = ""

    override func setUpWithError() throws {
        let path = packagePath("weights/vgg16.safetensors")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: path), "needs weights/vgg16.safetensors (make weights)")
        if RealNetworkTestCase.cached == nil { RealNetworkTestCase.cached = try VGGWeights.load(from: path) }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("stylize-\(type(of: self))-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }
}
