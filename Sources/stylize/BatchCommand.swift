import ArgumentParser
import Foundation
import StylizeKit

/// `stylize batch --content … --style … --out DIR [--sweep NAME=V,…]… [run options]`
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run every content x style x sweep combination into one folder, with a report.",
        discussion: """
        Writes OUT/<content>__<style>[__<option>-<value>...].png per job, one JSON line per \
        finished job in OUT/runs.jsonl, per-job logs in OUT/logs/, and OUT/index.html and \
        OUT/contact-sheet.png at the end. Exit status 1 if any job failed. On SIGINT, SIGTERM \
        or SIGHUP every running job writes its image so far as OUT/<job>.partial.<ext> and is recorded as interrupted, \
        the report is rebuilt, and the batch exits with 128 + the signal number; \
        --resume then runs what is left.
        """
    )

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Content images: files, folders (every PNG inside) or globs.", valueName: "path"))
    var content: [String] = []

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Style images: files, folders or globs.", valueName: "path"))
    var style: [String] = []

    @Option(help: ArgumentHelp("Output folder (created if missing).", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("Vary a run option: NAME=V1,V2,... (repeatable; several form a grid). In list values such as layers, '+' stands for ','.", valueName: "name=values"))
    var sweep: [String] = []

    @Option(help: ArgumentHelp("Format of the job images: png, jpg or webp (--quality sets JPEG and WebP quality).", valueName: "png|jpg|webp"))
    var format: BatchFormat = .png

    @Flag(help: "Skip jobs already done with the same options (their output exists) and, without --iterations, the same automatic count; run the rest.")
    var resume = false

    @Option(help: ArgumentHelp("Run only jobs whose index modulo N is K-1 (1 <= K <= N).", valueName: "K/N"))
    var shard: String?

    @Option(help: ArgumentHelp("Jobs to run side by side, sharing --threads among them. Default: one per thread, as many as there are jobs and as fit in memory; on a GPU, as many as fit in its free memory, at most 8 (printed with the estimate).", valueName: "N"))
    var jobs: Int?

    @OptionGroup var options: RunOptions<BatchRun>

    @OptionGroup var machine: MachineOptions

    @Flag(help: "No progress on stderr (the plan and the summary are still printed).")
    var quiet = false

    /// The expanded plan; recomputed by `run()` (ArgumentParser commands hold only arguments).
    struct Plan {
        var jobs: [BatchJob]
        var shard: (k: Int, n: Int)?
    }

    /// Nothing here: ArgumentParser reports unknown options only after `validate()`, so the
    /// plan (which needs --content and --style) is checked at the start of `run()`, still
    /// before anything is written or loaded, with the same exit status 64.
    mutating func validate() throws {}

    func plan() throws -> Plan {
        guard !content.isEmpty else { throw ValidationError("missing --content (files, folders or globs)") }
        guard !style.isEmpty else { throw ValidationError("missing --style (files, folders or globs)") }
        let contents: [String], styles: [String]
        do {
            // Absolute paths: the report and --resume then work from any working folder.
            let own = BatchFolder.ownOutputs(of: out)  // --out may be the content folder
            contents = try InputExpansion.expand(content, option: "--content", skipping: own, warn: Terminal.warn).map(absolute)
            styles = try InputExpansion.expand(style, option: "--style", skipping: own, warn: Terminal.warn).map(absolute)
        } catch { throw ValidationError("\(error)") }
        let base = try options.settings()
        let axes = try sweeps { try sweep.map { try SweepAxis.parse($0, base: base) } }
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
        if let jobs { try Check.range(jobs, "--jobs", 1...256) }
        for option in RunOption.all where !option.applies(to: .batch) && option.text(in: base) != option.defaultText {
            throw ValidationError("--\(option.key) does not apply to batch jobs (one content and one style image each)")
        }
        return Plan(jobs: BatchPlan.jobs(contents: contents, styles: styles, sweeps: axes, format: format.library), shard: shardSpec)
    }

    private func absolute(_ path: String) -> String { FileSystem.absolute(path) }

    /// A signal while planning (thousands of jobs take a second or two) ends the batch at
    /// once, with no job run: 128 + the signal number.
    func run() throws {
        do { try runBatch() } catch is BatchRunner.Stopped {
            Terminal.printError("stylize: stopped by \(Signals.name) while planning the batch; no job was run")
            throw ExitCode(Signals.exitStatus)
        }
    }

    func runBatch() throws {
        let plan = try plan()
        try BatchRunner.stopIfSignalled()
        let mine = plan.shard.map { BatchPlan.shard(plan.jobs, k: $0.k, n: $0.n) } ?? plan.jobs
        let records = out + "/runs.jsonl"
        var runner: BatchRunner
        do {
            try OutputLocation.prepareFolder(out, option: "--out")
            _ = try BatchFolderLock(folder: out)  // held until this process ends
            try OutputLocation.prepareFolder(out + "/logs", option: "--out")
            StaleTemporaries.remove(in: out)
            runner = BatchRunner(out: out, recordsPath: records, quiet: quiet)
            try runner.prepare(jobs: mine, base: try options.settings(), resume: resume, weightsPath: machine.weightsPath)
            try BatchFolder.checkOutputs(folder: out, jobs: mine)
            try runner.refuseOverwritingInputs()
            try runner.precheck()
            try runner.checkMemory()
        } catch let e as ValidationError { throw e } catch let e as BatchRunner.Stopped { throw e } catch let e as OverwriteError {
            throw ValidationError(e.description)
        } catch { throw fail(error) }

        // Jobs side by side share the process's memory: the default runs no more than fit.
        let available = MemoryBudget.usable(threads: machine.threads)
        // On a GPU as many jobs as its free memory holds run side by side, each on its own
        // stream (JobSlots.chooseOnGPU).
        let gpu = runner.pending.contains { $0.settings.device == .cuda || ($0.settings.device == .auto && GPUAvailability.problem == nil) }
        let slots = gpu
            ? JobSlots.chooseOnGPU(requested: jobs, threads: machine.threads, pending: runner.pending.count,
                                   deviceBytesPerJob: runner.gpuBytesPerJob, deviceFreeBytes: GPUAvailability.freeBytes,
                                   peakBytesPerJob: runner.peakBytesPerJob, availableBytes: available)
            : JobSlots.choose(requested: jobs, threads: machine.threads, pending: runner.pending.count,
                              peakBytesPerJob: runner.peakBytesPerJob, availableBytes: available)
        runner.share(slots)
        if gpu, let jobs, let free = GPUAvailability.freeBytes,
           Double(min(jobs, runner.pending.count)) * runner.gpuBytesPerJob + CostEstimate.gpuContextBytes > 0.9 * free {
            Terminal.warn("--jobs \(jobs): that many jobs at once may need \(MemoryBudget.text(Double(jobs) * runner.gpuBytesPerJob)) "
                          + "of GPU memory, more than the \(MemoryBudget.text(free)) free; without --jobs the batch runs as many as fit")
        }
        if let jobs, let available, Double(min(jobs, runner.pending.count)) * runner.peakBytesPerJob > 0.8 * available {
            Terminal.warn("--jobs \(jobs): that many jobs at once may need \(MemoryBudget.text(Double(jobs) * runner.peakBytesPerJob)), "
                          + "more than the \(MemoryBudget.text(available)) this process may use; without --jobs the batch runs as many as fit")
        }
        let shardText = plan.shard.map { " (\(mine.count) in shard \($0.k)/\($0.n))" } ?? ""
        Terminal.printError("batch: \(plan.jobs.count) job\(plan.jobs.count == 1 ? "" : "s")\(shardText), "
                            + "\(runner.skipped.count) already done, "
                            + (runner.pending.isEmpty ? "nothing left to run" : "\(runner.pending.count) to run; " + runner.estimateText(slots, gpu: gpu)))
        guard !runner.pending.isEmpty else {
            try finish(runner)
            return
        }
        try BatchRunner.stopIfSignalled()
        let weights: VGGWeights
        do { weights = try machine.loadWeights() } catch { throw fail(error) }
        try runner.plan(weights: weights)
        runner.runAll(weights: weights, slots: slots)
        try finish(runner)
    }

    /// Rebuilds the report, prints its path (stdout) and a one-line summary (stderr);
    /// exits 130 after an interruption and 1 if any job failed.
    func finish(_ runner: BatchRunner) throws {
        let index: String
        do { index = try BatchReport.write(folder: out) } catch { throw fail(error) }
        Terminal.printPath(index)
        let summary = "\(runner.done) done, \(runner.failed) failed, \(runner.skipped.count) skipped"
            + (runner.interrupted ? ", interrupted" : "") + String(format: " in %.0f s", runner.seconds)
        if runner.interrupted {
            Terminal.printError("stylize: batch stopped by \(Signals.name) (\(summary)); rerun with --resume to finish")
            throw ExitCode(Signals.exitStatus)
        }
        if runner.failed > 0 {
            Terminal.printError("stylize: error: \(runner.failed) of \(runner.done + runner.failed) jobs failed (\(summary)); see \(out)/runs.jsonl")
            throw ExitCode.failure
        }
        Terminal.printError("batch: \(summary); report \(index)")
    }
}

/// Runs `body`, wording its `SweepError` as a usage error that names `--sweep`.
func sweeps<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as SweepError {
        switch e {
        case .malformed(let text): throw ValidationError("--sweep '\(text)': expected NAME=V1,V2,… (e.g. style-weight=1e-4,1e-3)")
        case .unknown(let name):
            throw ValidationError("--sweep: unknown option '\(name)' (sweepable: \(SweepAxis.sweepable.joined(separator: ", ")))")
        case .emptyValue(let name, let text): throw ValidationError("--sweep \(name): empty value in '\(text)'")
        case .repeatedValue(let name, let text): throw ValidationError("--sweep \(name): a value is repeated in '\(text)'")
        case .twice(let name): throw ValidationError("--sweep \(name) is given twice")
        case .value(let settings, let error):
            throw ValidationError("--sweep \(settings.map { "\($0.name)=\($0.value)" }.joined(separator: " ")): \(error.flagged)")
        }
    }
}

/// `batch --format`: the job images' format (a single run takes it from `-o`'s extension).
enum BatchFormat: String, ExpressibleByArgument, CaseIterable {
    case png, jpg, webp
    var library: ImageFormat { self == .png ? .png : self == .jpg ? .jpeg : .webp }
}
