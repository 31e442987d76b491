import XCTest
@testable import StylizeKernels

/// Issue 18's cuts for many threads, and the thread model that found them: the Winograd
/// products cut into column blocks, the Gram matrix's upper part in tiles, the scratch
/// tensors' growth zeroed on every thread. Each cut must leave the bits as they were
/// (the same sums), and the model must count what it says.
final class ThreadSplitTests: XCTestCase {
    // MARK: - The thread model

    /// With a clock that each chunk advances by a known amount, a loop counts as its slowest
    /// chunk, the work between loops as it was, and the site and gap tables add up.
    func testThreadModelCountsTheSlowestChunk() {
        var clock: UInt64 = 0
        let model = ThreadModel(threads: 4, clock: { clock })
        let parallel = Parallel(modelling: 4, model: model)
        XCTAssertEqual(parallel.threads, 4)
        model.start()
        clock += 1_000_000  // 1 ms before the first loop
        var visited = [Int](repeating: 0, count: 8)
        parallel.forEachChunk(8, costPerItem: 1 << 20) { range in
            for i in range { visited[i] += 1 }
            clock += UInt64(range.lowerBound == 6 ? 5_000_000 : 1_000_000)  // the last chunk takes 5 ms
        }
        clock += 2_000_000  // 2 ms between the loops
        parallel.forEachChunk(8, costPerItem: 1 << 20) { range in
            // a loop inside a chunk runs inside that chunk's time
            parallel.forEachChunk(4, costPerItem: 1 << 20) { _ in clock += 500_000 }
        }
        parallel.forEachChunk(3, costPerItem: 1) { _ in clock += 7_000_000 }  // too small to split: no loop
        let r = model.finish()
        XCTAssertEqual(visited, Array(repeating: 1, count: 8), "every item once, in the real chunks")
        XCTAssertEqual(r.loops, 2)
        XCTAssertEqual(r.wall, 0.001 + 0.008 + 0.002 + 0.008 + 0.007, accuracy: 1e-12)
        XCTAssertEqual(r.work, 0.008 + 0.008, accuracy: 1e-12)
        XCTAssertEqual(r.critical, 0.005 + 0.002, accuracy: 1e-12)
        XCTAssertEqual(r.unsplit, 0.010, accuracy: 1e-12)
        XCTAssertEqual(r.modelled, 0.017, accuracy: 1e-12)
        XCTAssertEqual(r.sites.count, 2)
        XCTAssertEqual(r.sites.map(\.loops), [1, 1])
        XCTAssertEqual(r.sites.reduce(0) { $0 + $1.critical }, r.critical, accuracy: 1e-12)
        // The gaps cover all the stretch outside the loops (here the bookkeeping takes no clock time).
        XCTAssertEqual(r.wall - r.work, r.unsplit, accuracy: 1e-12)
        XCTAssertEqual(r.busy, r.wall, accuracy: 1e-12)
        XCTAssertTrue(r.sites[0].name.hasPrefix("StylizeKitTests/ThreadSplitTests.swift:"), r.sites[0].name)
        // the first (largest idle time: 4 · 5 − 8 ms) is the loop with the slow chunk
        XCTAssertEqual(r.sites[0].critical, 0.005, accuracy: 1e-12)
        // one loop per site: its average balance is its own (5 of 8 ms, 2 of 8 ms)
        XCTAssertEqual(r.sites[0].chunks, [0.001, 0.001, 0.001, 0.005])
        XCTAssertEqual(r.sites[0].steady, 0.005, accuracy: 1e-12)
        XCTAssertEqual(r.steady, 0.017, accuracy: 1e-12)
    }

    /// A modelled machine cuts every loop as a real one with that many threads: the same bits.
    func testModelledThreadsGiveTheRealThreadsBits() {
        let f = randomTensor(128, 21, 19, seed: 5, range: (0, 2))
        let (weight, bias) = WinogradTests.vggScaleWeights(128, 64, seed: 6)
        let g = randomTensor(64, 21, 19, seed: 7)
        func run(_ parallel: Parallel) -> [Float] {
            let conv = Conv3x3(inChannels: 128, outChannels: 64, weight: weight, bias: bias, algorithm: .winograd4)
            var out = Tensor3(zeros: 0, 0, 0), grad = Tensor3(zeros: 0, 0, 0), ws = Conv3x3.Workspace()
            conv.forward(f, into: &out, fuseReLU: true, workspace: &ws, parallel: parallel)
            conv.backwardInput(g, into: &grad, workspace: &ws, parallel: parallel)
            return out.data + grad.data + Gram.gram(of: f, parallel: parallel)
        }
        let model = ThreadModel(threads: 16)
        model.start()
        let modelled = run(Parallel(modelling: 16, model: model))
        XCTAssertGreaterThan(model.finish().loops, 0)
        XCTAssertEqual(modelled, run(Parallel(threads: 16)))
        XCTAssertEqual(modelled, run(.serial))
    }

