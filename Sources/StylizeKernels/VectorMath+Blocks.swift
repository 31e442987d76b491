/// The vector passes split into fixed blocks, so that they can run on every thread and still
/// give one set of bits.
///
/// A vector of `n` values is cut into blocks of `blockSize` (the last one shorter). Element-wise
/// work is the same whoever does it; each sum is taken in index order inside a block (as the
/// serial pass takes it over a whole vector), and the blocks' partial sums are then added in
/// block order on the calling thread. The blocks depend only on `n`, never on the thread count,
/// so the result of a pass is the same with 1 thread or 64. A vector of at most one block gives
/// exactly the serial pass's result.
///
/// Why: at 512² a vector is 786 432 values (24 blocks), and L-BFGS makes about 130 passes over
/// such vectors an iteration with a 30-pair history (the two-loop recursion, the line search,
/// the curvature pair). Serial, they took 69–72 ms an iteration at 512² on the 2-core
/// development host (`stylize-bench vectors`), about 9 % of a 2-thread evaluation, with the
/// other threads idle, and would be about half of a 16-thread one (issue 18); on two threads
/// they take 43–47 ms (docs/EXPERIMENTS.md, *A new host, four more final iterations, …*).
extension VectorMath {
    /// Values per block: 128 KB of Floats, so a block of two or three vectors stays in L2.
    public static let blockSize = 1 << 15

    /// The number of blocks of an `n`-value vector.
    @inlinable static func blockCount(_ n: Int) -> Int { (n + blockSize - 1) / blockSize }

    /// Calls `body(range)` for every block's index range, on `parallel`'s threads. Blocks of
    /// `block` values (`blockSize` unless a caller fixes another size of its own; never one
    /// that depends on the thread count). `site` names the caller for `ThreadModel`'s table.
    static func forEachBlock(_ n: Int, block: Int = blockSize, parallel: Parallel,
                             site: StaticString = #fileID, line: UInt = #line, _ body: (Range<Int>) -> Void) {
        parallel.forEachChunk((n + block - 1) / block, costPerItem: block, site: site, line: line) { blocks in
            for b in blocks { body(b * block ..< min(n, (b + 1) * block)) }
        }
    }

    /// Calls `body(range)` for one slice of `0..<n` a thread (cuts on multiples of 16 values),
    /// for element-wise passes, whose values do not depend on how the vector is cut. Blocks
    /// would do too, but 24 of them (512²) on 16 threads leave the slowest thread 2 where 1.5
    /// would be even. With slices, the thread model (`stylize-bench vectors 512 --model 16`)
    /// put the optimizer's work per iteration at 7.0–7.7 ms against 8.2–8.9 ms (66 ms on one
    /// thread); the sums keep their blocks, which fix their bits.
    static func forEachSlice(_ n: Int, parallel: Parallel, _ body: (Range<Int>) -> Void) {
        let slices = max(1, min(parallel.threads, n / 4096))
        parallel.forEachChunk(slices, costPerItem: n / slices) { chunk in
            for s in chunk {
                let lo = (n * s / slices) & ~15, hi = s == slices - 1 ? n : (n * (s + 1) / slices) & ~15
                if lo < hi { body(lo..<hi) }
            }
        }
    }

    /// Each block's `k` results, `body(range, out)` writing them to `out[0..<k]`; block `b`'s
    /// are at `b·k ..< (b+1)·k` of the array returned.
    static func blockResults(_ n: Int, _ k: Int, block: Int = blockSize, parallel: Parallel,
                             site: StaticString = #fileID, line: UInt = #line,
                             _ body: (Range<Int>, UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        var partial = [Double](repeating: 0, count: (n + block - 1) / block * k)
        partial.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            forEachBlock(n, block: block, parallel: parallel, site: site, line: line) { range in
                body(range, base + (range.lowerBound / block) * k)
            }
        }
        return partial
    }

    /// `k` Double sums over the blocks of an `n`-value vector: `body(range, out)` writes a
    /// block's `k` partial sums (taken in index order), which are then added in block order.
    static func blockSums(_ n: Int, _ k: Int, block: Int = blockSize, parallel: Parallel,
                          site: StaticString = #fileID, line: UInt = #line,
                          _ body: (Range<Int>, UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        let partial = blockResults(n, k, block: block, parallel: parallel, site: site, line: line, body)
        var total = [Double](repeating: 0, count: k)
        for b in 0..<partial.count / max(k, 1) {
            for j in 0..<k { total[j] = b == 0 ? partial[j] : total[j] + partial[b * k + j] }
        }
        return total
    }

    /// `Σ a[i]·b[i]`: each block as `dot` sums it, the blocks added in order.
    public static func dot(_ a: [Float], _ b: [Float], parallel: Parallel) -> Double {
        precondition(a.count == b.count, "dot of \(a.count) and \(b.count) values")
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                let a = pa.baseAddress!, b = pb.baseAddress!
                return blockSums(pa.count, 1, parallel: parallel) { r, out in
                    out[0] = dot(a + r.lowerBound, b + r.lowerBound, count: r.count)
                }[0]
            }
        }
    }

    /// `y[i] += alpha · x[i]`, on `parallel`'s threads.
    public static func axpy(_ alpha: Float, _ x: [Float], _ y: inout [Float], parallel: Parallel = .serial) {
        precondition(x.count == y.count, "axpy of \(x.count) into \(y.count) values")
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                let x = px.baseAddress!, y = py.baseAddress!
                forEachSlice(px.count, parallel: parallel) { r in
                    for i in r { y[i] += alpha * x[i] }
                }
            }
        }
    }

    /// `x[i] *= alpha`, on `parallel`'s threads.
    public static func scale(_ alpha: Float, _ x: inout [Float], parallel: Parallel = .serial) {
        x.withUnsafeMutableBufferPointer { p in
            let x = p.baseAddress!
            forEachSlice(p.count, parallel: parallel) { r in
                for i in r { x[i] *= alpha }
            }
        }
    }

    /// `y[i] = x[i]`, reusing `y`'s storage, on `parallel`'s threads.
    public static func copy(_ x: [Float], into y: inout [Float], parallel: Parallel = .serial) {
        precondition(x.count == y.count, "copy of \(x.count) into \(y.count) values")
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                let x = px.baseAddress!, y = py.baseAddress!
                forEachSlice(px.count, parallel: parallel) { r in
                    (y + r.lowerBound).update(from: x + r.lowerBound, count: r.count)
                }
            }
        }
    }

    /// `max |x[i]|` (0 for an empty vector), on `parallel`'s threads (a maximum does not
    /// depend on the order).
    public static func maxAbs(_ x: [Float], parallel: Parallel = .serial) -> Double {
        x.withUnsafeBufferPointer { p in
            let x = p.baseAddress!
            return blockResults(p.count, 1, parallel: parallel) { r, out in
                out[0] = maxAbs(x + r.lowerBound, count: r.count)
            }.reduce(0) { max($0, $1) }
        }
    }
}
