import ArgumentParser
import Foundation
import StylizeKit

/// `stylize report OUT [FOLDER…]`: merges the records in OUT (every `runs*.jsonl`) and in each
/// FOLDER (e.g. one per shard) and rebuilds `OUT/index.html` and `OUT/contact-sheet.png`.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Rebuild a batch folder's index.html and contact-sheet.png from its records."
    )

    @Argument(help: "The batch folder (holding runs.jsonl; also reads runs-*.jsonl copied in from other machines).")
    var folder: String

    @Argument(help: ArgumentHelp("Other batch folders to merge in, e.g. one per --shard; the report in the first folder (created if missing) shows their jobs in place.", valueName: "more"))
    var merging: [String] = []

    func run() throws {
        for f in merging where OutputLocation.kind(of: f) != .folder { throw fail(ReportError("'\(f)' is not a folder")) }
        if !merging.isEmpty { do { try OutputLocation.prepareFolder(folder, option: "report") } catch { throw fail(error) } }
        guard FileSystem.isFolder(folder) else {
            throw fail(ReportError("'\(folder)' is not a folder"))
        }
        let records = RunRecord.latest(BatchReport.records(folder: folder, merging: merging))
        guard !records.isEmpty else { throw fail(ReportError("no job records in '\(([folder] + merging).joined(separator: "', '"))' (runs.jsonl)")) }
        do {
            let index = try BatchReport.write(folder: folder, merging: merging)
            let failed = records.filter { $0.status != .done }.count
            Terminal.printError("report: \(records.count) jobs, \(failed) not done")
            Terminal.printPath(index)
        } catch {
            throw fail(error)
        }
    }
}

struct ReportError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
