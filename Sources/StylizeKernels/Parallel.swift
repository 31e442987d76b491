import Dispatch

/// How many threads a kernel may use: split loops over independent items (channels, rows,
/// GEMM columns) across them. Each engine instance holds its own value (`--threads`) and
/// passes it to every kernel it calls, so runs with different thread counts in one process
/// do not interfere. OpenBLAS' own thread pool is never used (see `BLAS`).
public struct Parallel: Sendable, Equatable {
    /// Worker threads, at least 1.
    public let threads: Int

    public init(threads: Int) {
        precondition(threads >= 1, "thread count must be positive, got \(threads)")
        self.threads = threads
    }

    /// Everything on the calling thread.
    public static let serial = Parallel(threads: 1)

    /// Calls `body(range)` for contiguous chunks covering `0..<count`, concurrently when
    /// `threads > 1` and the work is large enough to be worth a hand-off
    /// (`count * costPerItem` ≥ 32 768). Chunks never overlap, so a body that writes only
    /// its own items needs no locking.
    public func forEachChunk(_ count: Int, costPerItem: Int = 1, _ body: (Range<Int>) -> Void) {
        let workers = min(threads, count)
        if workers <= 1 || count * costPerItem < 32_768 {
            if count > 0 { body(0..<count) }
            return
        }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let lo = count * w / workers, hi = count * (w + 1) / workers
                if lo < hi { body(lo..<hi) }
            }
        }
    }
}
