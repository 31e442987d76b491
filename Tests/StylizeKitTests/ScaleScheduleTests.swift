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
}
