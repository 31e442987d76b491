import Foundation
import StylizeKit
import XCTest

/// Crash safety: a batch killed with SIGKILL mid-run, then resumed; Ctrl-C (SIGINT).
extension CLITests {
    /// Polls `condition` every 20 ms for up to `seconds`.
    func waitFor(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    func testResumeAfterSIGKILLRedoesNothingAndRecordsNothingTwice() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        let c = try writeImage("c.png", width: 48, height: 40), s = try writeImage("s.png", seed: 1)
        let args = ["batch", "--content", c, "--style", s, "--out", "runs", "--sweep", "seed=1,2,3,4,5,6",
                    "--size", "48", "--iterations", "5", "--weights", weights, "--quiet"]
        let records = dir.appendingPathComponent("runs/runs.jsonl").path
        let p = try start(args)
        let started = waitFor(60) { (try? String(contentsOfFile: records, encoding: .utf8))?.split(separator: "\n").count ?? 0 >= 2 }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertTrue(started, "the batch never finished two jobs")
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)

        // Whatever the moment of the kill: complete record lines and decodable PNGs only.
        let before = try recordLines("runs")
        XCTAssertGreaterThanOrEqual(before.count, 2)
        XCTAssertLessThan(before.count, 6, "killed before the end")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("runs").path)
        for f in files where f.hasSuffix(".png") {
            XCTAssertNoThrow(try PNGCodec.read(path: dir.appendingPathComponent("runs/" + f).path), f)
        }

        let o = try run(args + ["--resume"])
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertTrue(o.stderr.contains("\(before.count) already done, \(6 - before.count) to run"), o.stderr)
        let after = try recordLines("runs")
        let done = after.filter { $0["status"] as? String == "done" }.compactMap { $0["output"] as? String }
        XCTAssertEqual(done.count, 6, "each job recorded done exactly once")
        XCTAssertEqual(Set(done).count, 6)
        XCTAssertEqual(after.count, 6)
    }

    /// A job run without `--iterations` by a build whose automatic count was another (its
    /// record says so, or does not say) is run again by `--resume`; one of this build is kept.
    func testResumeRerunsAJobOfAnotherBuildsAutomaticIterations() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        let c = try writeImage("c.png", width: 40, height: 32), s = try writeImage("s.png", seed: 1)
        let args = ["batch", "--content", c, "--style", s, "--out", "runs", "--size", "40", "--weights", weights, "--quiet"]
        XCTAssertEqual(try run(args).status, 0)
        let path = dir.appendingPathComponent("runs/runs.jsonl").path
        let line = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(line.contains("\"automatic_iterations\":\"\(RunSettings.automaticIterations)\""), line)
        let kept = try run(args + ["--resume"])
        XCTAssertTrue(kept.stderr.contains("1 already done, nothing left to run"), kept.stderr)
        for old in [line.replacingOccurrences(of: "\"automatic_iterations\":\"\(RunSettings.automaticIterations)\",", with: ""),
                    line.replacingOccurrences(of: "\"automatic_iterations\":\"\(RunSettings.automaticIterations)\"",
                                              with: "\"automatic_iterations\":\"80/150\"")] {
            XCTAssertNotEqual(old, line)
            try old.write(toFile: path, atomically: true, encoding: .utf8)
            let o = try run(args + ["--resume"])
            XCTAssertEqual(o.status, 0, o.stderr)
            XCTAssertTrue(o.stderr.contains("0 already done, 1 to run"), o.stderr)
        }
    }

    func testCtrlCSavesTheCurrentImageAndRecordsItInterrupted() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        let c = try writeImage("c.png", width: 48, height: 40), s = try writeImage("s.png", seed: 1)
        let args = ["batch", "--content", c, "--style", s, "--out", "runs", "--sweep", "seed=1,2",
                    "--size", "48", "--iterations", "2000", "--weights", weights, "--quiet", "--jobs", "1"]
        let log = dir.appendingPathComponent("runs/logs/c__s__seed-1.jsonl").path
        let p = try start(args)
        let started = waitFor(60) { (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").count ?? 0 >= 3 }
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        XCTAssertTrue(started)
        XCTAssertEqual(p.terminationStatus, 130)
        let records = try recordLines("runs")
        XCTAssertEqual(records.count, 1)
        XCTAssertEqual(records.first?["status"] as? String, "interrupted")
        XCTAssertNoThrow(try PNGCodec.read(path: dir.appendingPathComponent("runs/c__s__seed-1.partial.png").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/c__s__seed-1.png").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/c__s__seed-2.png").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/index.html").path))
    }
}
