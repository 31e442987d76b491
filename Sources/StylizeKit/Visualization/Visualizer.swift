import Foundation

/// What `stylize visualize` does, as a library call: activation montages, Gram heatmaps and
/// statistics per image and layer, top patches per channel across images, and activation
/// maximization, all under one output folder with an `index.html`.
///
/// Output layout (OUT = `outputDirectory`):
/// - `OUT/<image-stem>/<layer>.png` montage (channels 0–127), `<layer>-p2.png`, … further pages;
///   `OUT/<image-stem>/<layer>-gram.png` Gram heatmap;
/// - `OUT/activations.json` per-image, per-layer statistics (`ActivationStats`);
/// - `OUT/top/<layer>/chNNN.png`, `OUT/top/<layer>.png` (+ `-p2`, … pages), `OUT/top/<layer>.json`;
/// - `OUT/maximize/<layer>-chNNN.png`;
/// - `OUT/index.html`.
public struct VisualizationConfiguration: Sendable {
    public var imagePaths: [String]
    public var outputDirectory: String
    /// Longest side of the working image (no resampling when it already is).
    public var size = 512
    /// Layers to show; nil = every relu layer up to relu5_1.
    public var layers: [String]?
    public var pooling: Pooling = .max
    /// Top patches per channel (0 = off).
    public var top = 0
    /// Channels to synthesize images for (requires exactly one layer).
    public var maximize: [Int] = []
    public var maximization = ActivationMaximization()
    /// Side of the synthesized images.
    public var maximizeSize = 128
    public var maxPixels = PNGCodec.defaultMaxPixels
    /// `--threads`: threads of the `CPUEngine` that runs the network (at least 1).
    public var threads = StyleTransferConfiguration.cores

    public init(imagePaths: [String], outputDirectory: String) {
        self.imagePaths = imagePaths
        self.outputDirectory = outputDirectory
    }

    /// The default layer list: every `relu` layer up to and including relu5_1.
    public static func defaultLayers(of weights: VGGWeights) -> [String] {
        var out: [String] = []
        for name in VGGNetwork.allLayerNames(of: weights) where name.hasPrefix("relu") {
            out.append(name)
            if name == "relu5_1" { break }
        }
        return out
    }
}

public final class Visualizer {
    public let configuration: VisualizationConfiguration
    public let layers: [String]
    let network: VGGNetwork
    let engine: CPUEngine
    let stages: [Int]

    /// Checks layer names and channel indices against `weights`; throws one-line errors.
    public init(configuration c: VisualizationConfiguration, weights: VGGWeights) throws {
        configuration = c
        let layers = c.layers ?? VisualizationConfiguration.defaultLayers(of: weights)
        let network = try VGGNetwork(weights: weights, pooling: c.pooling, covering: layers, parallel: Parallel(threads: c.threads))
        self.network = network
        stages = layers.compactMap { network.stageIndex(of: $0) }
        self.layers = layers
        engine = CPUEngine(network: network, threads: c.threads)
        if !c.maximize.isEmpty {
            guard layers.count == 1 else { throw VisualizationError("channel maximization needs exactly one layer, got \(layers.count)") }
            let n = network.channels(ofStage: stages[0])
            for ch in c.maximize where ch < 0 || ch >= n {
                throw VisualizationError("channel \(ch) is out of range: \(layers[0]) has \(n) channels (0–\(n - 1))")
            }
        }
    }

    /// Writes the montage pages and Gram heatmap of every `(name, stage)` of the engine's last
    /// forward pass into `dir`; returns the written file names per layer (pages, then Gram).
    public static func writeMontages(engine: CPUEngine, layers: [(name: String, stage: Int)], to dir: String,
                                     text: TextRenderer?) throws -> [String: [String]] {
        try OutputLocation.prepareFolder(dir, option: "output folder")
        var files: [String: [String]] = [:]
        for (name, stage) in layers {
            let f = engine.activations[stage]
            let layout = MontageLayout(channels: f.channels, mapWidth: f.width, mapHeight: f.height)
            var names: [String] = []
            for (p, page) in Montage.render(f, layout: layout, text: text).enumerated() {
                let file = p == 0 ? "\(name).png" : "\(name)-p\(p + 1).png"
                try PNGCodec.write(page, to: dir + "/" + file)
                names.append(file)
            }
            try PNGCodec.write(Montage.gramHeatmap(f, parallel: engine.parallel), to: dir + "/\(name)-gram.png")
            files[name] = names + ["\(name)-gram.png"]
        }
        return files
    }

