import XCTest
@testable import StylizeKit

final class SmokeTests: XCTestCase {
    func testTensorIndexing() {
        var t = Tensor3(zeros: 2, 3, 4)
        t[1, 2, 3] = 5
        XCTAssertEqual(t.data[23], 5)
    }
}
