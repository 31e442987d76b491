import XCTest
@testable import StylizeKit

/// The run options are declared once (`RunOption`): these check that the declaration is
/// the whole truth (every value round-trips as text, defaults included), that its checks
/// speak of keys, and the sweeps and records read it.
final class RunOptionTests: XCTestCase {
    func testEveryDefaultRoundTripsThroughItsText() throws {
        let defaults = RunSettings()
        for option in RunOption.all {
            guard let text = option.defaultText else {
                XCTAssertTrue(["iterations", "style-layer-weights", "style-blend-weights", "style-masks", "max-memory"].contains(option.key), option.key)
                continue
            }
            XCTAssertEqual(try defaults.setting(option.key, to: text), defaults, option.key)
        }
        XCTAssertEqual(Set(RunOption.all.map(\.key)).count, RunOption.all.count, "keys are unique")
        XCTAssertEqual(defaults.params.map(\.key), RunOption.all.compactMap { $0.defaultText == nil ? nil : $0.key })
    }

    func testNonDefaultValuesRoundTripThroughParams() throws {
        var s = RunSettings()
        for (key, text) in [("size", "300"), ("style-weight", "0.002"), ("content-layers", "relu3_2,relu4_2"),
                            ("coarse-content-layers", "relu1_2,relu3_2"), ("style-layer-weights", "1,2,3,4,5"), ("init", "content"),
                            ("seed", "18446744073709551615"), ("preserve-colors", "histogram"), ("pooling", "avg"),
                            ("bit-depth", "16"), ("optimizer", "adam")] {
            s = try s.setting(key, to: text)
        }
        var back = RunSettings()
        for (key, text) in s.params { back = try back.setting(key, to: text) }
        XCTAssertEqual(back, s)
        XCTAssertEqual(s.paramsByKey["style-layer-weights"], "1.0,2.0,3.0,4.0,5.0")
        XCTAssertEqual(s.seed, UInt64.max)
    }

    /// Problems carry the key, never a flag; the command line adds the dashes.
    func testProblemsNameTheKeyAndTheRange() {
        func problem(_ key: String, _ text: String) -> String {
            do { _ = try RunSettings().setting(key, to: text); return "accepted" } catch { return "\(error)" }
        }
        XCTAssertEqual(problem("size", "8"), "size must be between 16 and 8192 (the longest side of the output, in pixels), got 8")
        XCTAssertEqual(problem("style-weight", "-1e-3"), "style-weight must be a finite number between 0 and 1e+15, got -0.001")
        XCTAssertEqual(problem("style-weight", "0x10"), "style-weight: '0x10' is not a number or auto")
        XCTAssertEqual(problem("tv-weight", "0x1p3"), "tv-weight: '0x1p3' is not a number")
        XCTAssertEqual(problem("iterations", "+0x5"), "iterations: '+0x5' is not a whole number")
        XCTAssertEqual(problem("seed", "-1"), "seed must be between 0 and 18446744073709551615, got -1")
        XCTAssertEqual(problem("max-megapixels", "inf"), "max-megapixels must be a finite number between 0.001 and 1000, got inf")
        XCTAssertEqual(problem("style-layers", "relu1_1,conv"), "style-layers: 'conv' is not a layer name (expected names like relu4_2 or pool3)")
        XCTAssertEqual(problem("style-layer-weights", "1,2"), "style-layer-weights has 2 values for 5 style layers")
        XCTAssertEqual(problem("pooling", "mean"), "pooling: 'mean' is not one of max, avg")
        XCTAssertEqual(problem("bit-depth", "12"), "bit-depth: '12' is not one of 8, 16")
        XCTAssertEqual(problem("colour", "red"), "colour is not a run option")
        XCTAssertEqual(problem("scale-factor", "1.5"), "accepted")
        XCTAssertEqual(problem("style-weight", "1e-4"), "accepted")
    }

    func testSweepsReadTheDeclaration() throws {
        let axis = try SweepAxis.parse("--content-layers=relu4_2,relu3_2+relu4_2", base: RunSettings())
        XCTAssertEqual(axis.values, ["relu4_2", "relu3_2+relu4_2"])
        let job = try RunSettings().applying([SweepSetting(name: "content-layers", value: "relu3_2+relu4_2")])
        XCTAssertEqual(job.contentLayers.names, ["relu3_2", "relu4_2"])
        XCTAssertThrowsError(try SweepAxis.parse("style-blend-weights=1,2", base: RunSettings())) {
            XCTAssertEqual($0 as? SweepError, .unknown("style-blend-weights"), "a job has one style")
        }
        XCTAssertThrowsError(try SweepAxis.parse("seed=1,1", base: RunSettings())) {
            XCTAssertEqual($0 as? SweepError, .repeatedValue(name: "seed", text: "seed=1,1"))
        }
        XCTAssertThrowsError(try SweepAxis.parse("style-weight=1e-3,-1", base: RunSettings())) { error in
            guard case .value(let settings, let e)? = error as? SweepError else { return XCTFail("\(error)") }
            XCTAssertEqual(settings, [SweepSetting(name: "style-weight", value: "-1")])
            XCTAssertEqual(e.key, "style-weight")
        }
        XCTAssertFalse(SweepAxis.sweepable.contains("style-blend-weights"))
        XCTAssertFalse(SweepAxis.sweepable.contains("max-memory"))
        XCTAssertEqual(SweepAxis.sweepable.count, RunOption.all.count - 2)
    }

