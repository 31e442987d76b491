import ArgumentParser
import Foundation
import StylizeKit

/// `stylize visualize IMAGE… [--layers L,…] [--top K] [--maximize C,…] --out DIR`
struct VisualizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visualize",
        abstract: "Show what each VGG layer responds to: activation montages, Gram heatmaps, statistics, top patches, maximization.",
        discussion: "Writes OUT/<image>/<layer>.png montages, OUT/activations.json, OUT/top/... (with --top), OUT/maximize/... (with --maximize) and OUT/index.html; prints the index path."
    )

    /// The library's defaults, which the options show and start from.
    static let defaults = VisualizationConfiguration(imagePaths: [], outputDirectory: "viz")

    @Argument(help: ArgumentHelp("PNG files, folders of PNGs or glob patterns.", valueName: "image"))
    var inputs: [String] = []

    @Option(help: ArgumentHelp("Output folder.", valueName: "dir"))
    var out: String = Self.defaults.outputDirectory

    @Option(help: "Longest side of the working image, in pixels (no resampling when it already is).")
    var size: Int = Self.defaults.size

    @Option(help: ArgumentHelp("Layers, comma-separated (default: every relu layer up to relu5_1).", valueName: "layers"))
    var layers: String?

    @Option(help: "Pooling: max or avg.")
    var pooling: Pooling = Self.defaults.pooling

    @Option(help: ArgumentHelp("Also find the K most activating input patches of every channel, across all images (0: off).", valueName: "K"))
    var top: Int = 0

    @Option(help: ArgumentHelp("Synthesize an image maximizing each of these channels of the (single) layer.", valueName: "C1,C2,..."))
    var maximize: String?

    @Option(help: "Adam iterations per maximized channel.")
    var maximizeIterations: Int = Self.defaults.maximization.iterations

    @Option(help: "Side of the maximization images, in pixels.")
    var maximizeSize: Int = Self.defaults.maximizeSize

    /// Text, read through the run option's declaration (`RunOption.seed`), so that `-1`
    /// gets the same range message as a transfer's `--seed`.
    @Option(parsing: .unconditional, help: "Seed of the maximization's starting noise and jitter (0 to 2^64 - 1).")
    var seed: String = "0"

    @OptionGroup var machine: MachineOptions

    @Flag(help: "No progress on stderr.")
    var quiet = false

    mutating func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("missing the images: stylize visualize IMAGE… --out DIR") }
        try Check.range(size, "--size", 16...8192, " (the longest side of the working image, in pixels)")
        try Check.range(top, "--top", 0...100)
        try Check.range(maximizeIterations, "--maximize-iterations", 1...RunOption.maxIterations)
        try Check.range(maximizeSize, "--maximize-size", 16...1024)
        _ = try seedValue()
        let names = try layers.map { try Check.layers($0, "--layers") }
        let channels = try maximize.map { try Self.channelList($0) }
        if channels != nil && names?.count != 1 {
            throw ValidationError("--maximize needs exactly one layer: add --layers LAYER")
        }
    }

    func seedValue() throws -> UInt64 {
        do { return try RunSettings().setting("seed", to: seed).seed } catch let e as OptionError { throw ValidationError(e.flagged) }
    }

    static func channelList(_ text: String) throws -> [Int] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.isEmpty else { throw ValidationError("--maximize needs at least one channel index") }
        return try parts.map {
            guard let v = Int($0), v >= 0 else { throw ValidationError("--maximize: '\($0)' is not a channel index (0, 1, 2, …)") }
            return v
        }
    }

    func run() throws {
        try oneLineErrors {
            var c = VisualizationConfiguration(imagePaths: try InputExpansion.expand(inputs, option: "image"), outputDirectory: out)
            c.size = size
            c.layers = try layers.map { try Check.layers($0, "--layers") }
            c.pooling = pooling
            c.top = top
            c.maximize = try maximize.map { try Self.channelList($0) } ?? []
            c.maximization.iterations = maximizeIterations
            c.maximization.seed = try seedValue()
            c.maximizeSize = maximizeSize
            c.threads = machine.threads
            let weights = try machine.loadWeights()
            if let names = c.layers {
                try Check.layers(names, "--layers", in: weights)
            }
            let visualizer = try Visualizer(configuration: c, weights: weights)  // checks the channels
            try OutputLocation.prepareFolder(out, option: "--out")
            let report = try visualizer.run(log: { if !quiet { Terminal.printError($0) } }, shouldStop: { Signals.requested })
            let index = (out.hasSuffix("/") ? out : out + "/") + "index.html"
            Terminal.printPath(index)
            if report.stopped {
                Terminal.printError("stylize: stopped by \(Signals.name); \(index) shows the \(report.images.count) image(s) done so far")
                throw ExitCode(Signals.exitStatus)
            }
        }
    }
}

extension Pooling: ExpressibleByArgument {}