    /// Runs everything; `log` receives one line per step (for stderr). `shouldStop` is polled
    /// between images, layers and maximized channels: when it says stop, the work done so far
    /// is written (`activations.json`, `index.html`) and the report has `stopped == true`.
    public func run(log: (String) -> Void = { _ in }, shouldStop: () -> Bool = { false }) throws -> VisualizationReport {
        let c = configuration, out = c.outputDirectory
        try OutputLocation.prepareFolder(out, option: "output folder")
        let text = try? TextRenderer(pixelSize: 10)
        let stems = ImageInputs.uniqueStems(c.imagePaths)
        var report = VisualizationReport(layers: layers)
        var images: [RGBImage] = []
        var tops = stages.map { TopPatches(k: c.top, channels: network.channels(ofStage: $0), field: ReceptiveField(network: network, stage: $0)) }
        for (i, path) in c.imagePaths.enumerated() {
            if shouldStop() { report.stopped = true; break }
            log("\(path): \(layers.count) layer\(layers.count == 1 ? "" : "s")")
            let image = try ImageFile.read(path: path, maxPixels: c.maxPixels).image.resized(longestSide: c.size)
            try engine.forward(Preprocessing.tensor(from: image, meanBGR: network.meanBGR), through: stages.max()!)
            let files = try Visualizer.writeMontages(engine: engine, layers: Array(zip(layers, stages)),
                                                     to: out + "/" + stems[i], text: text)
            var entry = VisualizationReport.ImageEntry(path: path, stem: stems[i], width: image.width, height: image.height)
            for (name, stage) in zip(layers, stages) {
                entry.stats[name] = ActivationStats(engine.activations[stage])
                entry.files[name] = files[name]
            }
            report.images.append(entry)
            if c.top > 0 {
                for j in stages.indices { tops[j].add(engine.activations[stages[j]], image: i) }
                images.append(image)
            }
        }
        try AtomicFile.write(report.activationsJSON(), to: out + "/activations.json")
        if c.top > 0 && !report.stopped {
            try writeTopPatches(tops, images: images, text: text, report: &report, log: log, shouldStop: shouldStop)
        }
        for ch in c.maximize where !report.stopped {
            if shouldStop() { report.stopped = true; break }
            var m = c.maximization
            m.seed = c.maximization.seed &+ UInt64(ch)
            let side = c.maximizeSize
            let result = try m.run(engine: engine, stage: stages[0], channel: ch, width: side, height: side) { it, v in
                log("maximize \(layers[0]) channel \(ch): iteration \(it), mean activation \(String(format: "%.3g", v))")
            }
            try OutputLocation.prepareFolder(out + "/maximize", option: "output folder")
            let file = "maximize/\(layers[0])-ch\(Visualizer.threeDigits(ch)).png"
            try PNGCodec.write(Preprocessing.image(from: result.image, meanBGR: network.meanBGR), to: out + "/" + file)
            report.maximized.append(.init(channel: ch, file: file, initial: result.initialActivation, final: result.finalActivation))
        }
        try AtomicFile.write(report.html(), to: out + "/index.html")
        return report
    }

    func writeTopPatches(_ tops: [TopPatches], images: [RGBImage], text: TextRenderer?,
                         report: inout VisualizationReport, log: (String) -> Void, shouldStop: () -> Bool) throws {
        let out = configuration.outputDirectory
        for (j, name) in layers.enumerated() {
            if shouldStop() { report.stopped = true; return }
            log("top \(configuration.top) patches of \(name)")
            let dir = out + "/top/\(name)"
            try OutputLocation.prepareFolder(dir, option: "output folder")
            var json: [[String: Any]] = []
            for c in tops[j].best.indices {
                try PNGCodec.write(tops[j].strip(channel: c, images: images), to: dir + "/ch\(Visualizer.threeDigits(c)).png")
                json.append(["channel": c, "patches": tops[j].best[c].map {
                    ["image": configuration.imagePaths[$0.image], "value": Double($0.value), "x": $0.x, "y": $0.y] as [String: Any]
                }])
            }
            var pages: [String] = []
            for (p, page) in tops[j].overview(images: images, text: text).enumerated() {
                let file = p == 0 ? "top/\(name).png" : "top/\(name)-p\(p + 1).png"
                try PNGCodec.write(page, to: out + "/" + file)
                pages.append(file)
            }
            report.topOverviews[name] = pages
            report.receptiveFields[name] = tops[j].field.size
            let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
            try AtomicFile.write([UInt8](data), to: out + "/top/\(name).json")
        }
    }

    /// `7` → `007` (channel numbers in file names sort correctly up to 999).
    public static func threeDigits(_ n: Int) -> String {
        FileNaming.zeroPadded(n, width: 3)
    }
}
