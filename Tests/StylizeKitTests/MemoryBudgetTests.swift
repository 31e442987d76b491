import XCTest
@testable import StylizeKit

/// `MemoryBudget`: the tightest limit a run exceeds is named, address-space limits count the
/// mappings besides the resident peak, and `--max-memory` reads K, M, G, T.
final class MemoryBudgetTests: XCTestCase {
    func testTheTightestLimitExceededIsNamed() {
        let limits = [MemoryBudget.Limit(source: "available on this machine (MemAvailable)", bytes: 8e9, addressSpace: false),
                      MemoryBudget.Limit(source: "left in this process's control group (its memory limit)", bytes: 2e9, addressSpace: false),
                      MemoryBudget.Limit(source: "that ulimit -v (the address-space limit) allows", bytes: 3e9, addressSpace: true)]
        XCTAssertNoThrow(try MemoryBudget.check(peak: 1.5e9, threads: 2, what: "x", limits: limits, reserve: false))
        XCTAssertThrowsError(try MemoryBudget.check(peak: 2.5e9, threads: 2, what: "1024x683 px", limits: limits, reserve: false)) {
            XCTAssertEqual("\($0)", "this run needs about 2.50 GB of memory at its peak (1024x683 px), more than the 2.00 GB "
                           + "left in this process's control group (its memory limit)")
        }
        // 1.9 GB resident fits the group, but with 0.7 GB of other mappings not the 2.5 GB address space.
        let tight = [MemoryBudget.Limit(source: "that ulimit -v (the address-space limit) allows", bytes: 2.5e9, addressSpace: true)]
        XCTAssertThrowsError(try MemoryBudget.check(peak: 1.9e9, threads: 2, what: "x", limits: tight, reserve: false)) {
            XCTAssertTrue("\($0)".hasPrefix("this run needs about 2.60 GB of address space at its peak (x), more than the 2.50 GB"), "\($0)")
        }
        XCTAssertThrowsError(try MemoryBudget.check(peak: 1.9e9, threads: 2, what: "x", maxMemory: ("--max-memory 1G", 1e9), limits: [],
                                                    reserve: false)) {
            XCTAssertEqual("\($0)", "this run needs about 1.90 GB of memory at its peak (x), more than --max-memory 1G allows (1.00 GB)")
        }
    }

    /// This process's own limits are read: a run of a few MB fits, and reserving its
    /// address space works; one of an exabyte does not, whatever the machine.
    func testThisProcesssLimitsAndReservation() throws {
        XCTAssertTrue(MemoryBudget.limits().contains { $0.source.contains("MemAvailable") && $0.bytes > 0 })
        XCTAssertNoThrow(try MemoryBudget.check(peak: 1e6, threads: 1, what: "x"))
        XCTAssertThrowsError(try MemoryBudget.check(peak: 1e18, threads: 1, what: "x", limits: []))  // the reservation fails
    }

    func testByteCountsReadDecimalNumbersWithSuffixes() throws {
        XCTAssertEqual(try ByteCount(optionText: "4G").bytes, 4e9)
        XCTAssertEqual(try ByteCount(optionText: "1.5g").bytes, 1.5e9)
        XCTAssertEqual(try ByteCount(optionText: "512M").bytes, 512e6)
        XCTAssertEqual(try ByteCount(optionText: "2T").bytes, 2e12)
        XCTAssertEqual(try ByteCount(optionText: "64k").bytes, 64e3)
        XCTAssertEqual(try ByteCount(optionText: "1000").bytes, 1000)
        for bad in ["G", "0x10", "4GB", "four"] { XCTAssertThrowsError(try ByteCount(optionText: bad), bad) }
        XCTAssertEqual(try RunSettings().setting("max-memory", to: "4G").maxMemory?.bytes, 4e9)
    }

    /// What jobs side by side share: the tightest limit, an address-space one less what a
    /// run maps besides its resident memory (0.5 GB + 0.1 GB a thread).
    func testUsableMemoryIsTheTightestLimit() {
        let ram = MemoryBudget.Limit(source: "ram", bytes: 8e9, addressSpace: false)
        let ulimit = MemoryBudget.Limit(source: "ulimit", bytes: 6e9, addressSpace: true)
        XCTAssertNil(MemoryBudget.usable(threads: 2, limits: []))
        XCTAssertEqual(MemoryBudget.usable(threads: 2, limits: [ram]), 8e9)
        XCTAssertEqual(MemoryBudget.usable(threads: 2, limits: [ram, ulimit])!, 5.3e9, accuracy: 1)
    }
}
