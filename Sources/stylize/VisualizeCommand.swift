import ArgumentParser
import Foundation
import StylizeKit

/// `stylize visualize IMAGE… [--layers L,…] [--top K] [--maximize C,…] --out DIR`
struct VisualizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visualize",
        abstract: "Show what each VGG layer responds to: activation montages, Gram heatmaps, statistics, top patches, maximization.",
        discussion: "Writes OUT/<image>/<layer>.png montages, OUT/activations.json, OUT/top/… (with --top), OUT/maximize/… (with --maximize) and OUT/index.html; prints the index path."
    )

    @Argument(help: ArgumentHelp("PNG files, folders of PNGs or glob patterns.", valueName: "image"))
    var inputs: [String] = []

    @Option(help: ArgumentHelp("Output folder.", valueName: "dir"))
    var out: String = "viz"

    @Option(help: "Longest side of the working image, in pixels (no resampling when it already is).")
    var size: Int = 512

    @Option(help: ArgumentHelp("Layers, comma-separated (default: every relu layer up to relu5_1).", valueName: "layers"))
    var layers: String?

    @Option(help: "Pooling: max or avg.")
    var pooling: PoolingArgument = .max

    @Option(help: ArgumentHelp("Also find the K most activating input patches of every channel, across all images (0: off).", valueName: "K"))
    var top: Int = 0

    @Option(help: ArgumentHelp("Synthesize an image maximizing each of these channels of the (single) layer.", valueName: "C1,C2,…"))
    var maximize: String?

    @Option(help: "Adam iterations per maximized channel.")
    var maximizeIterations: Int = 200

    @Option(help: "Side of the maximization images, in pixels.")
    var maximizeSize: Int = 128

    @Option(help: "Seed of the maximization's starting noise and jitter.")
    var seed: UInt64 = 0

    @OptionGroup var machine: MachineOptions

    @Flag(help: "No progress on stderr.")
    var quiet = false

    mutating func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("missing the images: stylize visualize IMAGE… --out DIR") }
        guard size >= 16 && size <= 8192 else { throw ValidationError("--size must be between 16 and 8192, got \(size)") }
        guard top >= 0 && top <= 100 else { throw ValidationError("--top must be between 0 and 100, got \(top)") }
        guard maximizeIterations >= 1 else { throw ValidationError("--maximize-iterations must be at least 1") }
        guard maximizeSize >= 16 && maximizeSize <= 1024 else { throw ValidationError("--maximize-size must be between 16 and 1024") }
        let names = try layers.map { try RunOptions.layerList($0, "--layers") }
        let channels = try maximize.map { try Self.channelList($0) }
        if channels != nil && names?.count != 1 {
            throw ValidationError("--maximize needs exactly one layer: add --layers LAYER")
        }
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
        machine.configureThreads()
        do {
            var c = VisualizationConfiguration(imagePaths: try ImageInputs.expand(inputs), outputDirectory: out)
            c.size = size
            c.layers = try layers.map { try RunOptions.layerList($0, "--layers") }
            c.pooling = pooling.library
            c.top = top
            c.maximize = try maximize.map { try Self.channelList($0) } ?? []
            c.maximization.iterations = maximizeIterations
            c.maximization.seed = seed
            c.maximizeSize = maximizeSize
            let weights = try machine.loadWeights()
            let visualizer = try Visualizer(configuration: c, weights: weights)
            _ = try visualizer.run { if !quiet { Terminal.printError($0) } }
            print(URL(fileURLWithPath: out).appendingPathComponent("index.html").path)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw fail(error)
        }
    }
}
