import Foundation

/// How `Gram.gram(of:)` shares the upper part of `G = F · Fᵀ` out over the threads.
///
/// Each element of `G` is one sum over every position, and stylize's kernels compute it in the
/// same order however the rows and columns of `G` are cut, so any cut gives the whole product's
/// bits (`KernelTests.testGramHalfIsTheWholeProductsBits`). Before, each 64-row strip was one
/// product split by columns, at most one thread per 32 columns: a 64-channel layer (`relu1_1`,
/// the largest at 262 144 positions at 512²) could use 2 threads, and each strip was a loop of
/// its own with fewer columns than the one before. The thread model (`stylize-bench threads`)
/// put a fifth of a modelled 16-thread evaluation at 512² in those loops, with 16 threads
/// idle for 413 of every 510 thread-ms.
///
/// Now the upper part is cut into tiles, `rows` rows of a strip by up to `columns` columns
/// from the diagonal on, and one loop runs them all. The cut is the one whose slowest thread
/// (tiles go to threads in contiguous runs, as `Parallel.forEachChunk` deals them) has the
/// fewest multiply-adds; of cuts as good, the one that reads the fewest rows of `F` (each
/// tile reads its own, and at 512² `relu1_1`'s rows are 1 MB each), then the fewest tiles.
/// Costing the kernel's masked columns instead (a 16-column block as dear as a 48-column one
/// in the AVX-512F kernel) picked 48 + 16 columns for two threads, and the 48 took 82 % of
/// the time: with 262 144 positions the tile's rows of `F`, not its multiply-adds, set the pace.
/// Since the twenty-fifth session such layers are summed in blocks of positions first
/// (`Gram.positionBlocks`), and the tiles are cut for the threads each block gets.
struct GramTiles {
    struct Tile: Equatable { let r0, r1, j0, j1: Int }
    let tiles: [Tile]

    /// Rows of `G` are cut in strips of `Gram.stripRows`.
    init(channels n: Int, threads: Int) {
        var best: [Tile] = [], bestCost = (Int.max, Int.max, Int.max)
        for rows in [64, 32, 16, 8] {
            for columns in [Int.max, 768, 512, 384, 256, 192, 128, 96, 64, 48, 32, 16] {
                let tiles = GramTiles.cut(channels: n, rows: rows, columns: columns)
                let cost = (GramTiles.slowest(tiles, threads: threads), tiles.reduce(0) { $0 + $1.r1 - $1.r0 + $1.j1 - $1.j0 },
                            tiles.count)
                if cost < bestCost { best = tiles; bestCost = cost }
            }
        }
        tiles = best
    }

    /// The cut for `n` channels on `threads` threads, planned once per process: the choice
    /// tries 48 cuts (11–69 µs for 64–512 channels on 16 threads, all of it on one thread),
    /// and every evaluation asks again for each style layer.
    static func planned(channels n: Int, threads: Int) -> [Tile] {
        lock.lock()
        defer { lock.unlock() }
        let key = [n, threads]
        if let tiles = plans[key] { return tiles }
        let tiles = GramTiles(channels: n, threads: threads).tiles
        plans[key] = tiles
        return tiles
    }
    private static let lock = NSLock()
    nonisolated(unsafe) private static var plans: [[Int]: [Tile]] = [:]

    /// Strips of `Gram.stripRows` rows (equal ones, as `gram(of:)` cut them), each cut into
    /// `rows`-row bands and its columns from the diagonal on into `columns`-wide blocks.
    static func cut(channels n: Int, rows: Int, columns: Int) -> [Tile] {
        var tiles: [Tile] = []
        let first = Gram.stripStarts(n)
        for (i0, i1) in zip(first, first.dropFirst()) {
            var r0 = i0
            while r0 < i1 {
                let r1 = min(i1, r0 + rows)
                var j0 = i0
                while j0 < n {
                    let j1 = columns >= n - j0 ? n : j0 + columns
                    tiles.append(Tile(r0: r0, r1: r1, j0: j0, j1: j1))
                    j0 = j1
                }
                r0 = r1
            }
        }
        return tiles
    }

    /// Multiply-adds per position of the slowest of `threads` contiguous runs of `tiles`.
    static func slowest(_ tiles: [Tile], threads: Int) -> Int {
        let workers = min(threads, tiles.count)
        return (0..<workers).map { w in
            tiles[tiles.count * w / workers ..< tiles.count * (w + 1) / workers].reduce(0) { $0 + ($1.r1 - $1.r0) * ($1.j1 - $1.j0) }
        }.max() ?? 0
    }
}
