import Dispatch
import Foundation
import XCTest
@testable import StylizeKit

/// The engine's per-instance settings: engines with different thread counts and workspace
/// budgets, running at the same time in one process, give the same bits as one engine with
/// one thread and the same budget. Every GEMM is a single-threaded OpenBLAS call on a block of
/// columns and no kernel sums across threads, so the thread count changes no value, and
/// nothing is shared between instances. (The budget does change the GEMMs' widths, and with
/// them OpenBLAS' kernels: a different budget agrees only to rounding.)
final class EngineTests: RealNetworkTestCase {
    func testResultsDoNotDependOnThreadsWorkspaceOrOtherEnginesRunningAtTheSameTime() throws {
        // 78×52: the Gram depths (4056, 1014, 247 positions) are not multiples of OpenBLAS'
        // blocking, where its own threading changed the bits (docs/EXPERIMENTS.md).
        let network = try VGGNetwork(weights: weights, pooling: .max, through: "relu5_1")
        let content = randomTensor(3, 52, 78, seed: 1, range: (-110, 120))
        let style = randomTensor(3, 52, 78, seed: 2, range: (-110, 120))
        let x = randomTensor(3, 52, 78, seed: 3, range: (-110, 120))
        func evaluate(threads: Int, workspaceBudget: Int) throws -> (terms: LossTerms, gradient: [Float]) {
            let engine = CPUEngine(network: network, threads: threads, workspaceBudget: workspaceBudget)
            let objective = try StyleTransferObjective(
                engine: engine, content: content, styles: [style], contentLayers: ["relu4_2"],
                styleLayers: ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"],
                weights: LossWeights(content: 5, style: 1e-3, tv: 1))
            let (terms, gradient) = try objective.evaluate(x)
            return (terms, try XCTUnwrap(gradient).data)
        }
        // 1 << 16 floats cuts conv1_1 into bands of a few rows and every Winograd layer into
        // many tile chunks.
        let small = 1 << 16
        let reference = [Conv3x3.Workspace.defaultBudget: try evaluate(threads: 1, workspaceBudget: Conv3x3.Workspace.defaultBudget),
                         small: try evaluate(threads: 1, workspaceBudget: small)]
        XCTAssertGreaterThan(reference[small]!.terms.style, 0)
        XCTAssertEqual(reference[small]!.terms.total, reference[Conv3x3.Workspace.defaultBudget]!.terms.total,
                       accuracy: 1e-5 * reference[small]!.terms.total)

        // (threads, workspace budget), all at the same time. 16 threads once cut the relu1_1
        // style gradient's product into blocks small enough for OpenBLAS' small-matrix path,
        // which rounds differently (`BLAS.sgemm(…, parallel:)`).
        let settings = [(2, Conv3x3.Workspace.defaultBudget), (3, small), (2, small), (16, Conv3x3.Workspace.defaultBudget)]
        let lock = NSLock()
        var results: [Int: (terms: LossTerms, gradient: [Float])] = [:]
        var failures: [String] = []
        DispatchQueue.concurrentPerform(iterations: settings.count) { i in
            do {
                let r = try evaluate(threads: settings[i].0, workspaceBudget: settings[i].1)
                lock.withLock { results[i] = r }
            } catch {
                lock.withLock { failures.append("\(error)") }
            }
        }
        XCTAssertEqual(failures, [])
        for (i, (threads, budget)) in settings.enumerated() {
            let r = try XCTUnwrap(results[i])
            XCTAssertEqual(r.terms, reference[budget]!.terms, "\(threads) threads, budget \(budget)")
            XCTAssertTrue(r.gradient == reference[budget]!.gradient, "\(threads) threads, budget \(budget): gradients differ")
        }
    }
}
