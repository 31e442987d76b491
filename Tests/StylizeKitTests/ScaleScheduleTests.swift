import XCTest
@testable import StylizeKit

final class ScaleScheduleTests: XCTestCase {
    func testDefaultsStepBySquareRootOfTwoFrom128To512() {
        let s = ScaleSchedule(width: 512, height: 512, minSize: 128, factor: 2.0.squareRoot(), iterations: 60, coarseIterations: 40)
        XCTAssertEqual(s.scales.map(\.width), [128, 181, 256, 362, 512])
        XCTAssertEqual(s.scales.map(\.iterations), [40, 40, 40, 40, 60])
        XCTAssertEqual(s.totalIterations, 220)
    }

    func testOtherSizesSpreadTheStepsEvenlyAndKeepTheAspectRatio() {
        // 400 / 128 = 3.125 needs 4 steps of at most √2: ratio 3.125^(1/4) ≈ 1.3296, so
        // 128, 170.2, 226.3, 300.9; heights are 3/4 of each, rounded.
        let s = ScaleSchedule(width: 400, height: 300, minSize: 128, factor: 2.0.squareRoot(), iterations: 10, coarseIterations: 5)
        XCTAssertEqual(s.scales.map(\.width), [128, 170, 226, 301, 400])
        XCTAssertEqual(s.scales.map(\.height), [96, 128, 169, 226, 300])
        let portrait = ScaleSchedule(width: 300, height: 512, minSize: 256, factor: 2, iterations: 1, coarseIterations: 1)
        XCTAssertEqual(portrait.scales.map(\.height), [256, 512])
        XCTAssertEqual(portrait.scales.map(\.width), [150, 300])
    }

    func testSingleScaleWhenMinSizeReachesSizeOrNoIterations() {
        for (minSize, iterations) in [(512, 100), (600, 100), (128, 0)] {
            let s = ScaleSchedule(width: 512, height: 384, minSize: minSize, factor: 2, iterations: iterations, coarseIterations: 50)
            XCTAssertEqual(s.scales, [ScaleSchedule.Scale(width: 512, height: 384, iterations: iterations)])
        }
    }

    func testScalesTooSmallForTheNetworkAreDropped() {
        // A 10:1 panorama: 1000 / 128 needs 3 steps of at most 2 (ratio 1.984: 128, 254, 504);
        // at 128 px its short side would be 13, below relu5_1's 16, so that scale goes.
        let s = ScaleSchedule(width: 1000, height: 100, minSize: 128, factor: 2, iterations: 1, coarseIterations: 1, minimumSide: 16)
        XCTAssertEqual(s.scales.map(\.width), [254, 504, 1000])
        XCTAssertEqual(s.scales.map(\.height), [25, 50, 100])
    }

    /// Issue 16, item 3: `--size 128` equals the default `--min-size`, so the run is one
    /// scale, which starts from noise; with no `--iterations` it now runs 150 iterations (it
    /// ran the 40 meant for refining an upsampled final scale, and came out speckled: loss
    /// 1.44e5 against 9.3e4 after 150 on the demo pair). Sizes with coarser scales keep
    /// their schedules, and given iterations are always kept.
    func testASingleScaleRunGetsAtLeast150IterationsByDefault() throws {
        for size in [128, 100, 64] {
            let s = ScaleSchedule(width: size, height: size * 3 / 4, settings: try RunSettings().setting("size", to: "\(size)"))
            XCTAssertEqual(s.scales.count, 1, "size \(size)")
            XCTAssertGreaterThanOrEqual(s.totalIterations, 150, "size \(size)")
        }
        let classic = try RunSettings().setting("min-size", to: "512")
        XCTAssertEqual(ScaleSchedule(width: 512, height: 512, settings: classic).scales.map(\.iterations), [150])
        // Every coarser scale dropped (a 10:1 panorama at 181 px): single scale, the same default.
        let thin = ScaleSchedule(width: 181, height: 18, minSize: 128, factor: 2.0.squareRoot(), iterations: nil,
                                 coarseIterations: 50, minimumSide: 16)
        XCTAssertEqual(thin.scales.map(\.iterations), [150])
        // With coarser scales (the defaults, issue 20: steps of 2 from 128 px): 30 each, then 86.
        let defaults = ScaleSchedule(width: 512, height: 512, settings: RunSettings())
        XCTAssertEqual(defaults.scales.map(\.width), [128, 256, 512])
        XCTAssertEqual(defaults.scales.map(\.iterations), [30, 30, 86])
        let s181 = ScaleSchedule(width: 181, height: 181, settings: try RunSettings().setting("size", to: "181"))
        XCTAssertEqual(s181.scales.map(\.iterations), [30, 86])
        // Given iterations are what runs, at one scale or several.
        for (key, text, expected) in [("iterations", "40", [40]), ("iterations", "2", [2]), ("iterations", "0", [0])] {
            let given = try RunSettings().setting("size", to: "128").setting(key, to: text)
            XCTAssertEqual(ScaleSchedule(width: 128, height: 96, settings: given).scales.map(\.iterations), expected, text)
        }
        XCTAssertEqual(ScaleSchedule(width: 256, height: 256, settings: try RunSettings().setting("size", to: "256")
            .setting("iterations", to: "7")).scales.map(\.iterations), [30, 7])
    }
}
