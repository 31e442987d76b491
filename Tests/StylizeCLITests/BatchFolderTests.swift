import Foundation
import StylizeKit
import XCTest

/// Issue 15, items 6 and 11 (batch parts): one batch writes to a folder at a time; several
/// workers use a folder each and `stylize report` merges them; a batch's own outputs are
/// never its inputs; one file reached by two paths runs once.
extension CLITests {
    /// A second batch on a busy folder is refused with one line naming the first one's
    /// process, and writes nothing; once the first dies (SIGKILL), `--resume` works.
    func testASecondBatchOnTheSameFolderIsRefusedAndNamesTheFirst() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        let c = try writeImage("c.png", width: 48, height: 40), s = try writeImage("s.png", seed: 1)
        let first = try start(["batch", "--content", c, "--style", s, "--out", "runs", "--sweep", "seed=1,2",
                               "--size", "48", "--iterations", "5000", "--weights", weights, "--quiet"])
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL); first.waitUntilExit() } }
        let log = dir.appendingPathComponent("runs/logs/c__s__seed-1.jsonl").path
        XCTAssertTrue(waitFor(60) { (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").count ?? 0 >= 2 },
                      "the first batch never started its first job")
        let quick = ["batch", "--content", c, "--style", s, "--out", "runs", "--sweep", "seed=1,2",
                     "--size", "32", "--iterations", "1", "--weights", weights, "--quiet"]
        let second = try run(quick)
        assertOneLineError(second, status: 1, containing: "another stylize batch is writing to this folder (pid \(first.processIdentifier)")
        XCTAssertTrue(second.stderr.contains("stylize report"), second.stderr)
        XCTAssertEqual(try recordLines("runs").count, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/c__s__seed-2.png").path))

        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let resumed = try run(quick + ["--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try recordLines("runs").map { $0["status"] as? String }, ["done", "done"])
    }

    /// The documented way to run several workers: shards into a folder each (two of them at
    /// the same time), then `stylize report OUT FOLDER…` shows every job, each image by its
    /// path relative to the report.
    func testShardsInSeparateFoldersMergeWithReport() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        let a = try writeImage("a.png"), b = try writeImage("b.png", seed: 2), s = try writeImage("s.png", seed: 1)
        let args = ["batch", "--content", a, b, "--style", s, "--sweep", "seed=1,2,3",
                    "--size", "32", "--iterations", "1", "--weights", weights, "--quiet", "--threads", "1"]
        let concurrent = try [1, 2].map { try start(args + ["--out", "runs/shard-\($0)", "--shard", "\($0)/3"]) }
        for p in concurrent { p.waitUntilExit(); XCTAssertEqual(p.terminationStatus, 0, text("stderr.txt")) }
        let o = try run(args + ["--out", "runs/shard-3", "--shard", "3/3"])
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertTrue(o.stderr.contains("6 jobs (2 in shard 3/3)"), o.stderr)

        let report = try run(["report", "runs/all", "runs/shard-1", "runs/shard-2", "runs/shard-3"])
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertTrue(report.stderr.contains("6 jobs, 0 not done"), report.stderr)
        XCTAssertEqual(report.stdout, "runs/all/index.html\n")
        let html = try String(contentsOfFile: dir.appendingPathComponent("runs/all/index.html").path, encoding: .utf8)
        var shown = 0
        for k in 1...3 {
            for r in try recordLines("runs/shard-\(k)") {
                let src = "../shard-\(k)/\(try XCTUnwrap(r["output"] as? String))"
                XCTAssertTrue(html.contains("src=\"\(src)\""), src)
                XCTAssertNoThrow(try PNGCodec.read(path: dir.appendingPathComponent("runs/all/" + src).path))
                shown += 1
            }
        }
        XCTAssertEqual(shown, 6)
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 6, "one loss curve per job, from the shards' logs")
        XCTAssertNoThrow(try PNGCodec.read(path: dir.appendingPathComponent("runs/all/contact-sheet.png").path))
        assertOneLineError(try run(["report", "runs/all", "runs/none"]), status: 1, containing: "'runs/none' is not a folder")
    }
}
