import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import StylizeKit
import XCTest

/// `stylize batch` and `stylize report`, run as a user would (helpers in CLITests.swift).
extension CLITests {
    var hasWeights: Bool { FileManager.default.fileExists(atPath: weights) }

    /// Records of `folder/runs.jsonl` as JSON objects; fails on any line that does not parse.
    func recordLines(_ folder: String) throws -> [[String: Any]] {
        let text = (try? String(contentsOfFile: dir.appendingPathComponent(folder + "/runs.jsonl").path, encoding: .utf8)) ?? ""
        XCTAssertTrue(text.isEmpty || text.hasSuffix("\n"), "records end with a complete line")
        return try text.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "bad line: \($0)")
        }
    }

    /// The records sorted by job number: jobs side by side (`--jobs`) append theirs as they
    /// finish. For folders with one record per job.
    func recordsInJobOrder(_ folder: String) throws -> [[String: Any]] {
        try recordLines(folder).sorted { ($0["job"] as? Int ?? 0) < ($1["job"] as? Int ?? 0) }
    }

    func testBatchUsageErrorsExit64BeforeAnyJob() throws {
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        let base = ["batch", "--content", "c.png", "--style", "s.png", "--out", "runs", "--weights", weights]
        assertOneLineError(try run(base + ["--sweep", "style-wieght=1,2"]), status: 64, containing: "style-wieght")
        assertOneLineError(try run(base + ["--sweep", "style-weight=1e-3,abc"]), status: 64, containing: "abc")
        assertOneLineError(try run(base + ["--sweep", "size=8"]), status: 64, containing: "--size")
        assertOneLineError(try run(base + ["--sweep", "seed"]), status: 64, containing: "NAME=V1")
        assertOneLineError(try run(base + ["--sweep", "seed=1,,2"]), status: 64, containing: "empty")
        assertOneLineError(try run(base + ["--shard", "3/2"]), status: 64, containing: "--shard")
        assertOneLineError(try run(["batch", "--content", "none/*.png", "--style", "s.png", "--out", "runs"]),
                           status: 64, containing: "none/*.png")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs").path))
    }

    /// 2 contents (a folder) × 1 style × 2 style weights: images, records, logs, report; then
    /// `report` rebuilds it and `--resume` runs nothing.
    func testBatchWritesImagesRecordsLogsAndReport() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("photos"), withIntermediateDirectories: true)
        _ = try writeImage("photos/cat.png", width: 40, height: 32)
        _ = try writeImage("photos/dog.png", width: 32, height: 40, seed: 3)
        _ = try writeImage("wave.png", seed: 1)
        let args = ["batch", "--content", "photos", "--style", "wave.png", "--out", "runs", "--sweep", "style-weight=1e-4,1e-2",
                    "--size", "32", "--iterations", "2", "--weights", weights, "--quiet"]
        let o = try run(args)
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertEqual(o.stdout, "runs/index.html\n")
        XCTAssertTrue(o.stderr.contains("batch: 4 jobs") && o.stderr.contains("GB peak"), o.stderr)
        let outputs = ["cat__wave__style-weight-1e-4.png", "cat__wave__style-weight-1e-2.png",
                       "dog__wave__style-weight-1e-4.png", "dog__wave__style-weight-1e-2.png"]
        let records = try recordsInJobOrder("runs")
        XCTAssertEqual(records.compactMap { $0["output"] as? String }, outputs)
        for (r, name) in zip(records, outputs) {
            XCTAssertEqual(r["status"] as? String, "done")
            XCTAssertEqual(r["style"] as? String, dir.appendingPathComponent("wave.png").standardizedFileURL.path)
            XCTAssertEqual(r["iterations"] as? Int, 2)
            for key in ["content", "evaluations", "seconds"] { XCTAssertNotNil(r[key], key) }
            let params = try XCTUnwrap(r["params"] as? [String: String])
            XCTAssertEqual(params["size"], "32"); XCTAssertEqual(params["tv-weight"], "1.0")  // defaults included
            XCTAssertEqual(params["style-weight"], name.contains("1e-4") ? "0.0001" : "0.01")
            let final = try XCTUnwrap(r["final"] as? [String: Double])
            XCTAssertEqual(Set(final.keys), ["content", "style", "tv", "total", "style_weight"])
            XCTAssertEqual(final["style_weight"], name.contains("1e-4") ? 1e-4 : 1e-2)  // an explicit β is used as given
            let image = try PNGCodec.read(path: dir.appendingPathComponent("runs/" + name).path)
            XCTAssertEqual(max(image.width, image.height), 32)
            let log = try String(contentsOfFile: dir.appendingPathComponent("runs/logs/" + name.dropLast(4) + ".jsonl").path, encoding: .utf8)
            XCTAssertEqual(log.split(separator: "\n").count, 3)
        }
        let html = try String(contentsOfFile: dir.appendingPathComponent("runs/index.html").path, encoding: .utf8)
        XCTAssertTrue(XMLParser(data: Data(html.utf8)).parse(), "index.html must be well-formed")
        for name in outputs { XCTAssertTrue(html.contains("src=\"\(name)\""), name) }
        XCTAssertTrue(html.contains("../photos/cat.png"), "content shown by relative path")
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 4, "one loss curve per job")
        XCTAssertNoThrow(try PNGCodec.read(path: dir.appendingPathComponent("runs/contact-sheet.png").path))

        try FileManager.default.removeItem(at: dir.appendingPathComponent("runs/index.html"))
        let report = try run(["report", "runs"])
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertEqual(try String(contentsOfFile: dir.appendingPathComponent("runs/index.html").path, encoding: .utf8), html)

        let again = try run(args + ["--resume"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("4 already done, nothing left to run"), again.stderr)
        XCTAssertEqual(try recordLines("runs").count, 4)
        // Other params: not the same job, so it runs again.
        let changed = try run(args + ["--resume", "--seed", "7"])
        XCTAssertTrue(changed.stderr.contains("0 already done, 4 to run"), changed.stderr)
    }

    func testCorruptInputIsRecordedAsFailedAndTheOthersFinish() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        let good = try writeImage("good.png"), style = try writeImage("s.png", seed: 1)
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]).write(to: dir.appendingPathComponent("bad.png"))
        let o = try run(["batch", "--content", "bad.png", good, "--style", style, "--out", "runs",
                         "--size", "32", "--iterations", "2", "--weights", weights, "--quiet"])
        XCTAssertEqual(o.status, 1, o.stderr)
        let last = o.stderr.split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertTrue(last.hasPrefix("stylize: error: 1 of 2 jobs failed"), o.stderr)
        let records = try recordsInJobOrder("runs")
        XCTAssertEqual(records.map { $0["status"] as? String }, ["failed", "done"])
        XCTAssertTrue((records[0]["error"] as? String ?? "").contains("bad.png"))
        XCTAssertNoThrow(try PNGCodec.read(path: dir.appendingPathComponent("runs/good__s.png").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/bad__s.png").path))
        let html = try String(contentsOfFile: dir.appendingPathComponent("runs/index.html").path, encoding: .utf8)
        XCTAssertTrue(html.contains("bad__s.png") && html.contains("class=\"failed\""))
    }

    /// A job whose loss overflows is recorded as failed with the reason; the batch goes on
    /// to the next job and exits 1 at the end.
    func testNonFiniteLossIsRecordedAsFailed() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        let c = try writeImage("c.png"), s = try writeImage("s.png", seed: 1)
        let o = try run(["batch", "--content", c, "--style", s, "--out", "runs", "--sweep", "seed=1,2", "--content-layers", "relu1_1",
                         "--style-layers", "relu1_2", "--size", "32", "--iterations", "2", "--weights", try overflowingWeights(), "--quiet"])
        XCTAssertEqual(o.status, 1, o.stderr)
        XCTAssertTrue(o.stderr.contains("2 of 2 jobs failed"), o.stderr)
        let records = try recordLines("runs")
        XCTAssertEqual(records.map { $0["status"] as? String }, ["failed", "failed"])
        XCTAssertTrue((records[0]["error"] as? String ?? "").contains("NaN or infinite"))
    }

    func testBatchHelpAndReportWithoutRecords() throws {
        let help = try run(["batch", "--help"])
        XCTAssertEqual(help.status, 0)
        for option in ["--content", "--style", "--out", "--sweep", "--resume", "--shard", "--style-weight", "--weights", "--threads"] {
            XCTAssertTrue(help.stdout.contains(option), "\(option) missing from: \(help.stdout)")
        }
        XCTAssertTrue(try run(["--help"]).stdout.contains("report"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("empty"), withIntermediateDirectories: true)
        assertOneLineError(try run(["report", "empty"]), status: 1, containing: "no job records")
        assertOneLineError(try run(["report", "missing"]), status: 1, containing: "not a folder")
    }
}
