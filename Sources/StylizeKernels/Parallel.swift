import CKernels

/// How many threads a kernel may use: split loops over independent items (channels, rows,
/// GEMM columns) across them. Each engine instance holds its own value (`--threads`) and
/// passes it to every kernel it calls, so runs with different thread counts in one process
/// do not interfere. OpenBLAS' own thread pool is never used (see `BLAS`).
///
/// The threads are a pool of `threads − 1` helpers of this value's own (`WorkerPool`, shared
/// by its copies and stopped with the last of them), started on the first concurrent loop.
/// An evaluation at 512² runs about a thousand such loops; handing each to Dispatch cost
/// 30–45 µs to wake a worker, the pool's spinning helpers take it in well under one
/// (docs/EXPERIMENTS.md, *A pool of spinning workers*).
public struct Parallel: Sendable, Equatable {
    /// Worker threads, at least 1.
    public let threads: Int
    private let pool: WorkerPool?
    /// Set only by `init(modelling:)` (`ThreadModel`).
    let model: ThreadModel?

    public init(threads: Int) {
        precondition(threads >= 1, "thread count must be positive, got \(threads)")
        self.threads = threads
        pool = threads > 1 ? WorkerPool(helpers: threads - 1) : nil
        model = nil
    }

    /// `threads` as every kernel sees it (the same chunks, so the same bits), but each loop's
    /// chunks run one after another on the calling thread and `model` times them: a model of a
    /// machine with that many cores for `stylize-bench threads` (`ThreadModel`).
    public init(modelling threads: Int, model: ThreadModel) {
        precondition(threads >= 1, "thread count must be positive, got \(threads)")
        self.threads = threads
        pool = nil
        self.model = model
    }

    /// Everything on the calling thread.
    public static let serial = Parallel(threads: 1)

    public static func == (a: Parallel, b: Parallel) -> Bool { a.threads == b.threads }

    /// Calls `body(range)` for contiguous chunks covering `0..<count`, concurrently when
    /// `threads > 1` and the work is large enough to be worth a hand-off
    /// (`count * costPerItem` ≥ 32 768). Chunks never overlap, so a body that writes only
    /// its own items needs no locking. The chunks depend only on `count` and `threads`, never
    /// on which thread runs them. A loop started from inside another on the same value (or from
    /// a second thread while one runs) runs its chunks on the calling thread.
    /// `site` names the calling loop for `ThreadModel`'s table.
    public func forEachChunk(_ count: Int, costPerItem: Int = 1, site: StaticString = #fileID, line: UInt = #line,
                             _ body: (Range<Int>) -> Void) {
        let workers = min(threads, count)
        if let model, workers > 1, count * costPerItem >= 32_768 {
            model.run(workers: workers, count: count, site: site, line: line, body)
            return
        }
        guard let pool, workers > 1, count * costPerItem >= 32_768 else {
            if count > 0 { body(0..<count) }
            return
        }
        pool.run(workers) { w in
            let lo = count * w / workers, hi = count * (w + 1) / workers
            if lo < hi { body(lo..<hi) }
        }
    }
}

/// The helper threads behind one `Parallel` value (`Sources/CKernels/pool.c`).
final class WorkerPool: @unchecked Sendable {
    private let pool: OpaquePointer?

    init(helpers: Int) {
        pool = stylize_pool_create(Int32(helpers))
    }

    deinit { stylize_pool_destroy(pool) }

    /// `task(i)` for every `i` in `0 ..< count`, concurrently; returns when all have returned.
    func run(_ count: Int, _ task: (Int) -> Void) {
        withoutActuallyEscaping(task) { task in
            var box = task
            withUnsafeMutablePointer(to: &box) { context in
                stylize_pool_run(pool, Int32(count), { raw, index in
                    raw!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(index))
                }, context)
            }
        }
    }
}
