import XCTest
@testable import StylizeKernels

/// How the matrix products' kernels are chosen (`GEMMKernel.choice`): the timing, its rule, and
/// the check that leaves OpenBLAS out where it rounds a product computed in pieces differently.
final class GEMMCalibrationTests: XCTestCase {
    static var ourKernels: [GEMMKernel] { GEMMKernelTests.ourKernels }

    /// The process's choice follows its rule, for each kind of product: the role's holder (our
    /// fastest kernel for the Winograd products, OpenBLAS for the others) unless the other side
    /// beat it by 20 % in the calibration (or STYLIZE_GEMM pins one), and every candidate was
    /// timed.
    func testTheChoiceFollowsTheCalibration() {
        let choice = GEMMKernel.choice
        XCTAssertTrue(GEMMKernel.description.hasPrefix("GEMM: "))
        for role in GEMMKernel.Role.allCases {
            let chosen = GEMMKernel.chosen(for: role)
            XCTAssertTrue(GEMMKernel.available.contains(chosen))
            if choice.pinned { continue }
            let seconds = choice.seconds[role] ?? [:]
            XCTAssertEqual(Set(seconds.keys), Set(GEMMKernel.available), "\(role)")
            for (_, t) in seconds { XCTAssertGreaterThan(t, 0); XCTAssertLessThan(t, 1) }
            let blas = seconds[.blas]!
            if choice.piecesChangeBits.contains(role) {
                // OpenBLAS left out (its bits move when a product is split): our fastest.
                XCTAssertFalse(GEMMKernel.keepsBitsInPieces(role, kernel: .blas), "\(role)")
                XCTAssertNotEqual(chosen, .blas, "\(role)")
                for kernel in Self.ourKernels { XCTAssertGreaterThanOrEqual(seconds[kernel]!, seconds[chosen]!, "\(role)") }
            } else if chosen == .blas {
                for kernel in Self.ourKernels {
                    if role.oursByDefault {
                        XCTAssertLessThan(blas, 0.8 * seconds[kernel]!, "\(role)")
                    } else {
                        XCTAssertGreaterThanOrEqual(seconds[kernel]!, 0.8 * blas, "\(role)")
                    }
                }
            } else {
                if role.oursByDefault {
                    XCTAssertGreaterThanOrEqual(blas, 0.8 * seconds[chosen]!, "\(role)")
                } else {
                    XCTAssertLessThan(seconds[chosen]!, 0.8 * blas, "\(role)")
                }
                for kernel in Self.ourKernels { XCTAssertGreaterThanOrEqual(seconds[kernel]!, seconds[chosen]!, "\(role)") }
            }
            XCTAssertTrue(GEMMKernel.description.contains("for \(role.rawValue) products"), GEMMKernel.description)
        }
    }

    /// The rule on given times, whatever this host measures: our kernels hold the Winograd
    /// products until OpenBLAS is 20 % faster; OpenBLAS holds the others until ours are.
    func testTheHolderKeepsARoleUntilTheOtherSideIsTwentyPercentFaster() {
        // Winograd: ours held when level, 13 % slower or faster; OpenBLAS only below 0.8 of ours.
        XCTAssertTrue(GEMMKernel.oursRun(.winograd, ours: 1.0, blas: 1.0))
        XCTAssertTrue(GEMMKernel.oursRun(.winograd, ours: 1.0, blas: 0.87))
        XCTAssertTrue(GEMMKernel.oursRun(.winograd, ours: 0.87, blas: 1.0))
        XCTAssertTrue(GEMMKernel.oursRun(.winograd, ours: 1.0, blas: 0.80))
        XCTAssertFalse(GEMMKernel.oursRun(.winograd, ours: 1.0, blas: 0.79))
        // other products: OpenBLAS held when level or ours 16 % faster; ours only below 0.8 of it.
        XCTAssertFalse(GEMMKernel.oursRun(.general, ours: 1.0, blas: 1.0))
        XCTAssertFalse(GEMMKernel.oursRun(.general, ours: 0.84, blas: 1.0))
        XCTAssertFalse(GEMMKernel.oursRun(.general, ours: 0.80, blas: 1.0))
        XCTAssertTrue(GEMMKernel.oursRun(.general, ours: 0.79, blas: 1.0))
        XCTAssertFalse(GEMMKernel.oursRun(.general, ours: 2.0, blas: 1.0))
    }

    /// stylize's kernels give every probe product the same bits in pieces as whole, for both
    /// kinds of product (they are written so: `GEMMKernel+Pieces.swift`), and the choice never
    /// keeps OpenBLAS for a role where it does not, unless `STYLIZE_GEMM` pinned it or the CPU
    /// has no kernel of ours. With `OPENBLAS_CORETYPE=Haswell` on the 2-core EPYC the probe
    /// finds OpenBLAS' bits moving for both roles, and the suite passes with ours.
    func testOurKernelsKeepTheirBitsInPiecesAndOpenBLASOnlyWhereItDoes() {
        for kernel in Self.ourKernels {
            for role in GEMMKernel.Role.allCases {
                XCTAssertTrue(GEMMKernel.keepsBitsInPieces(role, kernel: kernel), "\(kernel) \(role)")
            }
        }
        let choice = GEMMKernel.choice
        guard !choice.pinned, !Self.ourKernels.isEmpty else { return }
        for role in GEMMKernel.Role.allCases {
            let blasKeeps = GEMMKernel.keepsBitsInPieces(role, kernel: .blas)
            XCTAssertEqual(choice.piecesChangeBits.contains(role), !blasKeeps, "\(role)")
            if !blasKeeps { XCTAssertNotEqual(GEMMKernel.chosen(for: role), .blas, "\(role)") }
        }
    }

    /// The calibration's candidates take turns: a stretch of five slow calls (a busy host)
    /// costs no candidate its best time, whereas timing five calls of one candidate and then
    /// the next would have put the whole stretch on one of them. Each candidate gets one
    /// untimed call and then `rounds` timed ones.
    func testASlowStretchFallsOnEveryCandidateAlike() {
        let usual: [GEMMKernel: Double] = [.blas: 1.0, .avx2: 1.5, .avx512: 0.9]
        let candidates: [GEMMKernel] = [.blas, .avx2, .avx512]
        for start in 0..<20 {
            var calls = 0, count: [GEMMKernel: Int] = [:]
            let best = GEMMKernel.bestTimes(candidates, rounds: 7) { kernel in
                defer { calls += 1 }
                count[kernel, default: 0] += 1
                return (start..<(start + 5)).contains(calls) ? 10 : usual[kernel]!
            }
            XCTAssertEqual(best, usual, "slow calls \(start)..<\(start + 5)")
            XCTAssertEqual(count, [.blas: 8, .avx2: 8, .avx512: 8])
        }
    }
}
