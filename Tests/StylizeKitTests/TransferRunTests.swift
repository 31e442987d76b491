import XCTest
@testable import StylizeKit

/// The coarse-to-fine run on a synthetic 16/24-channel network (always runs), and a short
/// real run whose saved PNG must score like the optimizer's final image (needs the weights).
final class TransferRunTests: XCTestCase {
    func smoothImage(_ w: Int, _ h: Int, _ f: (Double, Double, Int) -> Double) -> RGBImage {
        var p = [Float](repeating: 0, count: w * h * 3)
        for y in 0..<h { for x in 0..<w { for c in 0..<3 {
            p[(y * w + x) * 3 + c] = Float(min(255, max(0, f(Double(x) / Double(w), Double(y) / Double(h), c))))
        } } }
        return RGBImage(width: w, height: h, pixels: p)
    }

    func syntheticRun(optimizer: OptimizerKind = .lbfgs, iterations: Int = 6, coarseIterations: Int = 4,
                      initialization: Initialization = .noise, coarseContent: CoarseContentLayers = .auto,
                      observe: (StyleTransfer, IterationReport) -> Void = { _, _ in }) throws
        -> (StyleTransfer, [IterationReport], [RGBImage], StyleTransferOutcome) {
        var c = StyleTransferConfiguration(contentPath: "", stylePaths: [""], outputPath: "")
        c.size = 48; c.minSize = 24; c.scaleFactor = 1.5; c.iterations = iterations; c.coarseIterations = coarseIterations
        c.initialization = initialization
        c.contentLayers = ["relu2_1"]; c.styleLayers = ["relu1_1", "relu2_1"]; c.coarseContentLayers = coarseContent
        c.contentWeight = 1; c.styleWeight = .fixed(1e-3); c.tvWeight = 1
        c.optimizer = optimizer; c.historySize = 5; c.learningRate = 5
        let images = TransferImages(
            content: smoothImage(48, 40) { x, y, c in 128 + 120 * sin(2 * .pi * (x + 0.7 * y + Double(c) / 3)) },
            styles: [smoothImage(48, 40) { x, y, c in 128 + 127 * cos(9 * x + Double(c)) * sin(7 * y) }], minimumStyleSide: 16)
        let transfer = try StyleTransfer(configuration: c, weights: syntheticWeights(c1: 16, c2: 24, seed: 9), images: images)
        var reports: [IterationReport] = [], snapshots: [RGBImage] = []
        let outcome = try transfer.run { r in
            reports.append(r)
            snapshots.append(transfer.currentImage)
            observe(transfer, r)
            // Every value stays inside the box a PNG can hold, before any clamping on output.
            let mean = transfer.network.meanBGR, plane = r.width * r.height
            for (i, v) in transfer.image.data.enumerated() {
                let m = mean[i / plane]
                if v < -m - 1e-3 || v > 255 - m + 1e-3 { XCTFail("value \(v + m) outside 0…255 at \(i), iteration \(r.iteration)"); return }
            }
        }
        return (transfer, reports, snapshots, outcome)
    }

    func testScalesCountingAndTheFinalReport() throws {
        let (transfer, reports, snapshots, outcome) = try syntheticRun()
        // 48 / 24 = 2 needs 2 steps of at most 1.5: ratio √2, so 24, 34, 48.
        XCTAssertEqual(transfer.schedule.scales.map(\.width), [24, 34, 48])
        XCTAssertEqual(reports.filter(\.startsScale).map(\.scale), [0, 1, 2])
        XCTAssertEqual(reports.filter(\.startsScale).map(\.width), [24, 34, 48])
        // Iterations count across scales; a scale's start repeats the previous iteration number.
        let steps = reports.filter { !$0.startsScale }
        XCTAssertEqual(steps.map(\.iteration), Array(1...steps.count))
        XCTAssertEqual(outcome.iterations, steps.count)
        XCTAssertEqual(reports.filter(\.startsScale).map(\.iteration), [0, 4, 8].map { min($0, steps.count) })
        XCTAssertEqual(reports.map(\.evaluations), reports.map(\.evaluations).sorted())
        XCTAssertGreaterThanOrEqual(outcome.evaluations, outcome.iterations)
        // Each later scale starts from the previous scale's result, resized, plus the photo's
        // detail between the two sizes (the photo at the new size less its coarser version
        // resized), kept within 0…255.
        for k in 1..<reports.count where reports[k].startsScale {
            let (w, h) = (reports[k].width, reports[k].height), previous = snapshots[k - 1]
            let up = previous.resized(width: w, height: h), fine = transfer.images.content(width: w, height: h)
            let coarse = transfer.images.content(width: previous.width, height: previous.height).resized(width: w, height: h)
            let expected = up.pixels.indices.map { min(max(up.pixels[$0] + fine.pixels[$0] - coarse.pixels[$0], 0), 255) }
            XCTAssertEqual(snapshots[k].pixels.count, expected.count)
            XCTAssertLessThan(zip(snapshots[k].pixels, expected).map { abs($0 - $1) }.max()!, 1e-3)
            // The detail is there: the start is not the plain upsampling (by many levels).
            XCTAssertGreaterThan(zip(snapshots[k].pixels, up.pixels).map { abs($0 - $1) }.max()!, 5)
        }
        // The last report is the final image, at the final size.
        let last = reports.last!
        XCTAssertEqual([last.width, last.height], [48, 40])
        let final = try transfer.objective(width: 48, height: 40).evaluate(transfer.image, gradient: false).terms
        XCTAssertEqual(last.terms.total, final.total, accuracy: 1e-6 * final.total)
        XCTAssertEqual(outcome.final.total, final.total, accuracy: 1e-6 * final.total)
        XCTAssertLessThan(last.terms.total, reports.filter(\.startsScale).last!.terms.total)
    }

