import XCTest
@testable import StylizeKit

/// The smoothing preconditioner on a real run: the astronaut with the sunflowers at 192 px,
/// one scale from noise, the fixed objective (β = 1e-3), 40 iterations, 2 threads. With
/// `--preconditioner smooth` the loss ends clearly below classic L-BFGS's
/// (`--preconditioner none`); `make eval` and docs/EXPERIMENTS.md measure it at 256 and 512 px.
final class PreconditionedRunTests: RealNetworkTestCase {
    func finalLoss(_ preconditioner: Preconditioning) throws -> Double {
        var c = StyleTransferConfiguration(contentPath: packagePath("samples/content/astronaut.png"),
                                           stylePaths: [packagePath("samples/style/sunflowers.png")],
                                           outputPath: dir + "/out-\(preconditioner).png")
        c.size = 192; c.minSize = 192; c.iterations = 40; c.threads = 2
        c.styleWeight = .fixed(1e-3)
        c.preconditioner = preconditioner
        return try StyleTransfer.run(configuration: c, weights: weights).final.total
    }

    func testSmoothPreconditionerEndsLowerThanClassicLBFGS() throws {
        let classic = try finalLoss(.none), smooth = try finalLoss(.smooth)
        print(String(format: "192 px, 40 iterations: classic %.4e, preconditioned %.4e (%.3f)", classic, smooth, smooth / classic))
        XCTAssertLessThan(smooth, 0.85 * classic)  // 0.674 measured
    }
}
