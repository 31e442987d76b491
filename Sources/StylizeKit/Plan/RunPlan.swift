import Foundation

/// One run, resolved before any work, in the manner of a compiler's front end: the layers
/// against the network, the smallest usable side, the scales, the masks, how β is chosen,
/// every file the run will write, and its memory. `StyleTransfer` executes a plan; a batch
/// plans every job before the first one runs.
///
/// `make` throws `PlanError`, whose option problems carry the option's key (`size`,
/// `style-layers`): the library speaks of keys, and the command line turns them into flags.
public struct RunPlan: Sendable {
    public let configuration: StyleTransferConfiguration
    public var settings: RunSettings { configuration.settings }
    /// The deepest layer the objective reads: the network is built through it.
    public let deepestLayer: String
    /// Each side of every scale must be at least this many pixels (`2^poolings` through
    /// `deepestLayer`: 16 for relu5_1).
    public let minimumSide: Int
    /// The content image's size as stored in its file.
    public let contentSize: Size
    /// The content layers of the scales before the last (`RunSettings.coarseContentLayers`
    /// resolved against the network).
    public let coarseContentLayers: [String]
    /// The coarse-to-fine scales, the last one at the output size.
    public let schedule: ScaleSchedule
    /// How β is chosen at each scale. A caller may change it before running the plan (to
    /// try another `AutomaticStyleWeight.ratio`, say); the options cannot.
    public var styleWeight: StyleWeightPolicy
    /// `--content-focus` resolved against `styleWeight`: `.uniform` or `.energy` (`ContentFocus`).
    public var contentFocus: ContentFocus {
        var automatic = false
        if case .automatic = styleWeight { automatic = true }
        return settings.contentFocus.resolved(automaticStyleWeight: automatic)
    }
    /// The style images' blend weights, normalized to sum 1.
    public let blend: [Double]
    /// Every file the run writes (output, log, `save-every` snapshots), each checked.
    public let outputs: [PlannedFile]
    /// Peak memory of the run, in bytes (`CostEstimate`).
    public let peakBytes: Double
    /// Settings that run but cannot do what was meant (`RunSettings.warnings`), worded with
    /// the caller's `naming`; `StyleTransfer.run` passes them to its `warn`.
    public internal(set) var warnings: [String] = []

    public struct Size: Sendable, Equatable {
        public let width: Int, height: Int
        public init(width: Int, height: Int) { self.width = width; self.height = height }
    }

    /// The plan of `c` on the network `weights` defines. Checks, in this order, what
    /// `precheck` checks (files, blend weights, masks), the layers, and the content's size
    /// against the deepest layer (from its header).
    ///
    /// A caller that checked the files already, for many runs at once (a batch: its folder,
    /// its names, its inputs), passes them as `checkedFiles`, and may pass the content's
    /// `contentSize` read once for all the runs that share it.
    public static func make(_ c: StyleTransferConfiguration, weights: VGGWeights,
                            naming: (String) -> String = { $0 }, checkedFiles: [PlannedFile]? = nil,
                            contentSize: Size? = nil) throws -> RunPlan {
        let outputs = try checkedFiles ?? checkFiles(c, naming: naming)
        try checkSettings(c)
        try layers(c.settings, weights)
        let size = try contentSize ?? storedSize(c)
        var plan = try make(c, weights: weights, contentSize: size, outputs: outputs)
        plan.warnings = c.settings.warnings(naming: naming)
        return plan
    }

    /// The content image's size, from its header.
    public static func storedSize(_ c: StyleTransferConfiguration) throws -> Size {
        let stored = try ImageFile.dimensions(path: c.contentPath, maxPixels: c.settings.maxPixels)
        return Size(width: stored.width, height: stored.height)
    }

    /// The plan of `c` for a content image of `contentSize` already in memory: no file is
    /// read or checked (tests, benchmarks, callers with their own images).
    public static func make(_ c: StyleTransferConfiguration, weights: VGGWeights, contentSize: Size,
                            outputs: [PlannedFile] = []) throws -> RunPlan {
        let s = c.settings
        try layers(s, weights)
        let deepest = try VGGNetwork.deepestLayer(of: s.layers, in: weights)
        let minimumSide = try VGGNetwork.minimumSide(of: s.layers, in: weights)
        let final = ScaleSchedule.dimensions(width: contentSize.width, height: contentSize.height, longestSide: s.size)
        guard min(final.width, final.height) >= minimumSide else {
            throw PlanError.option(OptionError(key: "size", problem: .predicate(
                "\(s.size) is too small for this image: at \(final.width)x\(final.height), \(deepest) would be empty; each side "
                + "must be at least \(minimumSide) px (the size sets the longest side, the other follows the aspect ratio)")))
        }
        let schedule = ScaleSchedule(width: final.width, height: final.height, settings: s, minimumSide: minimumSide)
        // `auto` adds its layer only where the network has it within the layers computed anyway.
        let coarseContent = s.coarseContentLayers.names(content: s.contentLayers.names) {
            (try? VGGNetwork.deepestLayer(of: [deepest, $0], in: weights)) == deepest
        }
        return RunPlan(configuration: c, deepestLayer: deepest, minimumSide: minimumSide, contentSize: contentSize,
                       coarseContentLayers: coarseContent, schedule: schedule,
                       styleWeight: s.styleWeight.fixed.map { .fixed($0) } ?? .automatic(AutomaticStyleWeight()),
                       blend: (s.styleBlendWeights ?? WeightList(Array(repeating: 1, count: max(1, c.stylePaths.count)))).normalized,
                       outputs: outputs,
                       peakBytes: estimatedPeak(s, final: Size(width: final.width, height: final.height)),
                       warnings: s.warnings())
    }

