import Dispatch
import Foundation
import StylizeKit

/// `batch --jobs N` with N > 1: N worker threads take the pending jobs in order, each job
/// with its own engine (`JobSlots.threadsPerJob` threads) on the one loaded network. Every
/// job prints a line when it starts and one when it ends (no redrawn progress: N jobs
/// cannot share one line), and its record is appended as it ends, so records are in the
/// order jobs finish; each carries its job number. On a signal every running job stops at
/// its next evaluation, writes its image so far and is recorded as `interrupted`, and no
/// further job starts, as with one job at a time.
extension BatchRunner {
    mutating func runSideBySide(weights: VGGWeights, jobs: Int) {
        let start = Date()
        let board = JobBoard(count: pending.count)
        let group = DispatchGroup()
        let runner = self
        for _ in 0..<min(jobs, pending.count) {
            group.enter()
            // Own threads, not GCD's pool: a job runs for minutes, and its engine's kernels
            // use the pool themselves (Parallel.forEachChunk).
            let worker = Thread {
                defer { group.leave() }
                while let n = board.next() {
                    let p = runner.pending[n]
                    if !runner.quiet { board.say("[\(n + 1)/\(runner.pending.count)] \(p.job.outputName)") }
                    let record = runner.run(p, weights: weights, quiet: true)
                    board.finish(record, of: p, number: n, runner: runner)
                }
            }
            worker.stackSize = 16 << 20
            worker.start()
        }
        group.wait()
        (done, failed, interrupted) = board.tally
        seconds = Date().timeIntervalSince(start)
    }
}

/// What the workers share, behind one lock: the next job to start, the counts, the stderr
/// lines and the records file.
private final class JobBoard: @unchecked Sendable {
    private let lock = NSLock()
    private let count: Int
    private var nextJob = 0
    private var done = 0, failed = 0, interrupted = false, stopped = false

    init(count: Int) { self.count = count }

    /// The next job to start, or nil when all have started or the batch is stopping.
    func next() -> Int? {
        lock.withLock {
            if Signals.requested { interrupted = true }
            guard !interrupted, !stopped, nextJob < count else { return nil }
            defer { nextJob += 1 }
            return nextJob
        }
    }

    func say(_ line: String) { lock.withLock { Terminal.printError(line) } }

    /// Counts the job's record, prints how it ended and appends the record; a records file
    /// that cannot be written stops the batch (without records, --resume cannot know what
    /// was done).
    func finish(_ record: RunRecord, of p: BatchRunner.Prepared, number n: Int, runner: BatchRunner) {
        lock.withLock {
            let name = "[\(n + 1)/\(count)] \(p.job.outputName)"
            switch record.status {
            case .done:
                done += 1
                if !runner.quiet {
                    Terminal.printError(String(format: "%@: done, %.1f s, final loss %@", name, record.seconds,
                                               NumberText.loss(record.final?.total ?? 0)))
                }
            case .failed:
                failed += 1
                Terminal.printError("batch: \(p.job.outputName) failed: \(record.error ?? "")")
            case .interrupted:
                interrupted = true
            }
            do { try RunRecord.append(record, to: runner.recordsPath) } catch {
                Terminal.printError("stylize: error: \(error)")
                failed += 1
                stopped = true
            }
        }
    }

    var tally: (Int, Int, Bool) { lock.withLock { (done, failed, interrupted) } }
}
