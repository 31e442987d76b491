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
        upsampled and optimized again at sizes growing by at most --scale-factor (√2) up to \
        --size, with --coarse-iterations at each smaller scale and --iterations at the last. \
        Content and style targets are recomputed at every scale. --min-size equal to --size \
        gives the classic single-scale run. Pixels are kept inside 0…255 throughout (a \
        projected L-BFGS), so the saved PNG is the image the optimizer reached.
        """
    )

    @Argument(help: "The content image (PNG).")
    var content: String

    @Argument(help: "One or more style images (PNG). Several are blended.")
    var styles: [String] = []

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
        guard !styles.isEmpty else { throw ValidationError("missing the style image: stylize CONTENT STYLE [STYLE…]") }
        guard saveEvery >= 0 else { throw ValidationError("--save-every must be 0 or more") }
        guard dumpEvery >= 0 else { throw ValidationError("--dump-every must be 0 or more") }
        _ = try RunOptions.layerList(dumpLayers, "--dump-layers")
    }

    func run() throws {
        machine.configureThreads()
        var c = StyleTransferConfiguration(contentPath: content, stylePaths: styles,
                                           outputPath: output ?? defaultOutputPath())
        try options.apply(to: &c)
        c.saveEvery = saveEvery
        c.logPath = log
        do {
            let weights = try machine.loadWeights()
            let dumps = try dumpEvery > 0 ? ActivationDumps(weights: weights, layers: RunOptions.layerList(dumpLayers, "--dump-layers"),
                                                           pooling: options.pooling.library, directory: dumpDir) : nil
            let progress = ProgressLine(quiet: quiet)
            var dumpError: Error?
            do {
                let result = try StyleTransfer.run(configuration: c, weights: consume weights) { report, transfer in
                    progress.show(report)
                    guard let dumps, !report.startsScale || report.iteration == 0, report.iteration % dumpEvery == 0 else { return true }
                    do { try dumps.write(transfer.image, iteration: report.iteration) } catch { dumpError = error; return false }
                    return true
                }
                progress.finish(result)
                print(c.outputPath)
            } catch {
                throw dumpError ?? error
            }
        } catch {
            throw fail(error)
        }
    }

    /// `<content-stem>_<style-stem>.png` in the current folder.
    func defaultOutputPath() -> String {
        func stem(_ p: String) -> String { URL(fileURLWithPath: p).deletingPathExtension().lastPathComponent }
        return "\(stem(content))_\(stem(styles[0])).png"
    }
}

/// Options about the machine rather than the picture: weights file and threads.
struct MachineOptions: ParsableArguments {
    @Option(help: ArgumentHelp("VGG weights (.safetensors). Default: $STYLIZE_WEIGHTS, ./weights/vgg16.safetensors, then the installed copy.", valueName: "file"))
    var weights: String?

    @Option(help: "Threads for BLAS and StylizeKit's own loops; the default is the number of cores.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    mutating func validate() throws {
        guard threads >= 1 && threads <= 256 else { throw ValidationError("--threads must be between 1 and 256") }
    }

    func configureThreads() {
        BLAS.setThreads(threads)
        Parallel.threads = threads
    }

    func loadWeights() throws -> VGGWeights {
        let path = try WeightsLocator.resolve(explicit: weights)
        return try VGGWeights.load(from: path)
    }
}
