import Foundation
import XCTest

/// Options whose value is one of a few words, through the binary: a word the option does not
/// know is one usage line (exit 64) before anything is read or written, in `stylize transfer`
/// and in a batch sweep; help names the words and the default.
extension CLITests {
    func checkWordOption(_ key: String, words: [String], standard: String, unknown: String) throws {
        let c = try writeImage("c.png"), s = try writeImage("s.png", seed: 1)
        let before = try [c, s].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        assertOneLineError(try run([c, s, "--\(key)", unknown, "-o", "out.png", "--weights", weights]), status: 64,
                           containing: "--\(key): '\(unknown)' is not one of \(words.joined(separator: ", "))")
        let base = ["batch", "--content", "c.png", "--style", "s.png", "--out", "runs", "--weights", weights]
        assertOneLineError(try run(base + ["--sweep", "\(key)=\(standard),\(unknown)"]), status: 64,
                           containing: "--sweep \(key)=\(unknown)")
        XCTAssertEqual(try [c, s].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }, before, "the inputs are untouched")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.png").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs").path))
        let help = try run(["help", "transfer"])
        XCTAssertEqual(help.status, 0)
        let heading = "--\(key) <\(words.joined(separator: "|"))>"
        XCTAssertTrue(help.stdout.contains(heading), help.stdout)
        let entry = try XCTUnwrap(help.stdout.components(separatedBy: heading).last?.components(separatedBy: "\n  --").first)
        XCTAssertTrue(entry.contains("(default: \(standard))"), entry)
    }

    func testPreconditionerUsageErrorsAndHelp() throws {
        try checkWordOption("preconditioner", words: ["smooth", "none"], standard: "smooth", unknown: "lucid")
    }

    func testContentFocusUsageErrorsAndHelp() throws {
        try checkWordOption("content-focus", words: ["auto", "uniform", "energy"], standard: "auto", unknown: "edges")
    }
}
