import Foundation

/// The edges of a run: read the images, write the log, the `--save-every` images and the
/// output. Used by `stylize` (transfer) and `stylize batch` for each job.
extension StyleTransfer {
    /// Reads the images, runs the schedule and writes `outputPath` atomically (also when the
    /// run is cancelled or the loss becomes non-finite: then the image so far, or the last
    /// finite one, is written before `StyleTransferError` is thrown).
    ///
    /// `progress` gets every report and the run (for its current image); returning false
    /// cancels. `shouldStop` is polled before every evaluation.
    ///
    /// `weights` is consumed: once the network is built (its convolutions keep what they
    /// need, transformed), the raw weights are released, about 59 MB for VGG16, unless the
    /// caller keeps a copy (a batch does, for its next job).
    public static func run(configuration c: StyleTransferConfiguration, weights: consuming VGGWeights,
                           progress: (IterationReport, StyleTransfer) -> Bool = { _, _ in true },
                           shouldStop: @escaping () -> Bool = { false }) throws -> StyleTransferOutcome {
        let transfer = try StyleTransfer(configuration: c, weights: weights, images: TransferImages.load(c))  // last use: released here
        var log = try c.logPath.map { try RunLog(path: $0) }
        var logError: Error?
        let outcome: StyleTransferOutcome
        do {
            outcome = try transfer.run(progress: { report in
                do { try log?.append(report) } catch { logError = error; return false }
                if c.saveEvery > 0 && report.iteration > 0 && report.iteration % c.saveEvery == 0
                    && report.iteration < report.totalIterations && !report.startsScale {
                    do {
                        try PNGCodec.write(transfer.outputImage, to: intermediatePath(c.outputPath, iteration: report.iteration))
                    } catch { logError = error; return false }
                }
                return progress(report, transfer)
            }, shouldStop: shouldStop)
        } catch OptimizerError.nonFiniteLoss(let iteration, _) {
            try PNGCodec.write(transfer.outputImage, to: c.outputPath)
            throw StyleTransferError.nonFinite(iteration: iteration, keptAt: c.outputPath)
        }
        try PNGCodec.write(transfer.outputImage, to: c.outputPath)
        if let logError { throw logError }
        if outcome.cancelled { throw StyleTransferError.cancelled(iteration: outcome.iterations, keptAt: c.outputPath) }
        return outcome
    }

    /// `dir/name.png` → `dir/name_iter0050.png`.
    public static func intermediatePath(_ output: String, iteration: Int) -> String {
        let url = URL(fileURLWithPath: output)
        let stem = url.deletingPathExtension().lastPathComponent
        let number = String(iteration)
        let padded = String(repeating: "0", count: max(0, 4 - number.count)) + number
        return url.deletingLastPathComponent().appendingPathComponent("\(stem)_iter\(padded).png").path
    }
}
