import ArgumentParser
import Foundation
import StylizeKit

/// `stylize [transfer] CONTENT STYLE [STYLE…] [options]`
struct TransferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Stylize one content image with one or more style images (the default command).",
        discussion: """
        Runs coarse to fine: the image is first optimized at --min-size (128 px), then \
        upsampled and optimized again at sizes growing by at most --scale-factor (1.414) up to \
        --size, with --coarse-iterations at each smaller scale and --iterations at the last. \
        Content and style targets are recomputed at every scale. --min-size equal to --size \
        gives the classic single-scale run. Pixels are kept inside 0-255 throughout (a \
        projected L-BFGS), so the saved PNG is the image the optimizer reached. On SIGINT, \
        SIGTERM or SIGHUP the image so far is written and its path printed, and the exit \
        status is 128 + the signal number (130, 143, 129); a second signal ends at once.
        """
    )

    @Argument(help: "The content image (PNG).")
    var content: String

    @Argument(help: "One or more style images (PNG). Several are blended.")
    var styles: [String] = []

    @OptionGroup var settings: TransferOptions

    mutating func validate() throws {
        guard !styles.isEmpty else { throw ValidationError("missing the style image: stylize CONTENT STYLE [STYLE…]") }
    }

    func run() throws { try settings.run(content: content, styles: styles) }
}

/// The options of `stylize [transfer]`. A group of their own so that the shell completions
/// can offer them at the top level, where the default command reads them (`stylize --po<TAB>`).
struct TransferOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("Output PNG (default: <content>_<style>.png in the current folder).", valueName: "file"))
    var output: String?

    @OptionGroup var options: RunOptions

    @Option(help: ArgumentHelp("Also write the image every N iterations, as <output>_iterNNNN.png.", valueName: "N"))
    var saveEvery: Int = 0

    @Option(help: ArgumentHelp("Write one JSON line per iteration to this file.", valueName: "file"))
    var log: String?

    @Option(help: ArgumentHelp("Every N iterations (and at iteration 0), write montages of the generated image's activations (0: off).", valueName: "N"))
    var dumpEvery: Int = 0

    @Option(help: ArgumentHelp("Layers for --dump-every, comma-separated.", valueName: "layers"))
    var dumpLayers: String = "relu2_1,relu4_2"

    @Option(help: ArgumentHelp("Folder for --dump-every: DIR/iterNNNN/<layer>.png (+ <layer>-gram.png).", valueName: "dir"))
    var dumpDir: String = "dumps"

    @OptionGroup var machine: MachineOptions

    @Flag(help: "No progress on stderr.")
    var quiet = false

    mutating func validate() throws {
        try Check.range(saveEvery, "--save-every", 0...Check.maxIterations)
        try Check.range(dumpEvery, "--dump-every", 0...Check.maxIterations)
        _ = try RunOptions.layerList(dumpLayers, "--dump-layers")
    }

    func run(content: String, styles: [String]) throws {
        machine.configureThreads()
        var c = StyleTransferConfiguration(contentPath: content, stylePaths: styles,
                                           outputPath: output ?? Self.defaultOutputPath(content: content, styles: styles))
        try options.apply(to: &c)
        c.saveEvery = saveEvery
        c.logPath = log
        try checkOutputs(c, content: content, styles: styles)
        try oneLineErrors {
            try options.checkMasks(content: content, styleCount: styles.count)
            let weights = try machine.loadWeights()
            try options.checkLayers(in: weights)
            let dumpLayerNames = try RunOptions.layerList(dumpLayers, "--dump-layers")
            if dumpEvery > 0 { try Check.layers(dumpLayerNames, "--dump-layers", in: weights) }
            let dumps = dumpEvery > 0 ? try ActivationDumps(weights: weights, layers: dumpLayerNames,
                                                            pooling: options.pooling.library, directory: dumpDir) : nil
            if Signals.requested {
                Terminal.printError("stylize: stopped by \(Signals.name) before the run started; nothing was written")
                throw ExitCode(Signals.exitStatus)
            }
            let progress = ProgressLine(quiet: quiet)
            var dumpError: Error?
            do {
                let result = try StyleTransfer.run(configuration: c, weights: consume weights, progress: { report, transfer in
                    progress.show(report)
                    guard let dumps, !report.startsScale || report.iteration == 0, report.iteration % dumpEvery == 0 else { return true }
                    do { try dumps.write(transfer.image, iteration: report.iteration) } catch { dumpError = error; return false }
                    return true
                }, shouldStop: { Signals.requested }, warn: { progress.warn($0) })
                progress.finish(result)
                print(c.outputPath)
            } catch StyleTransferError.cancelled(let iteration, let path) where dumpError == nil {
                progress.interrupted()
                print(path)
                Terminal.printError("stylize: stopped by \(Signals.name) at iteration \(iteration); the image so far is in '\(path)'")
                throw ExitCode(Signals.exitStatus)
            } catch NetworkError.imageTooSmall(let w, let h, let layer, let minimum) {
                throw ValidationError("--size \(options.size) is too small for this image: at \(w)x\(h), \(layer) would be empty; "
                                      + "each side must be at least \(minimum) px (--size sets the longest side, the other follows the aspect ratio)")
            } catch {
                throw dumpError ?? error
            }
        }
    }


    /// Before any work: no output may replace an input, and every output location must be
    /// writable (`-o`, `--log`, and the folder of `--dump-dir`).
    func checkOutputs(_ c: StyleTransferConfiguration, content: String, styles: [String]) throws {
        var inputs = [("content image", content)] + styles.map { ("style image", $0) }
        if case .file(let path) = c.initialization { inputs.append(("--init image", path)) }
        inputs += (c.styleMaskPaths ?? []).map { ("style mask", $0) }
        var outputs = [("-o", c.outputPath)]
        if let log { outputs.append(("--log", log)) }
        do {
            try PathIdentity.refuseOverwrite(outputs: outputs, inputs: inputs)
            if let log, PathIdentity.same(log, c.outputPath) {
                throw OverwriteError(description: "--log '\(log)' is the output image '\(c.outputPath)'; give the log another name")
            }
        } catch let e as OverwriteError { throw ValidationError(e.description) }
        do {
            for (option, path) in outputs { try OutputLocation.checkFile(path, option: option, inPlace: option == "--log") }
            if dumpEvery > 0 {
                try OutputLocation.checkFolder(dumpDir, option: "--dump-dir")
                try ActivationDumps.checkExistingOutputs(directory: dumpDir, layers: RunOptions.layerList(dumpLayers, "--dump-layers"))
            }
        } catch { throw fail(error) }
    }

    /// `<content>_<style>.png` in the current folder; with several styles,
    /// `<content>_<style1>_<style2>….png` (cut to a legal length, see `FileNaming.outputName`).
    static func defaultOutputPath(content: String, styles: [String]) -> String {
        FileNaming.outputName(stems: ([content] + styles).map(FileNaming.stem))
    }
}
