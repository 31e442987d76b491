import Foundation
import StylizeKit
import XCTest

/// `batch --jobs`: jobs side by side on real runs (issue 18), against one at a time.
extension CLITests {
    /// Records of `folder` by output name, without what depends on the moment (seconds).
    func recordsByOutput(_ folder: String) throws -> [String: [String: Any]] {
        var out = [String: [String: Any]]()
        for var r in try recordLines(folder) {
            r["seconds"] = nil
            out[try XCTUnwrap(r["output"] as? String)] = r
        }
        return out
    }

    /// `--jobs 1` and `--jobs 2` run the same jobs and write the same records (timings
    /// aside) and the same images, byte for byte: an engine's result does not depend on its
    /// thread count, and a job shares nothing with the one beside it but the read-only
    /// network. (The issue asks for scores within 1%; they are equal.)
    func testJobsSideBySideDoTheSameJobsAsOneAtATime() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        let c = try writeImage("c.png", width: 48, height: 40), s = try writeImage("s.png", seed: 1)
        let args = ["batch", "--content", c, "--style", s, "--sweep", "seed=1,2,3", "--size", "48", "--min-size", "32",
                    "--iterations", "4", "--coarse-iterations", "3", "--weights", weights, "--threads", "2"]
        let one = try run(args + ["--out", "one", "--jobs", "1"])
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertTrue(one.stderr.contains("1 job at a time, 2 threads"), one.stderr)
        let two = try run(args + ["--out", "two", "--jobs", "2"])
        XCTAssertEqual(two.status, 0, two.stderr)
        XCTAssertTrue(two.stderr.contains("2 jobs side by side, 1 thread each"), two.stderr)
        for n in 1...3 { XCTAssertTrue(two.stderr.contains("/3] c__s__seed-\(n).png: done,"), two.stderr) }

        let a = try recordsByOutput("one"), b = try recordsByOutput("two")
        XCTAssertEqual(a.count, 3)
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        for (name, ra) in a {
            let rb = try XCTUnwrap(b[name])
            XCTAssertEqual(ra as NSDictionary, rb as NSDictionary, name)
            let pa = try Data(contentsOf: dir.appendingPathComponent("one/" + name))
            XCTAssertEqual(pa, try Data(contentsOf: dir.appendingPathComponent("two/" + name)), name)
        }
    }

    /// The default is printed with the estimate: one job per thread while there are jobs
    /// enough; a single job gets every thread.
    func testDefaultJobsFillTheThreads() throws {
        let c = try writeImage("c.png", width: 48, height: 40), s = try writeImage("s.png", seed: 1)
        // No weights: the batch stops after printing the plan, which is all this test needs.
        let base = ["batch", "--content", c, "--style", s, "--size", "48", "--weights", "missing.safetensors"]
        let many = try run(base + ["--out", "many", "--sweep", "seed=1,2,3,4,5", "--threads", "4"])
        XCTAssertTrue(many.stderr.contains("4 jobs side by side, 1 thread each"), many.stderr)
        let few = try run(base + ["--out", "few", "--sweep", "seed=1,2", "--threads", "4"])
        XCTAssertTrue(few.stderr.contains("2 jobs side by side, 2 threads each"), few.stderr)
        let single = try run(base + ["--out", "single", "--threads", "3"])
        XCTAssertTrue(single.stderr.contains("1 job at a time, 3 threads"), single.stderr)
        assertOneLineError(try run(base + ["--out", "bad", "--jobs", "0"]), status: 64, containing: "--jobs")
        // 200 jobs of 1.7 GB each at once (1024 px): more than any test machine has, while each
        // alone fits.
        let seeds = (1...200).map(String.init).joined(separator: ",")
        let big = try run(["batch", "--content", c, "--style", s, "--size", "1024", "--weights", "missing.safetensors",
                           "--out", "big", "--sweep", "seed=" + seeds, "--jobs", "200"])
        XCTAssertTrue(big.stderr.contains("stylize: warning: --jobs 200: that many jobs at once may need"), big.stderr)
    }

    /// A signal with two jobs running stops both at their next evaluation: each writes its
    /// image so far and is recorded `interrupted`, no third job starts, the exit status is
    /// 143; `--resume` (here with `--jobs 1` and shards, all mixed) then does the rest, and
    /// each job ends recorded `done` exactly once.
    func testSignalStopsEveryRunningJobAndResumeFinishesWithShards() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        let c = try writeImage("c.png", width: 48, height: 40), s = try writeImage("s.png", seed: 1)
        let args = ["batch", "--content", c, "--style", s, "--out", "runs", "--sweep", "seed=1,2,3,4", "--size", "48",
                    "--min-size", "48", "--weights", weights, "--threads", "2", "--quiet"]
        let p = try start(args + ["--iterations", "3000", "--jobs", "2"])
        let logs = (1...2).map { dir.appendingPathComponent("runs/logs/c__s__seed-\($0).jsonl").path }
        let started = waitFor(60) {
            logs.allSatisfy { (try? String(contentsOfFile: $0, encoding: .utf8))?.split(separator: "\n").count ?? 0 >= 2 }
        }
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        XCTAssertTrue(started, "both jobs should have been running")
        XCTAssertEqual(p.terminationStatus, 143)
        let stopped = try recordLines("runs")
        XCTAssertEqual(stopped.count, 2)
        XCTAssertEqual(Set(stopped.compactMap { $0["status"] as? String }), ["interrupted"])
        XCTAssertEqual(Set(stopped.compactMap { $0["output"] as? String }), ["c__s__seed-1.png", "c__s__seed-2.png"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/logs/c__s__seed-3.jsonl").path),
                       "no job starts after the signal")

        let short = args + ["--iterations", "3", "--resume"]
        for (shard, jobs) in [("1/2", "2"), ("2/2", "1")] {
            let o = try run(short + ["--shard", shard, "--jobs", jobs])
            XCTAssertEqual(o.status, 0, o.stderr)
        }
        let latest = try recordLines("runs").filter { $0["status"] as? String == "done" }.compactMap { $0["output"] as? String }
        XCTAssertEqual(latest.sorted(), (1...4).map { "c__s__seed-\($0).png" })
    }
}
