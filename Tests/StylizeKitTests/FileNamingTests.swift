import Foundation
@testable import StylizeKit
import XCTest

/// Names stylize makes up: the next free name when the default one is taken (issue 16, item 2).
final class FileNamingTests: XCTestCase {
    func testTheNextFreeNameKeepsTheFolderAndTheExtension() {
        var taken: Set = ["out/a_b.png", "out/a_b-2.png"]
        XCTAssertEqual(FileNaming.unused("out/a_b.png", isTaken: taken.contains), "out/a_b-3.png")
        XCTAssertEqual(FileNaming.unused("out/free.png", isTaken: taken.contains), "out/free.png")
        taken = ["a_b.png", "noext"]
        XCTAssertEqual(FileNaming.unused("a_b.png", isTaken: taken.contains), "a_b-2.png")
        XCTAssertEqual(FileNaming.unused("noext", isTaken: taken.contains), "noext-2")
    }

    /// A 255-byte name that is taken gets a free name of at most 255 bytes: the stem is cut
    /// (with its hash) to leave room for `-N.png`, and the cut names still differ by N.
    func testALongTakenNameIsCutToFit() {
        let long = String(repeating: "é", count: 125) + "x.png"
        XCTAssertEqual(long.utf8.count, 255)
        var taken: Set = [long]
        let second = FileNaming.unused(long, isTaken: taken.contains)
        taken.insert(second)
        let third = FileNaming.unused(long, isTaken: taken.contains)
        for name in [second, third] { XCTAssertLessThanOrEqual(name.utf8.count, 255, name) }
        XCTAssertTrue(second.hasSuffix("-2.png") && third.hasSuffix("-3.png"), "\(second) \(third)")
        XCTAssertTrue(second.hasPrefix(String(repeating: "é", count: 100)), second)
    }

    /// Anything at a path counts as taken, a dangling symbolic link too.
    func testEntryExistsSeesDanglingLinks() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("naming-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let link = dir.appendingPathComponent("a_b.png").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "nowhere.png")
        XCTAssertTrue(FileNaming.entryExists(link))
        XCTAssertEqual(FileNaming.unused(link), dir.appendingPathComponent("a_b-2.png").path)
    }
}
