import ArgumentParser
import Foundation
import StylizeKit

/// `stylize [transfer] CONTENT STYLE [STYLE…] [options]`
struct TransferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Stylize one content image with one or more style images (the default command).",
        discussion: """
        Runs coarse to fine: the image is first optimized at --min-size (\(RunSettings().minSize) px), then \
        upsampled and optimized again at sizes growing by at most --scale-factor \
        (\(String(format: "%.3f", RunSettings().scaleFactor))) up to --size, with --coarse-iterations at each smaller scale \
        and --iterations at the last. Content and style targets are recomputed at every scale. \
        --min-size at or above --size gives the classic single-scale run, which starts from \
        --init and so runs \(ScaleSchedule.defaultSingleScaleIterations) iterations unless --iterations is given. Pixels are kept inside \
        0-255 throughout (a projected L-BFGS), so the saved PNG is the image the optimizer \
        reached. On SIGINT, SIGTERM or SIGHUP the image so far is written beside the output \
        as <output>.partial.<ext> (never replacing a file: .partial-2, … when taken) and its path printed, and the exit status is 128 + the signal number (130, 143, 129); a second \
        signal ends at once.
        """
    )

    @Argument(help: "The content photo (PNG, JPEG or WebP).")
    var content: String

    @Argument(help: "One or more style images (PNG, JPEG or WebP). Several are blended.")
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
    @Option(name: .shortAndLong, help: ArgumentHelp("Output image; replaced if it exists (default: <content>_<style>.png in the current folder, or <content>_<style>-2.png, -3, … if that exists).", valueName: "file"))
    var output: String?

    @OptionGroup var options: RunOptions<TransferRun>

    @Option(parsing: .unconditional, help: ArgumentHelp("Also write the image every N iterations, as <output>_iterNNNN.png.", valueName: "N"))
    var saveEvery: Int = 0

    @Option(help: ArgumentHelp("Write one JSON line per iteration to this file.", valueName: "file"))
    var log: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Every N iterations (and at iteration 0), write montages of the generated image's activations (0: off).", valueName: "N"))
    var dumpEvery: Int = 0

    @Option(help: ArgumentHelp("Layers for --dump-every, comma-separated.", valueName: "layers"))
    var dumpLayers: String = ActivationDumps.defaultLayers.optionText

    @Option(help: ArgumentHelp("Folder for --dump-every: DIR/iterNNNN/<layer>.png (+ <layer>-gram.png).", valueName: "dir"))
    var dumpDir: String = ActivationDumps.defaultDirectory

    @OptionGroup var machine: MachineOptions

    @Flag(help: "No progress on stderr.")
    var quiet = false

    mutating func validate() throws {
        try Check.range(saveEvery, "--save-every", 0...RunOption.maxIterations)
        try Check.range(dumpEvery, "--dump-every", 0...RunOption.maxIterations)
        _ = try Check.layers(dumpLayers, "--dump-layers")
    }

    /// How the command line names an option key in messages.
    static func flag(_ key: String) -> String { key == "output" ? "-o" : "--" + key }

    func run(content: String, styles: [String]) throws {
        var c = StyleTransferConfiguration(contentPath: content, stylePaths: styles,
                                           outputPath: output ?? Self.defaultOutputPath(content: content, styles: styles),
                                           settings: try options.settings())
        if output == nil {  // only -o may replace a file: a made-up name takes the next free one
            let taken = c.outputPath
            c.outputPath = FileNaming.unused(taken)
            if c.outputPath != taken && !quiet { Terminal.printError("stylize: '\(taken)' exists; writing '\(c.outputPath)'") }
        }
        c.saveEvery = saveEvery
        c.logPath = log
        c.threads = machine.threads
        c.weightsPath = machine.weightsPath
        try oneLineErrors { _ = try planning { try RunPlan.precheck(c, naming: Self.flag) } }
        if dumpEvery > 0 {
            try oneLineErrors {
                try OutputLocation.checkFolder(dumpDir, option: "--dump-dir")
                try ActivationDumps.checkExistingOutputs(directory: dumpDir, layers: Check.layers(dumpLayers, "--dump-layers"))
            }
        }
        try oneLineErrors {
            // The content's header gives the output's size (an unreadable content is reported by the plan, below).
            if let size = try? RunPlan.storedSize(c) { try RunPlan.checkMemory(c, contentSize: size, naming: Self.flag) }
            let weights = try machine.loadWeights()
            let plan: RunPlan = try planning { try RunPlan.make(c, weights: weights, naming: Self.flag) }
            let dumpLayerNames: [String] = try Check.layers(dumpLayers, "--dump-layers")
            if dumpEvery > 0 { try Check.layers(dumpLayerNames, "--dump-layers", in: weights) }
            let dumps = dumpEvery > 0 ? try ActivationDumps(weights: weights, layers: dumpLayerNames,
                                                            pooling: c.pooling, directory: dumpDir,
                                                            threads: machine.threads) : nil
            if Signals.requested {
                Terminal.printError("stylize: stopped by \(Signals.name) before the run started; nothing was written")
                throw ExitCode(Signals.exitStatus)
            }
            let progress = ProgressLine(quiet: quiet)
            progress.plan = plan
            do {
                let result = try StyleTransfer.run(plan, weights: consume weights, progress: { report, transfer in
                    progress.show(report)
                    guard let dumps, !report.startsScale || report.iteration == 0, report.iteration % dumpEvery == 0 else { return }
                    try dumps.write(transfer.image, iteration: report.iteration)
                }, shouldStop: { Signals.requested }, warn: { progress.warn($0) })
                progress.finish(result)
                Terminal.printPath(c.outputPath)
            } catch let stop as RunCancelled {
                progress.interrupted()
                let kept = stop.keptAt ?? ""
                Terminal.printPath(kept)
                Terminal.printError("stylize: stopped by \(Signals.name) at iteration \(stop.iteration); the image so far is in '\(kept)'"
                                    + Self.sizeNote(stop.size, plan: plan))
                throw ExitCode(Signals.exitStatus)
            }
        }
    }

    /// ` (128x85, scale 1 of 5; --size 512 is 512x341)` when the image so far is smaller than
    /// the output (a coarse-to-fine run stopped before its last scale), else nothing.
    static func sizeNote(_ size: RunPlan.Size?, plan: RunPlan) -> String {
        guard let size, let last = plan.schedule.scales.last, size.width != last.width || size.height != last.height else { return "" }
        let scale = plan.schedule.scales.firstIndex { $0.width == size.width && $0.height == size.height }
        return " (\(size.width)x\(size.height)" + (scale.map { ", scale \($0 + 1) of \(plan.schedule.scales.count)" } ?? "")
            + "; --size \(plan.settings.size) is \(last.width)x\(last.height))"
    }

    /// `<content>_<style>.png` in the current folder; with several styles,
    /// `<content>_<style1>_<style2>….png` (cut to a legal length, see `FileNaming.outputName`).
    static func defaultOutputPath(content: String, styles: [String]) -> String {
        FileNaming.outputName(stems: ([content] + styles).map(FileNaming.stem))
    }
}

/// Runs a planning step: its option problems and refused overwrites become usage errors
/// (exit 64) that name the flag.
func planning<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as PlanError {
        switch e {
        case .option(let o): throw ValidationError(o.flagged)
        case .overwrite(let text): throw ValidationError(text)
        }
    } catch let e as OptionError { throw ValidationError(e.flagged) }
}