    /// `STYLIZE_SPLIT=whole` (`ThreadSplit.fine` false) cuts as before the thread model, with
    /// the same bits: whole products, the Gram matrix in strips.
    func testWholeSplitGivesTheSameBits() {
        let f = randomTensor(64, 40, 44, seed: 21, range: (0, 2))
        let (weight, bias) = WinogradTests.vggScaleWeights(64, 64, seed: 22)
        func run() -> [Float] {
            let parallel = Parallel(threads: 16)
            let conv = Conv3x3(inChannels: 64, outChannels: 64, weight: weight, bias: bias, algorithm: .winograd4)
            var out = Tensor3(zeros: 0, 0, 0), grad = Tensor3(zeros: 0, 0, 0), ws = Conv3x3.Workspace()
            conv.forward(f, into: &out, fuseReLU: true, workspace: &ws, parallel: parallel)
            conv.backwardInput(out, into: &grad, workspace: &ws, parallel: parallel)
            return out.data + grad.data + Gram.gram(of: f, parallel: parallel)
        }
        XCTAssertTrue(ThreadSplit.fine, "the default")
        let fine = run()
        ThreadSplit.fine = false
        defer { ThreadSplit.fine = true }
        XCTAssertEqual(Winograd4.pieces(columns: 256, threads: 16, kernel: .avx512), 1)
        XCTAssertEqual(run(), fine)
    }

    // MARK: - Winograd products in column blocks

    func testWinogradPiecesFollowTheKernelsBlocks() {
        // 256 columns on 16 threads: whole products take 3 rounds of 6 blocks of 48 (18); halves
        // 5 of 3 (15); thirds (80, 80, 96 columns) 7 of 2 (14); quarters 9 of 2 (18).
        XCTAssertEqual(Winograd4.pieces(columns: 256, threads: 16, kernel: .avx512), 3)
        // AVX2's blocks of 16: halves (9 rounds of 8 blocks) tie quarters (18 of 4); the fewer pieces
        XCTAssertEqual(Winograd4.pieces(columns: 256, threads: 8, kernel: .avx2), 2)
        XCTAssertEqual(Winograd4.pieces(columns: 256, threads: 16, kernel: .avx2), 4)
        // 32 threads: 6 blocks of 32 or 48 columns, one kernel block each, in 7 rounds (thirds: 4
        // rounds of 2 blocks); 64 threads: thirds in 2 rounds of 2 blocks, as good as sixths in 4 of 1
        XCTAssertEqual(Winograd4.pieces(columns: 256, threads: 32, kernel: .avx512), 6)
        XCTAssertEqual(Winograd4.pieces(columns: 256, threads: 64, kernel: .avx512), 3)
        for threads in [1, 2, 3, 4, 6, 12, 18, 36] {
            XCTAssertEqual(Winograd4.pieces(columns: 256, threads: threads, kernel: .avx512), 1, "\(threads) threads divide 36")
        }
        XCTAssertEqual(Winograd4.pieces(columns: 256, threads: 16, kernel: .blas), 1, "OpenBLAS's products stay whole")
        XCTAssertEqual(Winograd4.pieces(columns: 40, threads: 16, kernel: .avx512), 1, "no piece under 32 columns")
        for n in [1, 17, 64, 100, 256, 272] {
            for p in 1...8 {
                let cuts = Winograd4.pieceCuts(columns: n, pieces: p)
                XCTAssertEqual(cuts.first, 0)
                XCTAssertEqual(cuts.last, n)
                XCTAssertEqual(cuts.count, p + 1)
                XCTAssertTrue(zip(cuts, cuts.dropFirst()).allSatisfy { $0 <= $1 } && cuts.dropLast().allSatisfy { $0 % 16 == 0 })
            }
        }
    }

    /// A layer whose products are cut (5, 8 and 16 threads) gives the bits of whole products
    /// (1 thread), forward and backward, with each of stylize's kernels.
    func testWinogradProductsInPiecesKeepTheBits() throws {
        let kernels = GEMMKernel.available.filter { $0 != .blas }
        if kernels.isEmpty { throw XCTSkip("this CPU has neither AVX2+FMA nor AVX-512F") }
        let (c, oc, h, w) = (64, 96, 64, 64)  // 16 × 16 = 256 tiles in one chunk: 2 to 4 pieces
        let (weight, bias) = WinogradTests.vggScaleWeights(c, oc, seed: 11)
        let x = WinogradTests.reluLike(c, h, w, seed: 12), g = randomTensor(oc, h, w, seed: 13)
        for kernel in kernels {
            XCTAssertGreaterThan(Winograd4.pieces(columns: 256, threads: 16, kernel: kernel), 1)
            func run(_ threads: Int) -> [Float] {
                let parallel = Parallel(threads: threads)
                let layer = Winograd4(weight: weight, outChannels: oc, inChannels: c, gemm: kernel, narrowGemm: kernel, parallel: parallel)
                var out = Tensor3(zeros: oc, h, w), grad = Tensor3(zeros: c, h, w), ws = Conv3x3.Workspace()
                layer.convolve(x, transposed: false, bias: bias, relu: true, into: &out, workspace: &ws, parallel: parallel)
                layer.convolve(g, transposed: true, into: &grad, workspace: &ws, parallel: parallel)
                return out.data + grad.data
            }
            let whole = run(1)
            for threads in [5, 8, 16] { XCTAssertEqual(run(threads), whole, "\(kernel), \(threads) threads") }
        }
    }

