import ArgumentParser
import Foundation
import StylizeKit

/// `stylize batch --content … --style … --out DIR [--sweep NAME=V,…]… [run options]`
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run every content × style × sweep combination into one folder, with a report.",
        discussion: """
        Writes OUT/<content>__<style>[__<option>-<value>…].png per job, one JSON line per \
        finished job in OUT/runs.jsonl, per-job logs in OUT/logs/, and OUT/index.html and \
        OUT/contact-sheet.png at the end. Exit status 1 if any job failed.
        """
    )

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Content images: files, folders (every PNG inside) or globs.", valueName: "path"))
    var content: [String] = []

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Style images: files, folders or globs.", valueName: "path"))
    var style: [String] = []

    @Option(help: ArgumentHelp("Output folder (created if missing).", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("Vary a run option: NAME=V1,V2,… (repeatable; several form a grid). In list values such as layers, '+' stands for ','.", valueName: "name=values"))
    var sweep: [String] = []

    @Flag(help: "Skip jobs already done with the same options (their output exists); run the rest.")
    var resume = false

    @Option(help: ArgumentHelp("Run only jobs whose index modulo N is K−1 (1 ≤ K ≤ N).", valueName: "K/N"))
    var shard: String?

    @OptionGroup var options: RunOptions

    @OptionGroup var machine: MachineOptions

    @Flag(help: "No progress on stderr (the plan and the summary are still printed).")
    var quiet = false

    /// The expanded plan; recomputed by `run()` (ArgumentParser commands hold only arguments).
    struct Plan {
        var jobs: [BatchJob]
        var shard: (k: Int, n: Int)?
    }

    mutating func validate() throws { _ = try plan() }

    func plan() throws -> Plan {
        guard !content.isEmpty else { throw ValidationError("missing --content (files, folders or globs)") }
        guard !style.isEmpty else { throw ValidationError("missing --style (files, folders or globs)") }
        let contents: [String], styles: [String]
        do {
            // Absolute paths: the report and --resume then work from any working folder.
            contents = try BatchPlan.expandInputs(content, option: "--content").map(absolute)
            styles = try BatchPlan.expandInputs(style, option: "--style").map(absolute)
        } catch { throw ValidationError("\(error)") }
        let axes = try sweep.map { try RunOptions.parseSweep($0, base: options) }
        var seen = Set<String>()
        for a in axes where !seen.insert(a.name).inserted { throw ValidationError("--sweep \(a.name) is given twice") }
        var shardSpec: (Int, Int)?
        if let shard {
            let parts = shard.split(separator: "/").map { Int($0) }
            guard parts.count == 2, let k = parts[0], let n = parts[1], n >= 1, k >= 1, k <= n else {
                throw ValidationError("--shard must be K/N with 1 ≤ K ≤ N, got '\(shard)'")
            }
            shardSpec = (k, n)
        }
        if options.styleBlendWeights != nil { throw ValidationError("--style-blend-weights does not apply to batch jobs (one style each)") }
        return Plan(jobs: BatchPlan.jobs(contents: contents, styles: styles, sweeps: axes), shard: shardSpec)
    }

    private func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    func run() throws {
        machine.configureThreads()
        let plan = try plan()
        let mine = plan.shard.map { BatchPlan.shard(plan.jobs, k: $0.k, n: $0.n) } ?? plan.jobs
        let records = out + "/runs.jsonl"
        var runner: BatchRunner
        do {
            try FileManager.default.createDirectory(atPath: out + "/logs", withIntermediateDirectories: true)
            try RunRecord.terminatePartialLine(at: records)
            StaleTemporaries.remove(in: out)
            runner = BatchRunner(out: out, recordsPath: records, quiet: quiet)
            try runner.prepare(jobs: mine, options: options, resume: resume)
        } catch let e as ValidationError { throw e } catch { throw fail(error) }

        let shardText = plan.shard.map { " (\(mine.count) in shard \($0.k)/\($0.n))" } ?? ""
        Terminal.printError("batch: \(plan.jobs.count) job\(plan.jobs.count == 1 ? "" : "s")\(shardText), "
                            + "\(runner.skipped.count) already done, \(runner.pending.count) to run; " + runner.estimateText(threads: machine.threads))
        guard !runner.pending.isEmpty else {
            try finish(runner)
            return
        }
        let weights: VGGWeights
        do { weights = try machine.loadWeights() } catch { throw fail(error) }
        Interrupt.install()
        runner.runAll(weights: weights)
        try finish(runner)
    }

    /// Rebuilds the report, prints its path (stdout) and a one-line summary (stderr);
    /// exits 130 after an interruption and 1 if any job failed.
    func finish(_ runner: BatchRunner) throws {
        let index: String
        do { index = try BatchReport.write(folder: out) } catch { throw fail(error) }
        print(index)
        let summary = "\(runner.done) done, \(runner.failed) failed, \(runner.skipped.count) skipped"
            + (runner.interrupted ? ", interrupted" : "") + String(format: " in %.0f s", runner.seconds)
        if runner.interrupted {
            Terminal.printError("stylize: error: batch interrupted (\(summary)); rerun with --resume to finish")
            throw ExitCode(130)
        }
        if runner.failed > 0 {
            Terminal.printError("stylize: error: \(runner.failed) of \(runner.done + runner.failed) jobs failed (\(summary)); see \(out)/runs.jsonl")
            throw ExitCode.failure
        }
        Terminal.printError("batch: \(summary); report \(index)")
    }
}

/// Ctrl-C: the first SIGINT asks the current job to stop after saving its image; a second
/// one kills the process as usual.
enum Interrupt {
    nonisolated(unsafe) static var requested: sig_atomic_t = 0

    static func install() {
        signal(SIGINT) { _ in
            Interrupt.requested = 1
            signal(SIGINT, SIG_DFL)
        }
    }
}
