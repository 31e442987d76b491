import Foundation

/// Montages of the generated image's activations during a style-transfer run
/// (`--dump-every N --dump-layers L,… --dump-dir DIR`): `DIR/iterNNNN/<layer>.png` (further
/// pages `<layer>-p2.png`, …) and `DIR/iterNNNN/<layer>-gram.png`, plus `DIR/index.html`
/// listing every dump so far. Uses its own engine (the run's objective keeps its own).
public final class ActivationDumps {
    public let directory: String
    /// The layers dumped when none are named: an early texture layer and the content layer.
    public static let defaultLayers: LayerList = ["relu2_1", "relu4_2"]
    /// The folder dumps go to when none is named.
    public static let defaultDirectory = "dumps"
    let layers: [(name: String, stage: Int)]
    let engine: CPUEngine
    let text: TextRenderer?
    private var iterations: [Int] = []
    private var files: [Int: [String: [String]]] = [:]

    /// Checks the layer names against `weights` (one-line errors); the folder is created on
    /// the first write. `threads`: of its engine (`--threads`).
    public init(weights: VGGWeights, layers names: [String], pooling: Pooling, directory: String, threads: Int) throws {
        let network = try VGGNetwork(weights: weights, pooling: pooling, covering: names, parallel: Parallel(threads: threads))
        layers = names.compactMap { n in network.stageIndex(of: n).map { (n, $0) } }
        engine = CPUEngine(network: network, threads: threads)
        text = try? TextRenderer(pixelSize: 10)
        self.directory = directory
    }

    /// Before any work: nothing the dumps may write under `directory` is something other
    /// than what it will be written as. `index.html` and the montages of `layers` already in
    /// `iterNNNN/` folders must be regular files (never a device, a FIFO, a socket or a
    /// folder, which a rename would replace), and an existing `iterNNNN` must be a folder.
    public static func checkExistingOutputs(directory: String, layers: [String]) throws {
        var paths = [(option: "--dump-dir", path: directory + "/index.html")]
        for entry in FileSystem.names(in: directory) ?? [] {
            guard entry.hasPrefix("iter"), entry.dropFirst(4).allSatisfy(\.isNumber) else { continue }
            let folder = directory + "/" + entry
            if let what = OutputLocation.nonRegularKind(folder), what == "a folder" {
                for name in FileSystem.names(in: folder) ?? [] where name.hasSuffix(".png")
                    && layers.contains(where: { name == "\($0).png" || name.hasPrefix("\($0)-") }) {
                    paths.append(("--dump-dir", folder + "/" + name))
                }
            } else {
                let what = OutputLocation.nonRegularKind(folder) ?? "a file"
                throw FileSystemError("cannot write --dump-dir '\(folder)'", reason: "it is \(what), not a folder")
            }
        }
        try OutputLocation.checkExisting(paths)
    }

    /// `iter0050` for iteration 50.
    public static func folderName(iteration: Int) -> String {
        "iter" + FileNaming.zeroPadded(iteration, width: 4)
    }

    /// Writes the montages of `image` (`(3, H, W)` preprocessed) for `iteration`.
    public func write(_ image: Tensor3, iteration: Int) throws {
        try engine.forward(image, through: layers.map(\.stage).max() ?? 0)
        let folder = Self.folderName(iteration: iteration)
        files[iteration] = try Visualizer.writeMontages(engine: engine, layers: layers, to: directory + "/" + folder, text: text)
        iterations.append(iteration)
        var h = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>stylize activation dumps</title>
        <style>body { font: 14px sans-serif; margin: 1.5em; } img { max-width: 100%; border: 1px solid #ccc; }</style>
        </head><body><h1>Activations of the generated image</h1>\n
        """
        for it in iterations.reversed() {
            h += "<details\(it == iteration ? " open" : "")><summary>iteration \(it)</summary>\n"
            for (name, _) in layers {
                for f in files[it]?[name] ?? [] { h += "<p>\(HTML.escape(name)): <img loading=\"lazy\" src=\"\(HTML.href(Self.folderName(iteration: it) + "/" + f))\" alt=\"\(HTML.escape(name))\"></p>\n" }
            }
            h += "</details>\n"
        }
        try AtomicFile.write(h + "</body></html>\n", to: directory + "/index.html")
    }
}
