import Dispatch

/// Splits loops over independent items (channels, rows) across the worker threads
/// chosen with `--threads`. OpenBLAS has its own pool; this one is for StylizeKit's
/// memory-bound kernels (im2col, pooling, ReLU, loss terms).
public enum Parallel {
    /// Worker count for StylizeKit's own loops. Set once at start-up, with `BLAS.setThreads`.
    nonisolated(unsafe) public static var threads: Int = 1

    /// Calls `body(range)` for contiguous chunks covering `0..<count`, concurrently when
    /// `threads > 1` and the work is large enough to be worth a hand-off
    /// (`count * costPerItem` ≥ 32 768). Chunks never overlap, so a body that writes only
    /// its own items needs no locking.
    public static func forEachChunk(_ count: Int, costPerItem: Int = 1, _ body: (Range<Int>) -> Void) {
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
