import Foundation
import StylizeKit
import XCTest

/// Issue 15, item 8: a run that cannot fit in memory is refused before any work, in one line
/// with what it needs and what there is.
extension CLITests {
    /// Runs `stylize arguments` under `ulimit -v kB` (through bash), timed.
    func runUnderAddressLimit(_ kB: Int, _ arguments: [String]) throws -> (Outcome, Double) {
        let start = Date()
        let o = try run(["-c", "ulimit -v \(kB) && exec \"$0\" \"$@\"", binary.path] + arguments, executable: "/bin/bash")
        return (o, Date().timeIntervalSince(start))
    }

    /// Whether the binaries this suite starts count the copy of the Winograd weights packed for
    /// stylize's kernels in their estimates (`CostEstimate.fixedBytes`: 0.16 GB more): they are
    /// pinned to this process's kernels (`CLITests.sameGEMMInChildren`), so they keep it exactly
    /// when stylize's kernels run this process's Winograd products (a pin leaves
    /// `STYLIZE_GEMM_NARROW` without effect).
    static var withPackedWeights: Bool { GEMMKernel.chosen(for: .winograd) != .blas }

    /// `--size 8192` under a 6 GB address-space limit: one line, exit 1, well under a second,
    /// in a transfer and in a batch (naming the job). Before: `Fatal error: failed to allocate
    /// 11442061344 bytes`, a 50-line backtrace and exit 134, after loading everything.
    func testARunTooBigForUlimitIsRefusedInOneLine() throws {
        _ = try writeImage("c.png", width: 48, height: 32); _ = try writeImage("s.png", seed: 1)
        let gb = Self.withPackedWeights ? "98.09" : "97.93"
        let (o, seconds) = try runUnderAddressLimit(6_000_000, ["c.png", "s.png", "-o", "big.png", "--size", "8192", "--min-size", "8192",
                                                              "--weights", weights])
        assertOneLineError(o, status: 1, containing: "this run needs about \(gb) GB of address space at its peak (8192x5461 px), "
                           + "more than the 6.14 GB that ulimit -v (the address-space limit) allows; choose a smaller --size")
        XCTAssertLessThan(seconds, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("big.png").path))

        let (b, batchSeconds) = try runUnderAddressLimit(6_000_000, ["batch", "--content", "c.png", "--style", "s.png", "--out", "runs",
                                                                   "--sweep", "size=64,8192", "--weights", weights])
        assertOneLineError(b, status: 1, containing: "stylize: error: c__s__size-8192.png: this run needs about \(gb) GB of address space")
        XCTAssertLessThan(batchSeconds, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/runs.jsonl").path))
    }

    /// `--max-memory` (K, M, G, T in powers of 1000) refuses a run whose estimate is above
    /// it, in a transfer and a batch; it is checked as a number like every option.
    func testMaxMemoryRefusesARunAboveIt() throws {
        _ = try writeImage("c.png", width: 48, height: 32); _ = try writeImage("s.png", seed: 1)
        let o = try run(["c.png", "s.png", "-o", "out.png", "--size", "64", "--max-memory", "0.2G", "--weights", weights])
        let mb = Self.withPackedWeights ? 406 : 246
        assertOneLineError(o, status: 1, containing: "this run needs about \(mb) MB of memory at its peak (64x43 px), "
                           + "more than --max-memory 0.2G allows (200 MB); choose a smaller --size")
        let b = try run(["batch", "--content", "c.png", "--style", "s.png", "--out", "runs", "--max-memory", "1M", "--weights", weights])
        assertOneLineError(b, status: 1, containing: "c__s.png: this run needs about")
        XCTAssertTrue(b.stderr.contains("more than --max-memory 1M allows (1 MB)"), b.stderr)
        assertOneLineError(try run(["c.png", "s.png", "--max-memory", "0x10"]), status: 64,
                           containing: "--max-memory: '0x10' is not a number of bytes (e.g. 4G, 512M)")
        assertOneLineError(try run(["c.png", "s.png", "--max-memory", "-4G"]), status: 64,
                           containing: "--max-memory must be a number of bytes between 1 and 1e18, got -4G")
    }
}