    /// Every content and style layer against the network, as a problem of its option.
    static func layers(_ s: RunSettings, _ weights: VGGWeights) throws {
        var lists = [("content-layers", s.contentLayers), ("style-layers", s.styleLayers)]
        if case .layers(let coarse) = s.coarseContentLayers { lists.insert(("coarse-content-layers", coarse), at: 1) }
        for (key, list) in lists {
            do { _ = try VGGNetwork.deepestLayer(of: list.names, in: weights) } catch let e as NetworkError {
                throw PlanError.option(OptionError(key: key, problem: OptionProblem("\(e)")))
            }
        }
    }

    /// What can be checked without the network, so that a command can fail before loading
    /// the weights (`make` checks it again): the files (`checkFiles`), one blend weight per
    /// style image, and the masks (count, readable headers, the photo's aspect ratio).
    @discardableResult
    public static func precheck(_ c: StyleTransferConfiguration, naming: (String) -> String = { $0 }) throws -> [PlannedFile] {
        let outputs = try checkFiles(c, naming: naming)
        try checkSettings(c)
        return outputs
    }

    /// The output format, one blend weight per style image, and the masks.
    static func checkSettings(_ c: StyleTransferConfiguration) throws {
        let s = c.settings
        do { _ = try c.outputFormat() } catch let e as OutputFormatError {
            switch e {
            case .sixteenBitsNeedPNG: throw PlanError.option(OptionError(key: "bit-depth", problem: OptionProblem("\(e)")))
            default: throw PlanError.option(OptionError(key: "output", problem: OptionProblem("\(e)")))
            }
        }
        if let b = s.styleBlendWeights, b.values.count != c.stylePaths.count {
            throw PlanError.option(OptionError(key: "style-blend-weights", problem: .predicate(
                "has \(b.values.count) values for \(c.stylePaths.count) style images")))
        }
        if let masks = s.styleMasks {
            do {
                try StyleMasks.checkFiles(masks.paths, styleCount: c.stylePaths.count, contentPath: c.contentPath, maxPixels: s.maxPixels)
            } catch let e as StyleMaskError {
                throw PlanError.option(OptionError(key: "style-masks", problem: e.problem))
            }
        }
    }

    /// The engine that will run the plan, in words for logs and records: `cpu, 2 threads`.
    public var engine: String { "cpu, \(configuration.threads) thread\(configuration.threads == 1 ? "" : "s")" }

    /// Seconds the run should take with `threads` threads (`CostEstimate`).
    public func estimatedSeconds(threads: Int) -> Double { CostEstimate.seconds(schedule, threads: threads) }
}

/// How β is chosen: fixed, or at every scale from the images (`AutomaticStyleWeight`).
public enum StyleWeightPolicy: Sendable, Equatable {
    case fixed(Double)
    case automatic(AutomaticStyleWeight)
}

/// A file a run writes: which option names it (its key: `output`, `log`, `save-every`, or
/// `partial` for the output's image so far, `StyleTransfer.partialPath`) and its path.
/// `inPlace` files are appended to where they are (a log) rather than written to a
/// temporary file and renamed.
public struct PlannedFile: Sendable, Equatable {
    public let key: String
    public let path: String
    public let inPlace: Bool

    /// The file in a message, in the caller's `naming`: `-o`, `--log`, `-o's image so far`.
    public func name(_ naming: (String) -> String) -> String {
        key == "partial" ? naming("output") + "'s image so far" : naming(key)
    }
}

/// Why a run cannot be planned.
public enum PlanError: Error, CustomStringConvertible {
    /// An option's value does not fit this run (a usage error, exit 64).
    case option(OptionError)
    /// An output would replace an input (a usage error, exit 64).
    case overwrite(String)

    public var description: String {
        switch self {
        case .option(let e): return e.description
        case .overwrite(let text): return text
        }
    }
}
