import ArgumentParser
import Foundation
import StylizeKit

/// The job loop of `stylize batch`: decides what to skip on `--resume`, runs the rest one
/// after the other with the weights loaded once, and appends one record per finished job.
struct BatchRunner {
    struct Prepared {
        let job: BatchJob
        /// Its threads are set by `share(_:)` once the number of jobs side by side is known.
        var configuration: StyleTransferConfiguration
        let params: [String: String]
        var plan: RunPlan?
        var settings: RunSettings { configuration.settings }
        /// `--sweep a=1 b=2`, or empty.
        var sweepText: String { job.settings.map { "\($0.name)=\($0.value)" }.joined(separator: " ") }
    }

    let out: String
    let recordsPath: String
    let quiet: Bool
    private(set) var pending: [Prepared] = []
    private(set) var skipped: [Prepared] = []
    /// Set by the job loops (here and in BatchRunner+SideBySide.swift).
    var done = 0, failed = 0
    var interrupted = false
    var seconds = 0.0
    /// Each content image's size (or why it cannot be read), by `--max-megapixels` and path:
    /// its header is read once for all the jobs that share it.
    private var contentSizes: [String: Result<RunPlan.Size, Error>] = [:]

    init(out: String, recordsPath: String, quiet: Bool) {
        self.out = out; self.recordsPath = recordsPath; self.quiet = quiet
    }

    /// Resolves each job's settings (sweep applied) and, with `resume`, skips jobs whose
    /// latest `done` record has the same inputs and params and whose output file exists.
    mutating func prepare(jobs: [BatchJob], base: RunSettings, resume: Bool, weightsPath: String? = nil) throws {
        let previous = resume ? RunRecord.read(folder: out).filter { $0.status == .done } : []
        for job in jobs {
            try Self.stopIfSignalled()
            let settings = try sweeps { try base.applying(job.settings) }
            var c = StyleTransferConfiguration(contentPath: job.content, stylePaths: [job.style],
                                               outputPath: out + "/" + job.outputName, settings: settings)
            c.logPath = out + "/logs/" + job.stem + ".jsonl"
            c.weightsPath = weightsPath
            let p = Prepared(job: job, configuration: c, params: settings.paramsByKey)
            let finished = previous.contains {
                $0.output == job.outputName && $0.content == job.content && $0.style == job.style
                    && RunSettings.sameRun(recorded: $0.params, recordedAutomatic: $0.automaticIterations, current: p.params)
            }
            if finished && FileSystem.exists(c.outputPath) {
                skipped.append(p)
            } else {
                pending.append(p)
            }
        }
    }

    /// No job's image, image so far or log may be an input of any job (content, style,
    /// `--init` file, masks): each input is resolved once, each output looked up.
    func refuseOverwritingInputs() throws {
        let all = pending + skipped
        let inputs = FileIdentities(all.flatMap(\.configuration.inputs))
        for p in all {
            try Self.stopIfSignalled()
            for file in RunPlan.plannedFiles(p.configuration) {
                if let (role, input) = inputs.match(file.path) {
                    let what = file.key == "output" ? "batch output" : file.key == "partial" ? "batch image so far" : "batch log"
                    throw ValidationError("\(what) '\(file.path)' is the \(RunPlan.describe(role, TransferOptions.flag)) '\(input)'; refusing to overwrite an input (choose another output name)")
                }
            }
        }
    }

    /// What every pending job can have checked without the network (masks against its
    /// content image, from the headers), before any job runs: usage errors, exit 64.
    func precheck() throws {
        for p in pending where p.settings.styleMasks != nil {
            do { try RunPlan.precheck(p.configuration, naming: TransferOptions.flag) } catch PlanError.option(let e) {
                let text = p.sweepText.isEmpty ? e.flagged : "--sweep \(p.sweepText): \(e.problem.description)"
                throw ValidationError("\(p.job.outputName): \(text)")
            }
        }
    }

