import Foundation
import XCTest

/// `--content-focus` through the binary: a word it does not know is one usage line (exit 64)
/// before anything is read or written, in `stylize transfer` and in a batch sweep; help names
/// the words and the default.
extension CLITests {
    func testContentFocusUsageErrorsAndHelp() throws {
        let c = try writeImage("c.png"), s = try writeImage("s.png", seed: 1)
        let before = try [c, s].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        assertOneLineError(try run([c, s, "--content-focus", "edges", "-o", "out.png", "--weights", weights]), status: 64,
                           containing: "--content-focus: 'edges' is not one of auto, uniform, energy")
        let base = ["batch", "--content", "c.png", "--style", "s.png", "--out", "runs", "--weights", weights]
        assertOneLineError(try run(base + ["--sweep", "content-focus=energy,edges"]), status: 64,
                           containing: "--sweep content-focus=edges")
        XCTAssertEqual(try [c, s].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }, before, "the inputs are untouched")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.png").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs").path))
        let help = try run(["help", "transfer"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("--content-focus <auto|uniform|energy>"), help.stdout)
        let entry = try XCTUnwrap(help.stdout.components(separatedBy: "--content-focus <auto|uniform|energy>").last?
            .components(separatedBy: "\n  --").first)
        XCTAssertTrue(entry.contains("(default: auto)"), entry)
    }
}
