import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import StylizeKit
import XCTest

/// Issue 15, item 10: on Linux a file name is bytes. Names that are not UTF-8 are read,
/// written, listed and reported as themselves, shown as `\xff` to people and escaped in JSON.
extension CLITests {
    /// Runs a bash script in the test folder with `$B` the binary and `$W` the weights (bash
    /// writes `$'\xff'` as the byte itself, which `Process` arguments cannot carry).
    func bash(_ script: String) throws -> (status: Int32, stdout: [UInt8], stderr: String) {
        let o = try run(["-c", script], environment: ["B": binary.path, "W": weights], executable: "/bin/bash")
        return (o.status, o.stdoutBytes, o.stderr)
    }

    /// The names in `folder` of the test folder, as the bytes `readdir` gives.
    func rawNames(_ folder: String = "") throws -> Set<[UInt8]> {
        let dirp = try XCTUnwrap(opendir(dir.appendingPathComponent(folder).path))
        defer { closedir(dirp) }
        var names = Set<[UInt8]>()
        while let entry = readdir(dirp) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != Array(".".utf8) && name != Array("..".utf8) { names.insert(name) }
        }
        return names
    }

    func bytes(_ text: String, _ odd: UInt8, _ rest: String) -> [UInt8] { Array(text.utf8) + [odd] + Array(rest.utf8) }

    /// A content image named `ph\xffoto.png` and `-o out\xfe.png`: the run reads the one and
    /// writes the other under exactly those bytes, and prints the output's bytes on stdout;
    /// a missing such file is named with `\xff` in one line. Before: "no such file", and
    /// the output written as `out\u{FFFD}.png`.
    func testANameThatIsNotUTF8IsReadAndWrittenAsItself() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        _ = try writeImage("c.png", width: 48, height: 32); _ = try writeImage("s.png", seed: 1)
        let o = try bash(#"cp c.png $'ph\xffoto.png' && exec "$B" $'ph\xffoto.png' s.png -o $'out\xfe.png' --size 32 --min-size 32 --iterations 2 --weights "$W" --quiet"#)
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertEqual(o.stdout, bytes("out", 0xFE, ".png\n"))
        let names = try rawNames()
        XCTAssertTrue(names.contains(bytes("out", 0xFE, ".png")), "\(names)")
        XCTAssertFalse(names.contains(Array("out\u{FFFD}.png".utf8)))

        let missing = try bash(#"exec "$B" $'missing\xff.png' s.png --weights "$W""#)
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr, "stylize: error: cannot read 'missing\\xff.png': no such file\n")
    }

    /// A batch whose content folder holds `ph\xffoto.png`, written to `--out runs\xfd`: every
    /// job runs, the records keep the name escaped in valid JSON (`\udbff\udfff`) that
    /// `--resume` reads back as the same file, the report links the photo by its bytes
    /// (`%FF`) and shows it as `ph\xffoto.png`, and `stylize report` rebuilds it. Before:
    /// that job failed ("no such file").
    func testABatchFolderHoldingANameThatIsNotUTF8() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("photos"), withIntermediateDirectories: true)
        _ = try writeImage("photos/plain.png", width: 48, height: 32); _ = try writeImage("s.png", seed: 1)
        let args = #"batch --content photos --style s.png --out $'runs\xfd' --size 32 --min-size 32 --iterations 2 --weights "$W" --quiet"#
        let o = try bash(#"cp photos/plain.png $'photos/ph\xffoto.png' && exec "$B" "# + args)
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertEqual(o.stdout, bytes("runs", 0xFD, "/index.html\n"))
        XCTAssertTrue(o.stderr.hasSuffix("report runs\\xfd/index.html\n"), o.stderr)
        XCTAssertEqual(try rawNames().filter { $0.starts(with: Array("runs".utf8)) }, [bytes("runs", 0xFD, "")])

        let records = try bash(#"cat $'runs\xfd/runs.jsonl'"#)
        let lines = String(decoding: records.stdout, as: UTF8.self).split(separator: "\n")
        guard lines.count == 2 else { return XCTFail("records: \(lines)") }
        // Jobs side by side (--jobs) append their records in the order they finish.
        let line = try XCTUnwrap(lines.first { $0.contains(#""job":0,"#) }, "\(lines)")
        XCTAssertTrue(line.contains(#"/photos/ph\udbff\udfffoto.png","#), String(line))
        XCTAssertTrue(records.stdout.allSatisfy { $0 < 0x80 }, "records are ASCII")
        let decoded = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        XCTAssertEqual(decoded?["status"] as? String, "done")

        let html = String(decoding: try bash(#"cat $'runs\xfd/index.html'"#).stdout, as: UTF8.self)
        XCTAssertTrue(html.contains(#"src="../photos/ph%FFoto.png""#), html)
        XCTAssertTrue(html.contains(#"ph\xffoto.png"#), html)
        XCTAssertTrue(XMLParser(data: Data(html.utf8)).parse(), "well-formed")

        let resumed = try bash(#"exec "$B" "# + args + " --resume")
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("2 already done, nothing left to run"), resumed.stderr)
        let report = try bash(#"exec "$B" report $'runs\xfd'"#)
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertEqual(report.stdout, bytes("runs", 0xFD, "/index.html\n"))
    }
}
