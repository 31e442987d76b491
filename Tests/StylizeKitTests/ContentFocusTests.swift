import Foundation
import XCTest
@testable import StylizeKit

/// `--content-focus` (`ContentFocus`): the weights, what `auto` resolves to, the option, and
/// how `--resume` treats records written before it existed.
final class ContentFocusTests: XCTestCase {
    /// Two channels, three positions: energies 1+4, 0+0, 9+16, mean 10: weights 0.5, 0, 2.5.
    func testTheWeightsAreEachPositionsEnergyOverTheMean() {
        let w = ContentFocus.energyWeights(target: [1, 0, 3, 2, 0, 4], channels: 2)
        XCTAssertEqual(w, [0.5, 0, 2.5])
        XCTAssertEqual(ContentFocus.energyWeights(target: [0, 0, 0, 0], channels: 2), [1, 1], "no energy anywhere: uniform")
        let random = randomTensor(5, 7, 9, seed: 3)
        let r = ContentFocus.energyWeights(target: random.data, channels: random.channels)
        XCTAssertEqual(r.count, 63)
        XCTAssertEqual(r.reduce(0, +) / 63, 1, accuracy: 1e-5, "the weights average 1")
    }

    func testAutoIsEnergyWithAnAutomaticStyleWeightOnly() {
        XCTAssertEqual(ContentFocus.auto.resolved(automaticStyleWeight: true), .energy)
        XCTAssertEqual(ContentFocus.auto.resolved(automaticStyleWeight: false), .uniform)
        XCTAssertEqual(ContentFocus.uniform.resolved(automaticStyleWeight: true), .uniform)
        XCTAssertEqual(ContentFocus.energy.resolved(automaticStyleWeight: false), .energy)
        XCTAssertEqual(RunSettings().contentFocus, .auto, "the default")
    }

    func testTheOptionReadsItsWordsAndRefusesOthers() throws {
        for word in ["auto", "uniform", "energy"] {
            XCTAssertEqual(try RunSettings().setting("content-focus", to: word).contentFocus.rawValue, word)
        }
        XCTAssertThrowsError(try RunSettings().setting("content-focus", to: "edges")) { error in
            XCTAssertEqual("\(error)".contains("'edges' is not one of auto, uniform, energy"), true, "\(error)")
        }
        XCTAssertEqual(RunSettings().paramsByKey["content-focus"], "auto")
    }

    /// A record from before the option ran the uniform term: with an automatic β the default is
    /// now another run (`--resume` redoes it); with a fixed β, or asked for uniform, the same.
    func testAnOldRecordIsTheUniformRun() throws {
        var old = RunSettings().paramsByKey
        old["content-focus"] = nil
        old["iterations"] = nil
        let automatic = RunSettings.automaticIterations
        var current = RunSettings().paramsByKey
        current["iterations"] = nil
        XCTAssertFalse(RunSettings.sameRun(recorded: old, recordedAutomatic: automatic, current: current))
        var uniform = current
        uniform["content-focus"] = "uniform"
        XCTAssertTrue(RunSettings.sameRun(recorded: old, recordedAutomatic: automatic, current: uniform))
        var fixedOld = old, fixed = current
        fixedOld["style-weight"] = "0.001"; fixed["style-weight"] = "0.001"
        XCTAssertTrue(RunSettings.sameRun(recorded: fixedOld, recordedAutomatic: automatic, current: fixed))
        var fixedUniform = fixed, fixedEnergy = fixed
        fixedUniform["content-focus"] = "uniform"; fixedEnergy["content-focus"] = "energy"
        XCTAssertTrue(RunSettings.sameRun(recorded: fixedOld, recordedAutomatic: automatic, current: fixedUniform))
        XCTAssertFalse(RunSettings.sameRun(recorded: fixedOld, recordedAutomatic: automatic, current: fixedEnergy))
        XCTAssertTrue(RunSettings.sameRun(recorded: current, recordedAutomatic: automatic, current: current))
    }
}
