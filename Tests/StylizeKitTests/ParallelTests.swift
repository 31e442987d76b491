import Dispatch
import Foundation
import XCTest
@testable import StylizeKernels

/// `Parallel.forEachChunk` on its pool of spinning helpers (`Sources/CKernels/pool.c`): every
/// item exactly once, in the same chunks whatever the thread count's helpers do, thousands of
/// loops in a row (each a new generation of the pool's word), loops started from inside a
/// loop or from two threads at once (run on the calling thread), and helpers that went to
/// sleep between loops.
final class ParallelTests: XCTestCase {
    /// Counts how often each item was visited, and which chunks were handed out.
    private final class Visits: @unchecked Sendable {
        let lock = NSLock()
        var counts: [Int]
        var chunks: [Range<Int>] = []
        init(_ n: Int) { counts = Array(repeating: 0, count: n) }
        func visit(_ r: Range<Int>) {
            lock.lock(); defer { lock.unlock() }
            chunks.append(r)
            for i in r { counts[i] += 1 }
        }
    }

    func testEveryItemOnceInFixedChunks() {
        for threads in [2, 3, 8] {
            let parallel = Parallel(threads: threads)
            for count in [2, 3, 7, 64, 1000] {
                for _ in 0..<50 {
                    let v = Visits(count)
                    parallel.forEachChunk(count, costPerItem: 1 << 20) { v.visit($0) }
                    XCTAssertEqual(v.counts, Array(repeating: 1, count: count), "threads \(threads), count \(count)")
                    let workers = min(threads, count)
                    let expected = (0..<workers).map { w in (count * w / workers)..<(count * (w + 1) / workers) }
                    XCTAssertEqual(v.chunks.sorted { $0.lowerBound < $1.lowerBound }, expected.filter { !$0.isEmpty })
                }
            }
        }
    }

    func testManyLoopsInARowSumExactly() {
        let parallel = Parallel(threads: 4)
        var data = [Int](repeating: 0, count: 4096)
        data.withUnsafeMutableBufferPointer { buf in
            let p = buf.baseAddress!
            for _ in 0..<20_000 {
                parallel.forEachChunk(4096, costPerItem: 64) { r in for i in r { p[i] += 1 } }
            }
        }
        XCTAssertEqual(data, Array(repeating: 20_000, count: 4096))
    }

    func testNestedAndConcurrentLoopsRunOnTheCallingThread() {
        let parallel = Parallel(threads: 2)
        // A loop inside a loop on the same value: the inner one finds the pool busy.
        let v = Visits(64)
        parallel.forEachChunk(2, costPerItem: 1 << 20) { outer in
            for o in outer {
                parallel.forEachChunk(32, costPerItem: 1 << 20) { inner in v.visit((o * 32 + inner.lowerBound)..<(o * 32 + inner.upperBound)) }
            }
        }
        XCTAssertEqual(v.counts, Array(repeating: 1, count: 64))
        // Two threads sharing one value, each with its own loops.
        let shared = Visits(2 * 512)
        DispatchQueue.concurrentPerform(iterations: 2) { t in
            for round in 0..<200 {
                let base = t * 512
                let local = Visits(512)
                parallel.forEachChunk(512, costPerItem: 1 << 10) { local.visit($0) }
                XCTAssertEqual(local.counts, Array(repeating: 1, count: 512))
                if round == 0 { shared.visit(base..<(base + 512)) }
            }
        }
        XCTAssertEqual(shared.counts, Array(repeating: 1, count: 1024))
    }

    func testHelpersThatSleptStillTakeWork() {
        let parallel = Parallel(threads: 2)
        for _ in 0..<3 {
            usleep(2_000)  // 2 ms: past the helpers' 200 µs of spinning, so they sleep
            let v = Visits(2)
            let onHelper = Visits(1)
            let caller = pthread_self()
            parallel.forEachChunk(2, costPerItem: 1 << 20) { r in
                usleep(5_000)  // long enough for a woken helper to take the other item
                if pthread_equal(pthread_self(), caller) == 0 { onHelper.visit(0..<1) }
                v.visit(r)
            }
            XCTAssertEqual(v.counts, [1, 1])
            XCTAssertEqual(onHelper.counts, [1], "one of the two items ran on a helper")
        }
    }
}