    /// Plans every pending job on the loaded network before any job runs: a layer a job
    /// names that the network lacks is a usage error naming the job's sweep. A job whose
    /// image cannot be read is left unplanned: it fails when its turn comes, and is recorded.
    /// The files were checked for the whole batch (`BatchFolder.checkOutputs`,
    /// `refuseOverwritingInputs`), and each content image's header is read once.
    mutating func plan(weights: VGGWeights) throws {
        for i in pending.indices {
            try Self.stopIfSignalled()
            let p = pending[i]
            let c = p.configuration
            do {
                pending[i].plan = try RunPlan.make(c, weights: weights, naming: TransferOptions.flag,
                                                   checkedFiles: RunPlan.plannedFiles(c), contentSize: contentSize(c).get())
            } catch PlanError.option(let e) {
                throw ValidationError(p.sweepText.isEmpty ? e.flagged : "--sweep \(p.sweepText): \(e.flagged)")
            } catch let e as PlanError {
                throw ValidationError(e.description)
            } catch {
                continue  // an unreadable input fails its own job, recorded, and the batch goes on
            }
        }
    }

    /// The size of `c`'s content image, from its header, read once per image.
    mutating func contentSize(_ c: StyleTransferConfiguration) -> Result<RunPlan.Size, Error> {
        let key = "\(c.settings.maxPixels) \(c.contentPath)"
        let size = contentSizes[key] ?? Result { try RunPlan.storedSize(c) }
        contentSizes[key] = size
        return size
    }

    /// The pending job that needs the most memory must fit (`RunPlan.checkMemory`), before
    /// the weights are read: the batch is refused with one line naming it, exit 1.
    mutating func checkMemory() throws {
        var biggest: (Prepared, RunPlan.Size, Double)?
        for p in pending {
            try Self.stopIfSignalled()
            guard let size = try? contentSize(p.configuration).get() else { continue }
            let s = p.settings
            let final = ScaleSchedule.dimensions(width: size.width, height: size.height, longestSide: s.size)
            let peak = RunPlan.estimatedPeak(s, final: RunPlan.Size(width: final.width, height: final.height))
            if peak > biggest?.2 ?? -1 { biggest = (p, size, peak) }
        }
        guard let (p, size, _) = biggest else { return }
        do { try RunPlan.checkMemory(p.configuration, contentSize: size, naming: TransferOptions.flag) } catch let e as MemoryError {
            throw MemoryError(description: "\(p.job.outputName): \(e.description)")
        }
    }

    /// Planning polls the signal flag between jobs: a batch of thousands of jobs stops at once.
    struct Stopped: Error {}

    static func stopIfSignalled() throws {
        if Signals.requested { throw Stopped() }
    }


    /// The largest peak memory of a pending job (square images assumed: an upper bound).
    var peakBytesPerJob: Double {
        pending.map { RunPlan.estimatedPeak($0.settings, final: RunPlan.Size(width: $0.settings.size, height: $0.settings.size)) }
            .max() ?? 0
    }

    /// The largest GPU memory of a pending job (square images assumed, as above).
    var gpuBytesPerJob: Double {
        pending.map { RunPlan.estimatedGPUPeak($0.settings, final: RunPlan.Size(width: $0.settings.size, height: $0.settings.size)) }
            .max() ?? 0
    }

    /// Gives every pending job's engine `slots.threadsPerJob` threads (before `plan`).
    mutating func share(_ slots: JobSlots) {
        for i in pending.indices { pending[i].configuration.threads = slots.threadsPerJob }
    }

