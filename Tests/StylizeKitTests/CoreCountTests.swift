import Foundation
import XCTest
@testable import StylizeKit

/// The default `--threads`: physical cores among those the process may use.
final class CoreCountTests: XCTestCase {
    func testCPUListsAsTheKernelWritesThem() {
        XCTAssertEqual(CoreCount.cpuList("0-3,8,10-11"), [0, 1, 2, 3, 8, 10, 11])
        XCTAssertEqual(CoreCount.cpuList("\t5\n"), [5])
        for bad in ["", "3-1", "-1", "a", "1-2-3", "0-999999999", "1,,x"] { XCTAssertNil(CoreCount.cpuList(bad), bad) }
    }

    /// On any Linux host: at least 1, at most the logical count, and exactly the number of
    /// distinct (package, core) pairs that `/sys` lists for the allowed CPUs, computed here
    /// from `lscpu`'s own view when it is installed.
    func testPhysicalCoresAreBetweenOneAndTheLogicalCount() throws {
        let n = CoreCount.physical()
        XCTAssertGreaterThanOrEqual(n, 1)
        XCTAssertLessThanOrEqual(n, ProcessInfo.processInfo.activeProcessorCount)
        let lscpu = ["/usr/bin/lscpu", "/bin/lscpu"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let lscpu else { throw XCTSkip("lscpu is not installed") }
        let p = Process(), pipe = Pipe()
        p.executableURL = URL(fileURLWithPath: lscpu)
        p.arguments = ["-p=CORE,SOCKET,ONLINE"]
        p.standardOutput = pipe
        try p.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let pairs = Set(text.split(separator: "\n").filter { !$0.hasPrefix("#") && $0.hasSuffix(",Y") }.map { $0.split(separator: ",").prefix(2).joined(separator: "/") })
        // lscpu lists every online CPU; the process may be confined to fewer.
        XCTAssertLessThanOrEqual(n, pairs.count)
        if ProcessInfo.processInfo.activeProcessorCount == text.split(separator: "\n").filter({ $0.hasSuffix(",Y") }).count {
            XCTAssertEqual(n, pairs.count, "no affinity limit: every online core counts")
        }
    }
}
