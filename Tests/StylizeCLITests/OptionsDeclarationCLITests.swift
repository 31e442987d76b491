import Foundation
import StylizeKit
import XCTest

/// The run options are declared once, in the library (`RunOption`); the command line's
/// options, help, man page and completions derive from ArgumentParser's description of the
/// commands, which takes each run option's name, help and default from that declaration.
extension CLITests {
    /// Long option names of a command, from ArgumentParser's own JSON description of it
    /// (what `generate-manual` and the completions read).
    func longOptions(_ command: String) throws -> [String: [String: Any]] {
        let dump = try run([command, "--experimental-dump-help"])
        XCTAssertEqual(dump.status, 0, dump.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        let arguments = try XCTUnwrap((json["command"] as? [String: Any])?["arguments"] as? [[String: Any]])
        var result: [String: [String: Any]] = [:]
        for a in arguments {
            for n in a["names"] as? [[String: Any]] ?? [] where n["kind"] as? String == "long" {
                result[n["name"] as? String ?? ""] = a
            }
        }
        return result
    }

    func testTransferAndBatchOfferExactlyTheDeclaredRunOptions() throws {
        let declared = Set(RunOption.all.map(\.key))
        let transferOwn: Set = ["output", "save-every", "log", "dump-every", "dump-layers", "dump-dir", "weights", "threads", "quiet", "help", "version"]
        let batchOwn: Set = ["content", "style", "out", "sweep", "resume", "shard", "weights", "threads", "quiet", "help", "version"]
        let transfer = try longOptions("transfer"), batch = try longOptions("batch")
        XCTAssertEqual(Set(transfer.keys).subtracting(transferOwn), declared)
        XCTAssertEqual(Set(batch.keys).subtracting(batchOwn), declared)
        for option in RunOption.all {
            let help = transfer[option.key]?["abstract"] as? String ?? ""
            XCTAssertTrue(help.hasPrefix(option.help), "\(option.key): \(help)")
            if let d = option.defaultText { XCTAssertTrue(help.hasSuffix("(default: \(d))"), "\(option.key): \(help)") }
            XCTAssertEqual(transfer[option.key]?["valueName"] as? String, option.valueName, option.key)
        }
    }

    /// The command line, a sweep and a batch record set an option through the same code:
    /// the same text gives the same value, and the same bad text the same words.
    func testTheCommandLineAndASweepReadAnOptionAlike() throws {
        _ = try writeImage("a.png"); _ = try writeImage("b.png", seed: 1)
        let cli = try run(["a.png", "b.png", "--style-weight", "0x10"])
        let sweep = try run(["batch", "--content", "a.png", "--style", "b.png", "--out", "o", "--sweep", "style-weight=0x10"])
        assertOneLineError(cli, status: 64, containing: "--style-weight: '0x10' is not a number or auto")
        assertOneLineError(sweep, status: 64, containing: "--sweep style-weight=0x10: --style-weight: '0x10' is not a number or auto")
        assertOneLineError(try run(["a.png", "b.png", "--seed", "-1"]), status: 64,
                           containing: "--seed must be between 0 and 18446744073709551615, got -1")
    }
}