    /// `estimate: up to 12 s and 0.09 GB peak per job, about 1 min in all (2 jobs side by
    /// side, 1 thread each, …)`. Square images are assumed, so this is an upper bound for
    /// other shapes. On a GPU (`gpu`) it gives each job's GPU memory instead of the times,
    /// which are the CPU engine's: `on the GPU: 1.1 GB of GPU memory per job (4 jobs side by
    /// side, …)`.
    func estimateText(_ slots: JobSlots, gpu: Bool = false) -> String {
        if gpu {
            return String(format: "on the GPU: %.2f GB of GPU memory and %.2f GB of memory per job (%@)",
                          gpuBytesPerJob / 1e9, peakBytesPerJob / 1e9, slots.description)
        }
        let each = pending.map { p -> Double in
            let o = p.settings
            let schedule = ScaleSchedule(width: o.size, height: o.size, settings: o)
            return CostEstimate.seconds(schedule, threads: slots.threadsPerJob)
        }
        return String(format: "estimate: up to %@ and %.2f GB peak per job, about %@ in all (%@; measured on a 2-core AVX2 host, yours may differ 2x)",
                      NumberText.duration(each.max() ?? 0), peakBytesPerJob / 1e9,
                      NumberText.duration(slots.wallSeconds(each)), slots.description)
    }

    /// Runs the pending jobs, `slots.jobs` at a time (BatchRunner+SideBySide.swift) or in
    /// order. On a signal the current job stops at its next evaluation, writes its image and
    /// is recorded as `interrupted`; no further job starts.
    mutating func runAll(weights: VGGWeights, slots: JobSlots) {
        guard slots.jobs == 1 else { return runSideBySide(weights: weights, jobs: slots.jobs) }
        let start = Date()
        defer { seconds = Date().timeIntervalSince(start) }
        for (n, p) in pending.enumerated() {
            if Signals.requested { interrupted = true; break }
            if !quiet { Terminal.printError("[\(n + 1)/\(pending.count)] \(p.job.outputName)") }
            let record = run(p, weights: weights)
            switch record.status {
            case .done: done += 1
            case .failed:
                failed += 1
                Terminal.printError("batch: \(p.job.outputName) failed: \(record.error ?? "")")
            case .interrupted: interrupted = true
            }
            do {
                try RunRecord.append(record, to: recordsPath)
            } catch {
                // Without records, --resume and the report cannot know what was done: stop.
                Terminal.printError("stylize: error: \(error)")
                failed += 1
                break
            }
            if interrupted { break }
        }
    }

    /// One job; never throws: failures become a `failed` record with a one-line error.
    /// `quiet` (jobs side by side) leaves out the progress lines.
    func run(_ p: Prepared, weights: VGGWeights, quiet: Bool? = nil) -> RunRecord {
        let quiet = quiet ?? self.quiet
        let start = Date()
        let job = p.job
        var record = RunRecord(job: job.index, content: job.content, style: job.style, output: job.outputName,
                               log: "logs/\(job.stem).jsonl", params: p.params, sweep: job.settings, status: .failed)
        record.automaticIterations = RunSettings.automaticIterations
        var last: IterationReport?
        do {
            let plan = try p.plan ?? RunPlan.make(p.configuration, weights: weights)
            let progress = ProgressLine(quiet: quiet)
            let result = try StyleTransfer.run(plan, weights: weights, progress: { r, _ in
                last = r
                progress.show(r)
            }, shouldStop: { Signals.requested }, warn: { progress.warn("\(job.outputName): \($0)") })
            progress.finish(result)
            record.status = .done
            record.engine = result.engine
            record.final = RunRecord.Final(result.final, styleWeight: result.styleWeight)
            record.iterations = result.iterations
            record.evaluations = result.evaluations
        } catch {
            if let stop = error as? RunCancelled {
                record.status = .interrupted
                record.partial = stop.keptAt.map { OutputLocation.lastComponent(of: $0) }
            }
            if !quiet && Terminal.isInteractive { Terminal.write("\n") }
            record.error = "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
            if let last {
                record.final = RunRecord.Final(last.terms, styleWeight: last.styleWeight)
                record.iterations = last.iteration
                record.evaluations = last.evaluations
            }
        }
        let elapsed = Date().timeIntervalSince(start)
        record.seconds = (elapsed * 1000).rounded() / 1000
        return record
    }
}
