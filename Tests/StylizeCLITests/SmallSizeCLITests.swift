import Foundation
import StylizeKit
import XCTest

/// Issue 16, item 3: a small output size is a single-scale run, and without `--iterations`
/// it gets the single-scale default, not the 40 iterations meant for refining a final scale.
extension CLITests {
    /// The demo pair at `--size 128` (equal to the default `--min-size`): the plan says one
    /// scale of 150 iterations, the log has 150, and the final loss is below 1.1e5. Measured
    /// on a 2-core host: 9.31e4 after 150 iterations, 1.44e5 after the 40 it ran before (the
    /// speckled image of the issue); the bound sits between them with room for thread counts
    /// and BLAS builds that round differently.
    func testSize128RunsTheSingleScaleDefaultAndReachesALowerLoss() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        let samples = URL(fileURLWithPath: weights).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("samples")
        let o = try run([samples.appendingPathComponent("content/astronaut.png").path,
                         samples.appendingPathComponent("style/sunflowers.png").path,
                         "--size", "128", "--threads", "2", "--weights", weights, "--log", "run.jsonl", "-o", "out.png"])
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertTrue(o.stderr.contains("plan: 1 scale of 128x128; iterations \(ScaleSchedule.defaultSingleScaleIterations);"), o.stderr)
        XCTAssertGreaterThanOrEqual(ScaleSchedule.defaultSingleScaleIterations, 150)
        let lines = try String(contentsOf: dir.appendingPathComponent("run.jsonl"), encoding: .utf8).split(separator: "\n")
        let last = try XCTUnwrap(JSONSerialization.jsonObject(with: Data((lines.last ?? "").utf8)) as? [String: Any])
        XCTAssertEqual(last["iteration"] as? Int, 150)
        let total = try XCTUnwrap(last["total"] as? Double)
        XCTAssertLessThan(total, 1.1e5, "final loss at 128 px")
    }
}