    // MARK: - The Gram matrix's tiles

    /// Every element of the upper part (from each strip's first row on) in exactly one tile,
    /// for every channel count and thread count; the cut a machine gets depends only on those.
    func testGramTilesCoverTheUpperPartOnce() {
        for n in [3, 64, 100, 128, 256, 512] {
            let strips = max(1, n / Gram.stripRows)
            for threads in [1, 2, 3, 7, 16, 64] {
                var seen = [Int](repeating: 0, count: n * n)
                let plan = GramTiles(channels: n, threads: threads).tiles
                XCTAssertEqual(GramTiles.planned(channels: n, threads: threads), plan, "the plan kept for the process")
                XCTAssertEqual(GramTiles.planned(channels: n, threads: threads), plan)
                for t in plan {
                    for i in t.r0..<t.r1 { for j in t.j0..<t.j1 { seen[i * n + j] += 1 } }
                }
                for i in 0..<n {
                    let s = (0..<strips).last { n * $0 / strips <= i }!
                    let first = n * s / strips
                    for j in 0..<n where seen[i * n + j] != (j >= first ? 1 : 0) {
                        return XCTFail("\(n) channels, \(threads) threads: element (\(i), \(j)) in \(seen[i * n + j]) tiles")
                    }
                }
            }
        }
        // relu1_1 on 16 threads: 16 tiles where the strips gave it 2 threads
        XCTAssertEqual(GramTiles(channels: 64, threads: 16).tiles.count, 16)
        XCTAssertEqual(GramTiles.slowest(GramTiles(channels: 64, threads: 16).tiles, threads: 16), 64 * 64 / 16)
    }

    // MARK: - Element-wise vector passes in slices

    /// Every index of `0..<n` in exactly one slice, slices on multiples of 16, at most one a
    /// thread (`VectorMath.forEachSlice`; `VectorBlockTests` checks the passes' bits).
    func testSlicesCoverEveryIndexOnce() {
        for threads in [1, 2, 3, 16] {
            let parallel = Parallel(threads: threads)
            for n in [0, 1, 100, 4096, 8191, 70_001, 165_074, 786_432] {
                var seen = [UInt8](repeating: 0, count: n)
                var slices: [Range<Int>] = []
                let lock = NSLock()
                seen.withUnsafeMutableBufferPointer { p in
                    let base = p.baseAddress
                    VectorMath.forEachSlice(n, parallel: parallel) { r in
                        for i in r { base![i] += 1 }
                        lock.lock(); slices.append(r); lock.unlock()
                    }
                }
                XCTAssertTrue(seen.allSatisfy { $0 == 1 }, "\(threads) threads, \(n) values")
                XCTAssertLessThanOrEqual(slices.count, threads)
                XCTAssertTrue(slices.allSatisfy { $0.lowerBound % 16 == 0 })
            }
        }
    }

    // MARK: - Growing scratch on every thread

    /// Growing within the capacity and beyond it, on 1 and 3 threads: the values kept stay,
    /// the new ones are zero, the count is exact; shrinking keeps the capacity.
    func testGrowingZeroesOnEveryThread() {
        for threads in [1, 3] {
            let parallel = Parallel(threads: threads)
            var a = (0..<300_000).map { Float($0 % 97) + 1 }
            a.resizeKeepingCapacity(to: 1000, parallel: parallel)
            XCTAssertEqual(a.count, 1000)
            XCTAssertGreaterThanOrEqual(a.capacity, 300_000, "shrinking keeps the storage")
            a.resizeKeepingCapacity(to: 250_000, parallel: parallel)  // within the capacity
            XCTAssertEqual(a.count, 250_000)
            XCTAssertEqual(Array(a[..<1000]), (0..<1000).map { Float($0 % 97) + 1 })
            XCTAssertTrue(a[1000...].allSatisfy { $0 == 0 }, "\(threads) threads: the grown values are zero")
            a.resizeKeepingCapacity(to: 1_000_000, parallel: parallel)  // beyond it: a new zeroed buffer
            XCTAssertEqual(a.count, 1_000_000)
            XCTAssertTrue(a.allSatisfy { $0 == 0 })
            var t = Tensor3(zeros: 2, 3, 4)
            t.data = (0..<24).map(Float.init)
            t.reshape(channels: 1, height: 2, width: 2, parallel: parallel)
            t.reshape(channels: 64, height: 64, width: 64, parallel: parallel)
            XCTAssertEqual(t.count, 64 * 64 * 64)
            XCTAssertEqual(t.data.count, t.count)
            XCTAssertTrue(t.data.allSatisfy { $0 == 0 }, "beyond the capacity nothing is copied")
        }
    }
}
