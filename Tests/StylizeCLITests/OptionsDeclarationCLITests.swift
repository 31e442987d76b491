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
        let batchOwn: Set = ["content", "style", "out", "sweep", "resume", "shard", "weights", "threads", "quiet", "help", "version", "format", "jobs"]
        let transfer = try longOptions("transfer"), batch = try longOptions("batch")
        func shown(_ options: [String: [String: Any]]) -> Set<String> {
            Set(options.filter { $0.value["shouldDisplay"] as? Bool == true }.keys)
        }
        XCTAssertEqual(Set(transfer.keys).subtracting(transferOwn), declared)
        XCTAssertEqual(shown(transfer).subtracting(transferOwn), declared)
        // Batch parses every run option (to refuse one it does not take in one line) but
        // shows only those it takes (issue 16: its help listed --style-blend-weights).
        XCTAssertEqual(Set(batch.keys).subtracting(batchOwn), declared)
        let inBatch = Set(RunOption.all.filter { $0.applies(to: .batch) }.map(\.key))
        XCTAssertEqual(shown(batch).subtracting(batchOwn), inBatch)
        XCTAssertEqual(declared.subtracting(inBatch), ["style-blend-weights"])
        for option in RunOption.all {
            let help = transfer[option.key]?["abstract"] as? String ?? ""
            XCTAssertTrue(help.hasPrefix(option.help), "\(option.key): \(help)")
            if let d = option.defaultText { XCTAssertTrue(help.hasSuffix("(default: \(d))"), "\(option.key): \(help)") }
            XCTAssertEqual(transfer[option.key]?["valueName"] as? String, option.valueName, option.key)
        }
    }

    /// `stylize help batch` (and `batch --help`) lists no option batch refuses; given anyway,
    /// such an option is refused in one line, before any work. The transfer help lists it.
    /// `--style-scale`'s help gives its range.
    func testBatchHelpListsOnlyTheOptionsBatchTakes() throws {
        for args in [["help", "batch"], ["batch", "--help"]] {
            let help = try run(args)
            XCTAssertEqual(help.status, 0, help.stderr)
            XCTAssertTrue(help.stdout.contains("--style-masks"), help.stdout)
            XCTAssertFalse(help.stdout.contains("--style-blend-weights"), help.stdout)
        }
        let transfer = try run(["help", "transfer"]).stdout
        XCTAssertTrue(transfer.contains("--style-blend-weights"), transfer)
        XCTAssertTrue(transfer.contains("0.1 to 4"), "--style-scale's range: \(transfer)")
        _ = try writeImage("a.png"); _ = try writeImage("b.png", seed: 1)
        assertOneLineError(try run(["batch", "--content", "a.png", "--style", "b.png", "--out", "o", "--style-blend-weights", "1"]),
                           status: 64, containing: "--style-blend-weights does not apply to batch jobs (one content and one style image each)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("o").path), "refused before any work")
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

extension CLITests {
    /// `-o` chooses a single run's format by its extension; `batch --format` the jobs', with
    /// `--quality` a run option like any other (recorded in params). An unknown extension is a
    /// usage error before any work.
    func testOutputFormatsOfARunAndABatch() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        assertOneLineError(try run(["c.png", "s.png", "-o", "out.tif", "--weights", weights]), status: 64,
                           containing: "--output: cannot write 'out.tif': the extension must be .png, .jpg, .jpeg or .webp")
        assertOneLineError(try run(["c.png", "s.png", "-o", "out.jpg", "--bit-depth", "16", "--weights", weights]), status: 64,
                           containing: "--bit-depth: cannot write 'out.jpg' with 16 bits per sample")
        let batch = try run(["batch", "--content", "c.png", "--style", "s.png", "--out", "runs", "--format", "jpg", "--quality", "80",
                             "--size", "32", "--min-size", "32", "--iterations", "1", "--weights", weights, "--quiet"])
        XCTAssertEqual(batch.status, 0, batch.stderr)
        let jpeg = try Data(contentsOf: dir.appendingPathComponent("runs/c__s.jpg"))
        XCTAssertEqual(Array(jpeg.prefix(3)), [0xFF, 0xD8, 0xFF], "a JPEG by its signature")
        let records = try String(contentsOf: dir.appendingPathComponent("runs/runs.jsonl"), encoding: .utf8)
        XCTAssertTrue(records.contains("\"quality\":\"80\""), records)
    }
}

extension CLITests {
    /// Issue 15, case 1: the weights file is an input like the images, however it was found
    /// (`--weights` or `$STYLIZE_WEIGHTS`): no output, log or batch file may replace it, and
    /// the refusal comes before anything is read (the file here is not even valid weights).
    func testTheWeightsFileIsAnInputNoOutputReplaces() throws {
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        let fake = dir.appendingPathComponent("w.safetensors")
        try Data("not weights, and must stay so".utf8).write(to: fake)
        for (args, env) in [(["c.png", "s.png", "-o", "w.safetensors", "--weights", "w.safetensors"], [String: String]()),
                            (["c.png", "s.png", "--log", "./w.safetensors", "--weights", "w.safetensors"], [:]),
                            (["c.png", "s.png", "-o", "w.safetensors"], ["STYLIZE_WEIGHTS": fake.path])] {
            assertOneLineError(try run(args, environment: env), status: 64, containing: "is the weights file")
        }
        XCTAssertEqual(try String(contentsOf: fake, encoding: .utf8), "not weights, and must stay so")
    }
}
