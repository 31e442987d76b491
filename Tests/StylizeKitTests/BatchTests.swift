import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import StylizeKit

final class BatchTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("stylize-batch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/in", withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func touch(_ name: String) throws -> String {
        let path = dir + "/" + name
        try PNGCodec.write(RGBImage(width: 4, height: 4, fill: (10, 20, 30)), to: path)
        return path
    }

    func testInputsFromFilesFoldersAndGlobs() throws {
        let b = try touch("in/b.png"), a = try touch("in/a.png"), c = try touch("c.png")
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/in/notes.txt"))
        XCTAssertEqual(try InputExpansion.expand([dir + "/in"], option: "--content"), [a, b])
        XCTAssertEqual(try InputExpansion.expand([dir + "/in/*.png", c, a], option: "--content"), [a, b, c])
        XCTAssertThrowsError(try InputExpansion.expand([dir + "/none/*.png"], option: "--content")) {
            XCTAssertTrue("\($0)".contains("--content"))
        }
        XCTAssertThrowsError(try InputExpansion.expand([dir + "/missing.png"], option: "--style"))
    }

    func testJobsAreTheOrderedProductWithUniqueNames() {
        let axes = [SweepAxis(name: "style-weight", values: ["1e-4", "1e-3"]), SweepAxis(name: "seed", values: ["1", "2", "3"])]
        let jobs = BatchPlan.jobs(contents: ["x/cat.png", "y/cat.png"], styles: ["wave.png"], sweeps: axes)
        XCTAssertEqual(jobs.count, 12)
        XCTAssertEqual(jobs.map(\.index), Array(0..<12))
        XCTAssertEqual(jobs[0].outputName, "cat__wave__style-weight-1e-4__seed-1.png")
        XCTAssertEqual(jobs[1].outputName, "cat__wave__style-weight-1e-4__seed-2.png")
        XCTAssertEqual(jobs[6].outputName, "cat__wave__style-weight-1e-4__seed-1-2.png")  // second cat.png
        XCTAssertEqual(Set(jobs.map(\.outputName)).count, 12)
        XCTAssertEqual(BatchPlan.jobs(contents: ["a.png"], styles: ["my style!.png"], sweeps: [])[0].outputName, "a__my-style-.png")
    }

    func testShardsPartitionTheJobs() {
        let jobs = BatchPlan.jobs(contents: ["a.png", "b.png", "c.png"], styles: ["s.png", "t.png"],
                                  sweeps: [SweepAxis(name: "seed", values: ["1", "2"])])
        for n in 1...5 {
            let shards = (1...n).map { BatchPlan.shard(jobs, k: $0, n: n) }
            XCTAssertEqual(shards.flatMap { $0 }.map(\.index).sorted(), Array(0..<jobs.count), "N = \(n)")
        }
    }

    /// The estimate against a run measured on the README's host (2 threads): the default
    /// schedule of 2026-12-04 on a square 512² image took 144 s (docs/EXPERIMENTS.md, the
    /// README's performance section as moved there, *Whole runs*). Within 25 %, the
    /// stated accuracy being "2× either way" on other hosts.
    func testEstimateFollowsTheScheduleAndThreads() {
        let square = ScaleSchedule(width: 512, height: 512, minSize: 128, factor: 2.0.squareRoot(), iterations: 40, coarseIterations: 50)
        XCTAssertEqual(square.scales.map(\.width), [128, 181, 256, 362, 512])
        XCTAssertEqual(CostEstimate.seconds(square, threads: 2), 144, accuracy: 144 * 0.25)
        let single = ScaleSchedule(width: 512, height: 512, minSize: 512, factor: 2, iterations: 100, coarseIterations: 100)
        let s1 = CostEstimate.seconds(single, threads: 2)
        XCTAssertGreaterThan(CostEstimate.seconds(single, threads: 1), s1 * 1.3)
        XCTAssertLessThan(CostEstimate.seconds(single, threads: 4), s1 * 0.75)
        // Above the fixed part (the weights, and their packed copy where stylize's kernels
        // run the Winograd products), the peak grows with the pixels: 4× the pixels, 4× the bytes.
        let fixed = CostEstimate.fixedBytes
        XCTAssertEqual(CostEstimate.peakBytes(pixels: 512 * 512, history: 20) - fixed,
                       4 * (CostEstimate.peakBytes(pixels: 256 * 256, history: 20) - fixed), accuracy: 1)
        XCTAssertGreaterThan(CostEstimate.peakBytes(pixels: 256 * 256, history: 20) - fixed, 0.1e9)
    }

    func record(_ job: Int, _ output: String, _ status: RunRecord.Status = .done) -> RunRecord {
        RunRecord(job: job, content: "in/c.png", style: "in/s.png", output: output, log: "logs/x.jsonl",
                  params: ["size": "32", "seed": "\(job)"], sweep: [SweepSetting(name: "seed", value: "\(job)")],
                  status: status, error: status == .failed ? "bad\nthing" : nil,
                  final: RunRecord.Final(LossTerms(content: 1, style: .nan, tv: 3, total: 4, stylePerLayer: [])),
                  iterations: 2, evaluations: 3, seconds: 1.23456)
    }

    func testRecordsRoundTripAndPartialLinesAreIgnored() throws {
        let path = dir + "/runs.jsonl"
        try RunRecord.append(record(0, "a.png"), to: path)
        try RunRecord.append(record(1, "b.png", .failed), to: path)
        let line = try record(0, "a.png").jsonLine()
        XCTAssertEqual(line.filter { $0 == "\n" }.count, 1)
        XCTAssertTrue(line.contains("\"output\":\"a.png\""), line)
        // A writer killed mid-line leaves a partial line at the end.
        let h = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        h.seekToEndOfFile(); h.write(Data("{\"job\":2,\"cont".utf8)); try h.close()
        var records = RunRecord.read(path: path)
        XCTAssertEqual(records.map(\.output), ["a.png", "b.png"])
        XCTAssertEqual(records[1].error, "bad thing")
        XCTAssertNil(records[0].final?.style)  // NaN is stored as null
        XCTAssertEqual(records[0].seconds, 1.235)
        try RunRecord.append(record(1, "b.png"), to: path)  // ends the partial line first
        XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).contains("{\"job\":2,\"cont\n{"))
        records = RunRecord.read(folder: dir)
        XCTAssertEqual(records.count, 3)
        XCTAssertEqual(RunRecord.latest(records).map(\.status), [.done, .done])
    }

    func testReportIsWellFormedAndNamesEveryOutput() throws {
        try FileManager.default.createDirectory(atPath: dir + "/out/logs", withIntermediateDirectories: true)
        _ = try touch("out/a&b.png")
        try "{\"iteration\":0,\"total\":100.0}\n{\"iteration\":1,\"total\":10.0}\n{\"iteration\":2,\"total\":5.0}\n"
            .write(toFile: dir + "/out/logs/x.jsonl", atomically: true, encoding: .utf8)
        try RunRecord.append(record(0, "a&b.png"), to: dir + "/out/runs.jsonl")
        try RunRecord.append(record(1, "c<d>.png", .failed), to: dir + "/out/runs.jsonl")
        let index = try BatchReport.write(folder: dir + "/out")
        let html = try String(contentsOfFile: index, encoding: .utf8)
        let parser = XMLParser(data: Data(html.utf8))
        XCTAssertTrue(parser.parse(), "index.html is not well-formed: \(String(describing: parser.parserError))")
        XCTAssertTrue(html.contains("a&amp;b.png") && html.contains("c&lt;d&gt;.png"))
        XCTAssertTrue(html.contains("<svg") && html.contains("<polyline"))
        XCTAssertTrue(html.contains("bad thing"))
        XCTAssertTrue(html.contains("seed = 0") && html.contains("seed = 1"), "grid rows labelled by swept values")
        XCTAssertFalse(html.contains("<script") || html.contains("src=\"http"), "self-contained")
        let sheet = try PNGCodec.read(path: dir + "/out/contact-sheet.png")
        XCTAssertGreaterThan(sheet.width, 128)
    }

    func testRelativePaths() {
        XCTAssertEqual(relativePath(from: "/a/b/out", to: "/a/c/x.png"), "../../c/x.png")
        XCTAssertEqual(relativePath(from: "/a/out", to: "/a/out/x.png"), "x.png")
    }

    func testStaleTemporariesAreRemovedAndFreshOnesKept() throws {
        for name in [".a.png.123.456.tmp", ".b.png.7.8.tmp", "c.png", ".d.png.x.1.tmp"] {
            FileManager.default.createFile(atPath: dir + "/" + name, contents: Data([1]))
        }
        let old = Date().addingTimeInterval(-3600)
        for name in [".a.png.123.456.tmp", "c.png", ".d.png.x.1.tmp"] {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: dir + "/" + name)
        }
        XCTAssertEqual(StaleTemporaries.remove(in: dir), [".a.png.123.456.tmp"])
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        XCTAssertEqual(left, [".b.png.7.8.tmp", ".d.png.x.1.tmp", "c.png", "in"])
    }

    func testWithoutSweepsTheReportIsAContentByStyleGrid() throws {
        var records: [RunRecord] = []
        for (i, (c, st)) in [("in/cat.png", "s/a.png"), ("in/cat.png", "s/b.png"), ("in/dog.png", "s/a.png")].enumerated() {
            records.append(RunRecord(job: i, content: c, style: st, output: "o\(i).png", log: "logs/o\(i).jsonl",
                                     params: ["size": "32"], sweep: [], status: .done))
        }
        let layout = BatchLayout(records: records)
        XCTAssertEqual(layout.sections.count, 1)
        let grid = try XCTUnwrap(layout.sections.first)
        XCTAssertEqual(grid.rowLabels, ["cat", "dog"]); XCTAssertEqual(grid.columnLabels, ["a", "b"])
        XCTAssertEqual(grid.cells.map { $0.map { $0?.output } }, [["o0.png", "o1.png"], ["o2.png", nil]])
        let html = BatchReport.html(layout: layout, folder: dir)
        XCTAssertTrue(XMLParser(data: Data(html.utf8)).parse())
        XCTAssertTrue(html.contains("content = dog") && html.contains("style = b") && html.contains("not run"))
    }

    /// A 100 × 100 grid would be ~200 megapixels at 128 px thumbnails: the sheet stays within
    /// its limit with smaller thumbnails, while a small grid keeps 128 px and its pictures.
    func testContactSheetOfALargeGridStaysWithinItsPixelLimit() throws {
        func layout(_ n: Int) -> BatchLayout {
            var records: [RunRecord] = []
            for i in 0..<n { for j in 0..<n {
                records.append(RunRecord(job: i * n + j, content: "in/photo\(i).png", style: "s/style\(j).png", output: "o\(i)_\(j).png",
                                         log: "logs/x.jsonl", params: ["size": "32"], sweep: [], status: .done))
            } }
            return BatchLayout(records: records)
        }
        let font = try TextRenderer(pixelSize: 12), titleFont = try TextRenderer(pixelSize: 15)
        let big = layout(100)
        let full = ContactSheet.size(layout: big, thumb: 128, font: font, titleFont: titleFont)
        XCTAssertGreaterThan(full.width * full.height, 150_000_000)
        let side = try XCTUnwrap(ContactSheet.thumbnailSide(layout: big, font: font, titleFont: titleFont))
        XCTAssertLessThan(side, 128)
        XCTAssertGreaterThanOrEqual(side, 16)
        let sheet = try ContactSheet.render(layout: big, folder: dir)
        XCTAssertLessThanOrEqual(sheet.width * sheet.height, ContactSheet.maxPixels)
        XCTAssertGreaterThan(sheet.width * sheet.height, ContactSheet.maxPixels * 3 / 4, "thumbnails no smaller than needed")

        let small = layout(2)
        XCTAssertEqual(ContactSheet.thumbnailSide(layout: small, font: font, titleFont: titleFont), 128)
        try PNGCodec.write(RGBImage(width: 64, height: 32, fill: (255, 0, 0)), to: dir + "/o1_1.png")
        let picture = try ContactSheet.render(layout: small, folder: dir)
        XCTAssertTrue(stride(from: 0, to: picture.pixels.count, by: 3).contains { picture.pixels[$0] == 255 && picture.pixels[$0 + 1] == 0 },
                      "the red output appears as a thumbnail")
    }

    /// Shards run elsewhere copy their runs.jsonl in as runs-K.jsonl; the report merges them.
    func testRecordsFromSeveralShardFilesAreMerged() throws {
        try RunRecord.append(record(0, "a.png"), to: dir + "/runs.jsonl")
        try RunRecord.append(record(1, "b.png"), to: dir + "/runs-2.jsonl")
        try RunRecord.append(record(2, "c.png", .failed), to: dir + "/runs-3.jsonl")
        try "not a record file\n".write(toFile: dir + "/notes.jsonl", atomically: true, encoding: .utf8)
        XCTAssertEqual(RunRecord.latest(RunRecord.read(folder: dir)).map(\.output), ["a.png", "b.png", "c.png"])
        XCTAssertEqual(BatchLayout(records: RunRecord.read(folder: dir)).sections.first?.cells.first?.count, 3)
    }
}
