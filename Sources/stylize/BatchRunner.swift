import ArgumentParser
import Foundation
import StylizeKit

/// The job loop of `stylize batch`: decides what to skip on `--resume`, runs the rest one
/// after the other with the weights loaded once, and appends one record per finished job.
struct BatchRunner {
    struct Prepared {
        let job: BatchJob
        let options: RunOptions
        let params: [String: String]
    }

    let out: String
    let recordsPath: String
    let quiet: Bool
    /// `--threads` of every job's engine.
    let threads: Int
    private(set) var pending: [Prepared] = []
    private(set) var skipped: [Prepared] = []
    private(set) var done = 0, failed = 0
    private(set) var interrupted = false
    private(set) var seconds = 0.0

    init(out: String, recordsPath: String, quiet: Bool, threads: Int) {
        self.out = out; self.recordsPath = recordsPath; self.quiet = quiet; self.threads = threads
    }

    /// Resolves each job's options (sweep applied) and, with `resume`, skips jobs whose latest
    /// `done` record has the same inputs and params and whose output file exists.
    mutating func prepare(jobs: [BatchJob], options: RunOptions, resume: Bool) throws {
        let previous = resume ? RunRecord.read(folder: out).filter { $0.status == .done } : []
        for job in jobs {
            let o = try options.with(job.settings)
            let p = Prepared(job: job, options: o, params: Dictionary(uniqueKeysWithValues: o.params))
            let finished = previous.contains {
                $0.output == job.outputName && $0.content == job.content && $0.style == job.style
                    && RunOptions.sameRun(recorded: $0.params, current: p.params)
            }
            if finished && FileManager.default.fileExists(atPath: out + "/" + job.outputName) {
                skipped.append(p)
            } else {
                pending.append(p)
            }
        }
    }

    /// No job's image or log may be an input of any job (content, style, `--init` file).
    func refuseOverwritingInputs() throws {
        let all = pending + skipped
        var inputs: [(String, String)] = []
        for p in all {
            inputs += [("content image", p.job.content), ("style image", p.job.style)]
            if !RunOptions.initWords.contains(p.options.initialization) { inputs.append(("--init image", p.options.initialization)) }
            if let m = p.options.styleMasks { inputs += ((try? RunOptions.pathList(m, "--style-masks")) ?? []).map { ("style mask", $0) } }
        }
        let outputs = all.flatMap { [("batch output", out + "/" + $0.job.outputName), ("batch log", out + "/logs/" + $0.job.stem + ".jsonl")] }
        try PathIdentity.refuseOverwrite(outputs: outputs, inputs: inputs)
    }

    /// Every pending job's layer names against the loaded network, before any job runs.
    func checkLayers(in weights: VGGWeights) throws {
        for p in pending {
            do { try p.options.checkLayers(in: weights) } catch let e as ValidationError {
                let sweep = p.job.settings.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
                throw ValidationError(sweep.isEmpty ? e.message : "--sweep \(sweep): \(e.message)")
            }
        }
    }

    /// Every pending job's `--style-masks` against its content image, from the headers
    /// (exit 64), before any job runs.
    func checkMasks() throws {
        for p in pending where p.options.styleMasks != nil {
            do { try p.options.checkMasks(content: p.job.content, styleCount: 1) } catch let e as ValidationError {
                let sweep = p.job.settings.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
                throw ValidationError("\(p.job.outputName): \(sweep.isEmpty ? "" : "--sweep \(sweep): ")\(e.message)")
            }
        }
    }

    /// `estimate: up to 12 s and 0.09 GB peak per job, about 1 min in all (2 threads, …)`.
    /// Square images are assumed, so this is an upper bound for other shapes.
    func estimateText(threads: Int) -> String {
        let each = pending.map { p -> (seconds: Double, bytes: Double) in
            let o = p.options
            let schedule = ScaleSchedule(width: o.size, height: o.size, minSize: o.minSize, factor: o.scaleFactor,
                                         iterations: o.iterations, coarseIterations: o.coarseIterations)
            return (CostEstimate.seconds(schedule, threads: threads),
                    CostEstimate.peakBytes(pixels: o.size * o.size, history: o.optimizer == .lbfgs ? o.historySize : 1))
        }
        let total = each.reduce(0) { $0 + $1.seconds }
        let slowest = each.map(\.seconds).max() ?? 0, biggest = each.map(\.bytes).max() ?? 0
        return String(format: "estimate: up to %@ and %.2f GB peak per job, about %@ in all (%d thread%@, measured on a 2-core AVX2 host; yours may differ 2x)",
                      NumberText.duration(slowest), biggest / 1e9, NumberText.duration(total), threads, threads == 1 ? "" : "s")
    }

    /// Runs the pending jobs in order. On a signal the current job stops at its next
    /// evaluation, writes its image and is recorded as `interrupted`; no further job starts.
    mutating func runAll(weights: VGGWeights) {
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
    private func run(_ p: Prepared, weights: VGGWeights) -> RunRecord {
        let start = Date()
        let job = p.job
        let logName = "logs/\(job.stem).jsonl"
        var record = RunRecord(job: job.index, content: job.content, style: job.style, output: job.outputName,
                               log: logName, params: p.params, sweep: job.settings, status: .failed)
        var c = StyleTransferConfiguration(contentPath: job.content, stylePaths: [job.style],
                                           outputPath: out + "/" + job.outputName)
        c.logPath = out + "/" + logName
        var last: IterationReport?
        do {
            try p.options.apply(to: &c)
            c.threads = threads
            let progress = ProgressLine(quiet: quiet)
            let result = try StyleTransfer.run(configuration: c, weights: weights, progress: { r, _ in
                last = r
                progress.show(r)
                return true
            }, shouldStop: { Signals.requested }, warn: { progress.warn("\(job.outputName): \($0)") })
            progress.finish(result)
            record.status = .done
            record.final = RunRecord.Final(result.final, styleWeight: result.styleWeight)
            record.iterations = result.iterations
            record.evaluations = result.evaluations
        } catch {
            if case StyleTransferError.cancelled = error { record.status = .interrupted }
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
