import ArgumentParser
import Foundation
import StylizeKit

/// `stylize report OUT`: merges the records in OUT (every `runs*.jsonl`, e.g. from several
/// shards) and rebuilds `OUT/index.html` and `OUT/contact-sheet.png`.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Rebuild a batch folder's index.html and contact-sheet.png from its records."
    )

    @Argument(help: "The batch folder (holding runs.jsonl; also reads runs-*.jsonl copied in from other machines).")
    var folder: String

    func run() throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw fail(ReportError("'\(folder)' is not a folder"))
        }
        let records = RunRecord.latest(RunRecord.read(folder: folder))
        guard !records.isEmpty else { throw fail(ReportError("no job records in '\(folder)' (runs.jsonl)")) }
        do {
            let index = try BatchReport.write(folder: folder)
            let failed = records.filter { $0.status != .done }.count
            Terminal.printError("report: \(records.count) jobs, \(failed) not done")
            print(index)
        } catch {
            throw fail(error)
        }
    }
}

struct ReportError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
