import Foundation
import StylizeKit
import XCTest

/// Issue 8, cases 3 and 8: SIGTERM, SIGINT and SIGHUP keep the work done so far, in a real
/// transfer and a real batch; records and logs survive write errors.
extension CLITests {
    /// Starts `stylize` without waiting, with stdout and stderr captured in files of the test folder.
    func start(_ arguments: [String]) throws -> Process {
        let p = Process()
        p.executableURL = binary
        p.arguments = arguments
        p.currentDirectoryURL = dir
        FileManager.default.createFile(atPath: dir.appendingPathComponent("stdout.txt").path, contents: nil)
        FileManager.default.createFile(atPath: dir.appendingPathComponent("stderr.txt").path, contents: nil)
        p.standardOutput = FileHandle(forWritingAtPath: dir.appendingPathComponent("stdout.txt").path)
        p.standardError = FileHandle(forWritingAtPath: dir.appendingPathComponent("stderr.txt").path)
        try p.run()
        return p
    }

    func text(_ name: String) -> String { (try? String(contentsOfFile: dir.appendingPathComponent(name).path, encoding: .utf8)) ?? "" }

    func lineCount(_ name: String) -> Int { text(name).split(separator: "\n").count }

    /// A long real transfer gets `signal` once it has logged a few iterations: it writes the
    /// image so far as `out.partial.png`, prints its path, says so in one line and exits with
    /// 128 + the signal. The `out.png` already there (an earlier result) is left alone (issue
    /// 15, item 5: it used to be replaced by the image so far).
    func checkTransferKeepsItsImage(on signal: Int32, status: Int32, name: String) throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        _ = try writeImage("c.png", width: 48, height: 40); _ = try writeImage("s.png", seed: 1)
        let earlier = try writeImage("out.png", width: 20, height: 10, seed: 3)
        let before = try Data(contentsOf: URL(fileURLWithPath: earlier))
        let p = try start(["c.png", "s.png", "-o", "out.png", "--size", "48", "--min-size", "48", "--iterations", "5000",
                                    "--log", "run.jsonl", "--weights", weights, "--quiet"])
        let started = waitFor(60) { lineCount("run.jsonl") >= 4 }
        kill(p.processIdentifier, signal)
        p.waitUntilExit()
        XCTAssertTrue(started, "the run never logged three iterations")
        XCTAssertEqual(p.terminationReason, .exit)
        XCTAssertEqual(p.terminationStatus, status)
        XCTAssertEqual(text("stdout.txt"), "out.partial.png\n")
        let stderr = text("stderr.txt")
        XCTAssertTrue(stderr.hasPrefix("stylize: stopped by \(name) at iteration "), stderr)
        XCTAssertTrue(stderr.hasSuffix("; the image so far is in 'out.partial.png'\n"), stderr)  // at --size: no size note
        let image = try PNGCodec.read(path: dir.appendingPathComponent("out.partial.png").path)
        XCTAssertEqual([image.width, image.height], [48, 40])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: earlier)), before, "the earlier out.png was replaced")
        XCTAssertLessThan(lineCount("run.jsonl"), 5001)
    }

    func testSIGTERMKeepsTheTransfersImage() throws { try checkTransferKeepsItsImage(on: SIGTERM, status: 143, name: "SIGTERM") }

    func testSIGINTKeepsTheTransfersImage() throws { try checkTransferKeepsItsImage(on: SIGINT, status: 130, name: "SIGINT") }

    func testSIGHUPKeepsTheTransfersImage() throws { try checkTransferKeepsItsImage(on: SIGHUP, status: 129, name: "SIGHUP") }

    /// The first signal asks for a clean stop at the next evaluation; a second one, while
    /// an evaluation is still running (a 512 px evaluation takes over a second), ends the
    /// process at once with the default action, and nothing is written.
    func testASecondSignalEndsAtOnce() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        _ = try writeImage("c.png", width: 512, height: 384); _ = try writeImage("s.png", seed: 1)
        let p = try start(["c.png", "s.png", "-o", "out.png", "--size", "512", "--min-size", "512", "--iterations", "50",
                           "--log", "run.jsonl", "--weights", weights, "--quiet"])
        let started = waitFor(120) { lineCount("run.jsonl") >= 1 }
        // The first line is the scale's start; the optimizer's first evaluation (over a
        // second at 512×384) begins a few ms later. A signal in between is seen at once and
        // the image is written cleanly, within the 50 ms below now that writing a PNG
        // compresses once (4 runs in 10 here): wait until the evaluation is under way.
        usleep(300_000)
        kill(p.processIdentifier, SIGTERM)
        usleep(50_000)
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        XCTAssertTrue(started)
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)
        XCTAssertEqual(p.terminationStatus, SIGTERM)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.png").path))
    }

    /// SIGTERM in the first job of a batch (as Slurm sends at the time limit): the job is
    /// recorded `interrupted` with its image so far as `c__s__seed-1.partial.png` (never under
    /// the job's own name, which `--resume` would take for done), the report shows it and is
    /// rebuilt, exit 143; `--resume` then runs that job again and the rest, and every job ends
    /// `done` once.
    func testSIGTERMInABatchRecordsTheJobAndResumeFinishes() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        _ = try writeImage("c.png", width: 48, height: 40); _ = try writeImage("s.png", seed: 1)
        let args = ["batch", "--content", "c.png", "--style", "s.png", "--out", "runs", "--sweep", "seed=1,2",
                    "--size", "48", "--min-size", "48", "--weights", weights, "--quiet", "--jobs", "1"]
        let p = try start(args + ["--iterations", "5000"])
        let started = waitFor(60) { lineCount("runs/logs/c__s__seed-1.jsonl") >= 3 }
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        XCTAssertTrue(started)
        XCTAssertEqual(p.terminationStatus, 143)
        XCTAssertTrue(text("stderr.txt").contains("stylize: batch stopped by SIGTERM"), text("stderr.txt"))
        XCTAssertEqual(text("stdout.txt"), "runs/index.html\n")
        let records = try recordLines("runs")
        XCTAssertEqual(records.map { $0["status"] as? String }, ["interrupted"])
        XCTAssertEqual(records.first?["partial"] as? String, "c__s__seed-1.partial.png")
        XCTAssertNoThrow(try PNGCodec.read(path: dir.appendingPathComponent("runs/c__s__seed-1.partial.png").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/c__s__seed-1.png").path))
        XCTAssertTrue(text("runs/index.html").contains("interrupted"))
        XCTAssertTrue(text("runs/index.html").contains("src=\"c__s__seed-1.partial.png\""), text("runs/index.html"))

        let resumed = try run(args + ["--iterations", "3", "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("0 already done, 2 to run"), resumed.stderr)
        let after = try recordLines("runs")
        XCTAssertEqual(after.map { $0["status"] as? String }, ["interrupted", "done", "done"])
        XCTAssertNoThrow(try PNGCodec.read(path: dir.appendingPathComponent("runs/c__s__seed-1.png").path))
    }

    /// `visualize` stops between steps on SIGTERM: the page shows what was done, exit 143.
    func testSIGTERMKeepsTheVisualizationDoneSoFar() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        _ = try writeImage("a.png", width: 48, height: 40)
        let p = try start(["visualize", "a.png", "--layers", "relu1_1", "--maximize", "0,1,2,3,4,5,6,7,8,9,10,11",
                           "--maximize-iterations", "400", "--maximize-size", "64", "--size", "48", "--out", "viz", "--weights", weights])
        let started = waitFor(60) { text("stderr.txt").contains("maximize relu1_1 channel 0: iteration 10,") }
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        XCTAssertTrue(started, text("stderr.txt"))
        XCTAssertEqual(p.terminationStatus, 143)
        XCTAssertEqual(text("stdout.txt"), "viz/index.html\n")
        XCTAssertTrue(text("stderr.txt").contains("stylize: stopped by SIGTERM; viz/index.html shows the 1 image(s) done so far"), text("stderr.txt"))
        XCTAssertTrue(text("viz/index.html").contains("relu1_1"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("viz/a/relu1_1.png").path))
    }

    /// Runs `stylize` with a file-size limit of `bytes` (RLIMIT_FSIZE, through `prlimit`) and
    /// SIGXFSZ ignored, so that writing past the limit fails with EFBIG as a full disk fails
    /// with ENOSPC: the limit stands in for a full disk. (This was a symbolic link to
    /// /dev/full; a device is now refused as an output before any work.)
    func runWithFileSizeLimit(_ bytes: Int, _ arguments: [String]) throws -> Outcome {
        try run(["-c", "trap '' XFSZ; exec prlimit --fsize=\(bytes) -- \"$@\"", "sh", binary.path] + arguments, executable: "/bin/sh")
    }

    /// A log that cannot be written gives a warning; the job's image is written and the job
    /// is `done`. A records file that cannot be written stops the batch with one line.
    /// Sizes: the 32 px image is about 2 KB and the contact sheet about 20 KB, under the
    /// 48 KB limit; 200 Adam iterations (Adam never stops early) log about 70 KB.
    func testWriteErrorsOfLogsAndRecords() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit"), "needs prlimit (util-linux)")
        _ = try writeImage("c.png", width: 32, height: 32); _ = try writeImage("s.png", seed: 1)
        let limit = 48 * 1024
        let args = ["batch", "--content", "c.png", "--style", "s.png", "--out", "runs", "--size", "32", "--min-size", "32",
                    "--optimizer", "adam", "--iterations", "200", "--weights", weights, "--quiet"]
        let o = try runWithFileSizeLimit(limit, args)
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertTrue(o.stderr.contains("stylize: warning: c__s.png: cannot write the log 'runs/logs/c__s.jsonl': File too large; the run goes on without a log"), o.stderr)
        XCTAssertEqual(try recordLines("runs").map { $0["status"] as? String }, ["done"])
        XCTAssertNoThrow(try PNGCodec.read(path: dir.appendingPathComponent("runs/c__s.png").path))

        let transfer = try runWithFileSizeLimit(limit, ["c.png", "s.png", "-o", "t.png", "--log", "run.jsonl", "--size", "32", "--min-size", "32",
                                                        "--optimizer", "adam", "--iterations", "200", "--weights", weights, "--quiet"])
        XCTAssertEqual(transfer.status, 0, transfer.stderr)
        XCTAssertEqual(transfer.stdout, "t.png\n")
        XCTAssertTrue(transfer.stderr.contains("the run goes on without a log"), transfer.stderr)
        XCTAssertNoThrow(try PNGCodec.read(path: dir.appendingPathComponent("t.png").path))

        // Records already at the limit: the next append fails, the batch stops with one line.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("runs"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("runs"), withIntermediateDirectories: true)
        try Data(repeating: UInt8(ascii: "\n"), count: limit).write(to: dir.appendingPathComponent("runs/runs.jsonl"))
        let full = try runWithFileSizeLimit(limit, ["batch", "--content", "c.png", "--style", "s.png", "--out", "runs", "--size", "32",
                                                    "--iterations", "2", "--weights", weights, "--quiet"])
        XCTAssertEqual(full.status, 1, full.stderr)
        XCTAssertTrue(full.stderr.contains("stylize: error: cannot append to 'runs/runs.jsonl': File too large"), full.stderr)
    }
}
