/// How a tile chunk's 36 products are shared out over the threads.
///
/// With `T` threads and whole products, the slowest thread runs `⌈36 / T⌉` of them: on 16
/// threads 3 where 2.25 would be even, a 75 % ceiling on the layers' largest part (the thread
/// model of `stylize-bench threads` put 44 % of a modelled 16-thread evaluation at 512² there).
/// So each product can be cut into `pieces` blocks of columns (tiles), and the threads take
/// `36 · pieces` items. A column of `M[ξ]` is the same sum however the columns are cut in
/// stylize's kernels, so the bits do not change; OpenBLAS's products stay whole, since its
/// small-matrix path rounds narrow blocks differently (docs/EXPERIMENTS.md, *Thread counts and
/// bits*).
///
/// The kernels compute `NR` columns at a time (48 in the AVX-512F kernel, 16 in the AVX2 one)
/// with the last block masked, so a cut can cost lanes: a 256-tile product is 6 blocks of 48
/// whole, two 128-column halves are 3 each, but four 64-column quarters are 2 each (8 in all).
/// `pieces` takes the count (up to 8, no block under 32 columns) whose slowest thread runs the
/// fewest blocks, the fewer pieces of counts as good: 3 for 256 tiles on 16 or 64 threads, 6 (blocks
/// of 32 and 48 columns) on 32.
extension Winograd4 {
    /// Column blocks per product for products of `n` columns in `kernel` on `threads` threads.
    static func pieces(columns n: Int, threads: Int, kernel: GEMMKernel) -> Int {
        guard ThreadSplit.fine, kernel != .blas, threads > 1, 36 % threads != 0 else { return 1 }
        let nr = kernel == .avx512 ? 48 : 16
        var best = 1, bestCost = Int.max
        for p in 1...8 {
            let cuts = pieceCuts(columns: n, pieces: p)
            guard zip(cuts, cuts.dropFirst()).allSatisfy({ $1 - $0 >= 32 }) else { break }
            let widest = zip(cuts, cuts.dropFirst()).map { ($1 - $0 + nr - 1) / nr }.max()!
            let cost = (36 * p + threads - 1) / threads * widest
            if cost < bestCost { best = p; bestCost = cost }
        }
        return best
    }

    /// The first column of each of `pieces` blocks of `n` columns, and `n`: cuts on multiples
    /// of 16, as `BLAS.sgemm(…, parallel:)` cuts.
    static func pieceCuts(columns n: Int, pieces: Int) -> [Int] {
        (0...pieces).map { q in q == pieces ? n : (n * q / pieces) & ~15 }
    }
}