    /// The scales before the last compare the content at `coarse-content-layers`, the last at
    /// `content-layers`: each scale's first report is that objective at its start image.
    func testCoarseScalesCompareTheirOwnContentLayers() throws {
        var starts: [(Tensor3, IterationReport)] = []
        let (transfer, _, _, _) = try syntheticRun(coarseContent: .layers(["relu1_2"])) { t, r in
            if r.startsScale { starts.append((t.image, r)) }
        }
        XCTAssertEqual(starts.map(\.1.scale), [0, 1, 2])
        func content(_ image: Tensor3, _ r: IterationReport, layers: [String]) throws -> Double {
            let mean = transfer.network.meanBGR
            let objective = try StyleTransferObjective(
                engine: transfer.engine,
                content: Preprocessing.tensor(from: transfer.images.content(width: r.width, height: r.height), meanBGR: mean),
                styles: transfer.images.styles(width: r.width, height: r.height).map { Preprocessing.tensor(from: $0, meanBGR: mean) },
                contentLayers: layers, styleLayers: ["relu1_1", "relu2_1"], weights: LossWeights(content: 1, style: 1e-3, tv: 1))
            return try objective.evaluate(image, gradient: false).terms.content
        }
        for (image, r) in starts {
            let coarse = try content(image, r, layers: ["relu1_2"]), final = try content(image, r, layers: ["relu2_1"])
            XCTAssertGreaterThan(abs(coarse - final), 0.01 * final, "the two layers must tell the scales apart")
            XCTAssertEqual(r.terms.content, r.scale < 2 ? coarse : final, accuracy: 1e-9 * final, "scale \(r.scale)")
        }
    }

    /// A run that is still at the photo when a scale ends (`--init content`, no coarse
    /// iterations) starts the next scale at the photo's own finer version, not at a blurred
    /// copy: to 1e-3 of a level, against 5–7 levels for the upsampling alone here.
    func testAScaleThatEndsAtThePhotoStartsTheNextAtTheSharperPhoto() throws {
        let (transfer, reports, snapshots, _) = try syntheticRun(iterations: 1, coarseIterations: 0, initialization: .content)
        let starts = reports.indices.filter { reports[$0].startsScale }
        XCTAssertEqual(starts.map { reports[$0].width }, [24, 34, 48])
        for (j, k) in starts.enumerated() where j > 0 {
            let (w, h) = (reports[k].width, reports[k].height)
            let photo = transfer.images.content(width: w, height: h)
            let blurred = transfer.images.content(width: reports[starts[j - 1]].width, height: reports[starts[j - 1]].height).resized(width: w, height: h)
            XCTAssertLessThan(zip(snapshots[k].pixels, photo.pixels).map { abs($0 - $1) }.max()!, 1e-3, "scale \(j)")
            XCTAssertGreaterThan(zip(blurred.pixels, photo.pixels).map { abs($0 - $1) }.max()!, 2, "scale \(j)")
        }
    }

    func testAdamAlsoEndsWithTheFinalImage() throws {
        let (transfer, reports, _, _) = try syntheticRun(optimizer: .adam)
        let final = try transfer.objective(width: 48, height: 40).evaluate(transfer.image, gradient: false).terms
        XCTAssertEqual(reports.last!.terms.total, final.total, accuracy: 1e-6 * final.total)
    }

    func testZeroIterationsEvaluatesTheStartOnceAtFullSize() throws {
        let (_, reports, _, outcome) = try syntheticRun(iterations: 0)
        XCTAssertEqual(reports.count, 1)
        XCTAssertEqual([reports[0].width, reports[0].height, reports[0].iteration, reports[0].evaluations], [48, 40, 0, 0])
        XCTAssertEqual(outcome.iterations, 0)
    }

    /// The point of keeping pixels in the box: the PNG on disk (8-bit, necessarily inside
    /// 0…255) scores within 5 % of the optimizer's final loss. A run that let values leave
    /// the box and clipped them on saving fails this (measured: the style term grows several-fold).
    func testSavedPNGScoresLikeTheOptimizersFinalImage() throws {
        let path = packagePath("weights/vgg16.safetensors")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: path), "needs weights/vgg16.safetensors (make weights)")
        let weights = try VGGWeights.load(from: path)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stylize-run-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var c = StyleTransferConfiguration(contentPath: packagePath("samples/content/astronaut.png"),
                                           stylePaths: [packagePath("samples/style/sunflowers.png")], outputPath: dir + "/out.png")
        c.size = 64; c.minSize = 32; c.iterations = 40; c.coarseIterations = 40
        let result = try StyleTransfer.run(configuration: c, weights: weights)
        var single = c
        single.minSize = c.size
        let transfer = try StyleTransfer(configuration: single, weights: weights, images: TransferImages.load(single, minimumSide: 16))
        let saved = try PNGCodec.read(path: c.outputPath)
        let objective = try transfer.objective(width: saved.width, height: saved.height)
        objective.weights.style = result.styleWeight  // the β the run ended with (auto's feedback may have raised it)
        let onDisk = try objective.evaluate(Preprocessing.tensor(from: saved, meanBGR: weights.meanBGR), gradient: false).terms
        XCTAssertLessThan(abs(onDisk.total / result.final.total - 1), 0.05, "saved \(onDisk.total), optimizer \(result.final.total)")
        XCTAssertEqual(result.width, 64)
    }
}
