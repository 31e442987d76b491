import Foundation

/// The edges of a run: read the images, write the log, the `--save-every` images and the
/// output (each at `--bit-depth`, with the content's alpha when it has one). Used by
/// `stylize` (transfer) and `stylize batch` for each job.
extension StyleTransfer {
    /// Reads the images, runs the plan and writes the output atomically (also when the loss
    /// becomes non-finite: then the last finite image is written before `StyleTransferError`
    /// is thrown). A cancelled run never replaces the output or anything else: the image so
    /// far goes to the first free name of `partialPath` (`out.partial.png`,
    /// `out.partial-2.png`, …) and `RunCancelled` says which, and the image's size.
    ///
    /// `progress` gets every report and the run (for its current image); an error it throws
    /// ends the run. `shouldStop` is polled before every evaluation (signals).
    ///
    /// A log line or a `--save-every` image that cannot be written does not stop the run:
    /// `warn` gets one line, the log is given up, and the output is still written; a user
    /// whose disk filled up overnight keeps the image. Only the output itself is essential.
    /// `warn` also gets, before anything is read, the plan's `warnings` (settings
    /// that run but cannot do what was meant), and one line per input problem that does not
    /// stop the run (`TransferImages.load`).
    ///
    /// `weights` is consumed: once the network is built (its convolutions keep what they
    /// need, transformed), the raw weights are released, about 59 MB for VGG16, unless the
    /// caller keeps a copy (a batch does, for its next job). `backend`: the GPU's, for
    /// `--device cuda` (nil: the first NVIDIA GPU; tests pass an emulated one).
    public static func run(_ plan: RunPlan, weights: consuming VGGWeights,
                           progress: (IterationReport, StyleTransfer) throws -> Void = { _, _ in },
                           shouldStop: @escaping () -> Bool = { false },
                           warn: (String) -> Void = { _ in }, backend: (any GPUBackend)? = nil) throws -> StyleTransferOutcome {
        let c = plan.configuration
        let format = try c.outputFormat()
        for warning in plan.warnings { warn(warning) }
        let transfer = try StyleTransfer(plan: plan, weights: weights, images: TransferImages.load(plan, warn: warn),
                                         backend: backend)  // last use of the weights: released here
        if let note = transfer.deviceNote { warn(note) }
        var log = try c.logPath.map { try RunLog(path: $0) }
        let outcome: StyleTransferOutcome
        do {
            outcome = try transfer.run(progress: { report in
                do { try log?.append(report) } catch {
                    warn("\(error); the run goes on without a log")
                    log = nil
                }
                if c.saveEvery > 0 && report.iteration > 0 && report.iteration % c.saveEvery == 0
                    && report.iteration < report.totalIterations && !report.startsScale {
                    do {
                        try save(transfer, format, to: intermediatePath(c.outputPath, iteration: report.iteration))
                    } catch { warn("\(error); the run goes on") }
                }
                try progress(report, transfer)
            }, shouldStop: shouldStop)
        } catch OptimizerError.nonFiniteLoss(let iteration, _) {
            try save(transfer, format, to: c.outputPath, warn: warn)
            throw StyleTransferError.nonFinite(iteration: iteration, keptAt: c.outputPath)
        } catch let stop as RunCancelled {
            let image = transfer.outputImage
            let alpha = transfer.images.alpha(width: image.width, height: image.height)
            let written = try ImageFile.writeNew(image, alpha: alpha, as: format) { partialPath(c.outputPath, number: $0) }
            if let warning = written.encoded.transparencyWarning(path: written.path) { warn(warning) }
            throw RunCancelled(iteration: stop.iteration, keptAt: written.path,
                               size: RunPlan.Size(width: image.width, height: image.height))
        }
        try save(transfer, format, to: c.outputPath, warn: warn)
        return outcome
    }

    /// Plans `c` on `weights` and runs it (see `run(_:weights:…)`): for callers that need
    /// nothing from the plan first.
    public static func run(configuration c: StyleTransferConfiguration, weights: consuming VGGWeights,
                           progress: (IterationReport, StyleTransfer) throws -> Void = { _, _ in },
                           shouldStop: @escaping () -> Bool = { false },
                           warn: (String) -> Void = { _ in }) throws -> StyleTransferOutcome {
        let plan = try RunPlan.make(c, weights: weights)
        return try run(plan, weights: weights, progress: progress, shouldStop: shouldStop, warn: warn)
    }

    /// The image so far, as `format`, with the content's alpha resized to its size (kept
    /// when the content had transparency, except in a JPEG: then `warn` is told).
    static func save(_ transfer: StyleTransfer, _ format: OutputFormat, to path: String, warn: (String) -> Void = { _ in }) throws {
        let image = transfer.outputImage
        let written = try ImageFile.write(image, alpha: transfer.images.alpha(width: image.width, height: image.height),
                                          to: path, as: format)
        if let warning = written.transparencyWarning(path: path) { warn(warning) }
    }

    /// `dir/name.jpg` → `dir/name_iter0050.jpg`: snapshots keep the output's format.
    public static func intermediatePath(_ output: String, iteration: Int) -> String {
        derivedPath(output, stemSuffix: "_iter" + FileNaming.zeroPadded(iteration, width: 4))
    }

    /// `dir/name.jpg` → `dir/name.partial.jpg` (then `name.partial-2.jpg`, … for `number`
    /// 2, …): where an interrupted run puts its image so far, in the output's format. A
    /// long name is cut (with a hash, `FileNaming.fitted`) so that the name, its number and
    /// the temporary name it is written under fit the folder's `NAME_MAX`.
    public static func partialPath(_ output: String, number: Int = 1) -> String {
        let room = OutputLocation.nameMax(in: OutputLocation.parent(of: output)) - ".partial-1000.".utf8.count
        return derivedPath(output, stemSuffix: ".partial" + (number > 1 ? "-\(number)" : ""), nameBytes: room)
    }

    /// `dir/<stem><stemSuffix>.<ext>` for `dir/<stem>.<ext>` (`png` when it has none), the
    /// folder as written in `output`; `<stem>.<ext>` is cut to `nameBytes` first (`FileNaming.fitted`).
    static func derivedPath(_ output: String, stemSuffix: String, nameBytes: Int = .max) -> String {
        let name = OutputLocation.lastComponent(of: output)
        let folder = output.lastIndex(of: "/").map { String(output[...$0]) } ?? ""
        var stem = name, ext = "png"
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            stem = String(name[..<dot])
            ext = String(name[name.index(after: dot)...])
        }
        stem = FileNaming.fitted(stem, maxBytes: nameBytes - ext.utf8.count)
        return folder + stem + stemSuffix + "." + ext
    }
}