    /// `--resume`: a record without a newer option's key counts as its default.
    func testARecordWithoutANewOptionIsTheSameRunAtItsDefault() throws {
        var recorded = RunSettings().paramsByKey
        recorded["bit-depth"] = nil
        let automatic = RunSettings.automaticIterations
        XCTAssertTrue(RunSettings.sameRun(recorded: recorded, recordedAutomatic: automatic, current: RunSettings().paramsByKey))
        XCTAssertFalse(RunSettings.sameRun(recorded: recorded, recordedAutomatic: automatic,
                                           current: try RunSettings().setting("bit-depth", to: "16").paramsByKey))
    }

    /// `--resume` and a job run without `--iterations`: the same run only when the record says
    /// the automatic count was this build's (`86/150`); a record of a build whose default was
    /// 80, or one that does not say, is another run. With `--iterations` given on both sides
    /// the automatic count does not matter.
    func testAnAutomaticIterationCountOfAnotherBuildIsAnotherRun() throws {
        XCTAssertEqual(RunSettings.automaticIterations, "86/150")
        let current = RunSettings().paramsByKey
        XCTAssertNil(current["iterations"])
        XCTAssertTrue(RunSettings.sameRun(recorded: current, recordedAutomatic: "86/150", current: current))
        XCTAssertFalse(RunSettings.sameRun(recorded: current, recordedAutomatic: "80/150", current: current))
        XCTAssertFalse(RunSettings.sameRun(recorded: current, recordedAutomatic: nil, current: current))
        let given = try RunSettings().setting("iterations", to: "86").paramsByKey
        XCTAssertTrue(RunSettings.sameRun(recorded: given, recordedAutomatic: nil, current: given))
        XCTAssertTrue(RunSettings.sameRun(recorded: given, recordedAutomatic: "80/150", current: given))
        XCTAssertFalse(RunSettings.sameRun(recorded: current, recordedAutomatic: "86/150", current: given))
    }

    /// `--resume` after `--iterations` got an automatic default: a record of a default
    /// coarse-to-fine run that says 86, what the default gives there, is the same run; a
    /// default single-scale run gets 150, so a record of 86 is another run. A record of the
    /// default before issue 20 (√2 steps, 50 coarse iterations, 40 final) is another run, and
    /// so are ones of later defaults given explicitly (40 coarse and 70 final; 80 final).
    func testARecordOfTheOldFixedIterationsIsTheSameCoarseToFineRun() throws {
        XCTAssertEqual(ScaleSchedule.defaultIterations, 86)
        var old = RunSettings().paramsByKey
        old["iterations"] = "86"
        XCTAssertNil(RunSettings().paramsByKey["iterations"])
        XCTAssertTrue(RunSettings.sameRun(recorded: old, current: RunSettings().paramsByKey))
        var before20 = old
        before20["iterations"] = "40"; before20["scale-factor"] = "1.4142135623730951"; before20["coarse-iterations"] = "50"
        XCTAssertFalse(RunSettings.sameRun(recorded: before20, current: RunSettings().paramsByKey))
        var before80 = old
        before80["iterations"] = "70"; before80["coarse-iterations"] = "40"
        XCTAssertFalse(RunSettings.sameRun(recorded: before80, current: RunSettings().paramsByKey))
        var before86 = old
        before86["iterations"] = "80"
        XCTAssertFalse(RunSettings.sameRun(recorded: before86, current: RunSettings().paramsByKey))
        let single = try RunSettings().setting("min-size", to: "512")
        var oldSingle = single.paramsByKey
        oldSingle["iterations"] = "86"
        XCTAssertFalse(RunSettings.sameRun(recorded: oldSingle, current: single.paramsByKey))
        old["iterations"] = "71"
        XCTAssertFalse(RunSettings.sameRun(recorded: old, current: RunSettings().paramsByKey))
        XCTAssertTrue(RunSettings.sameRun(recorded: old, current: try RunSettings().setting("iterations", to: "71").paramsByKey))
    }
}
