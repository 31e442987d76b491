import Foundation
import StylizeKit
import XCTest

/// Issue 8, cases 1, 2 and 4: no output replaces an input, every output location is
/// checked before any work, and no Foundation error text reaches the user.
extension CLITests {
    /// The bytes of a file in the test folder.
    func bytes(_ name: String) throws -> Data { try Data(contentsOf: dir.appendingPathComponent(name)) }

    func testAnOutputThatIsAnInputIsRefusedAndTheInputKept() throws {
        let content = try writeImage("same.png"), style = try writeImage("style.png", seed: 1)
        _ = try writeImage("init.png", seed: 4)
        let before = try bytes("same.png"), styleBefore = try bytes("style.png")
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("link.png").path, withDestinationPath: content)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        for (args, what) in [(["same.png", "style.png", "-o", "same.png"], "content image"),
                             (["same.png", "style.png", "-o", "./style.png"], "style image"),
                             (["same.png", "style.png", "-o", "sub/../same.png"], "content image"),
                             (["same.png", "style.png", "-o", "link.png"], "content image"),
                             (["same.png", "style.png", "--log", "style.png"], "style image"),
                             (["same.png", "style.png", "-o", "link.png", "--init", "link.png"], "content image"),
                             (["same.png", "style.png", "-o", "init.png", "--init", "init.png"], "--init image"),
                             (["same.png", style, "style.png", "-o", "style.png"], "style image")] {
            assertOneLineError(try run(args + ["--weights", weights]), status: 64, containing: "is the \(what)")
        }
        XCTAssertEqual(try bytes("same.png"), before)
        XCTAssertEqual(try bytes("style.png"), styleBefore)
        _ = try writeImage("same__style.png", seed: 3)  // the batch output of same × style, given as --init
        assertOneLineError(try run(["batch", "--content", "same.png", "--style", "style.png", "--out", ".", "--init", "same__style.png",
                                    "--weights", weights]), status: 64, containing: "batch output")
    }

    /// Each bad output location fails at once, before the weights are even read, with the
    /// path and the reason in one line, and writes nothing.
    func testOutputLocationsAreCheckedBeforeAnyWork() throws {
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("adir"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: dir.appendingPathComponent("afile"))
        // The weights path is missing on purpose: a run that got past the checks would say so.
        let base = ["c.png", "s.png", "--weights", "missing.safetensors"]
        let cases: [([String], String)] = [
            (["-o", "nosuch/dir/out.png"], "cannot write -o 'nosuch/dir/out.png': folder 'nosuch/dir' does not exist"),
            (["-o", "adir"], "cannot write -o 'adir': it is a folder"),
            (["-o", "adir/"], "cannot write -o 'adir/': it names a folder"),
            (["-o", "afile/out.png"], "'afile' is not a folder"),
            (["--log", "nosuch/run.jsonl"], "cannot write --log 'nosuch/run.jsonl': folder 'nosuch' does not exist"),
            (["--dump-every", "5", "--dump-dir", "afile"], "cannot write --dump-dir 'afile': it is a file, not a folder"),
        ]
        for (extra, message) in cases { assertOneLineError(try run(base + extra), status: 1, containing: message) }
        // Permission: an unwritable folder (sysfs refuses new files even to root).
        let locked: String
        if geteuid() == 0 {
            locked = "/sys"
        } else {
            locked = dir.appendingPathComponent("locked").path
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true)
            chmod(locked, 0o555)
        }
        assertOneLineError(try run(base + ["-o", locked + "/out.png"]), status: 1, containing: "permission denied")
        assertOneLineError(try run(["batch", "--content", "c.png", "--style", "s.png", "--out", locked + "/sub", "--weights", weights]),
                           status: 1, containing: "permission denied")
        XCTAssertEqual(try pngFiles(), ["c.png", "s.png"])
    }

    /// Every file-system error path of every command: one `stylize: error:` line, no
    /// `NSCocoaErrorDomain`, and for --dump-dir nothing written at all.
    func testNoFoundationErrorTextReachesTheUser() throws {
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        try Data("x".utf8).write(to: dir.appendingPathComponent("afile"))
        let cases: [([String], String)] = [
            (["batch", "--content", "c.png", "--style", "s.png", "--out", "afile", "--weights", weights], "cannot write --out 'afile': it is a file"),
            (["batch", "--content", "c.png", "--style", "s.png", "--out", "afile/sub", "--weights", weights], "'afile' is a file, not a folder"),
            (["visualize", "c.png", "--out", "afile", "--weights", weights], "cannot write --out 'afile': it is a file"),
            (["c.png", "s.png", "--dump-every", "1", "--dump-dir", "afile", "--weights", weights], "--dump-dir 'afile'"),
            (["report", "afile"], "not a folder"),
            (["c.png", "s.png", "--weights", "afile"], "afile"),
            (["c.png", "s.png", "--weights", dir.path], dir.lastPathComponent),
        ]
        for (args, message) in cases {
            let o = try run(args)
            assertOneLineError(o, status: 1, containing: message)
            XCTAssertFalse(o.stderr.contains("NSCocoaErrorDomain") || o.stderr.contains("Code="), o.stderr)
        }
        XCTAssertEqual(try pngFiles(), ["c.png", "s.png"])
    }
}
