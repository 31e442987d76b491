/// The values of run options that are more than a number or a word: lists of layers,
/// weights and files, the style weight that may be `auto`, and the starting image.

/// VGG layer names, comma-separated on the command line (`relu4_2` or `relu3_2,relu4_2`).
/// Only the shape of each name is checked here; whether the network has it is the plan's
/// question (`RunPlan`), asked once the weights are loaded.
public struct LayerList: OptionValue, ExpressibleByArrayLiteral, Sendable, Hashable {
    public var names: [String]

    public init(_ names: [String]) { self.names = names }
    public init(arrayLiteral names: String...) { self.names = names }

    public init(optionText text: String) throws {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw OptionProblem.predicate("needs at least one layer name") }
        for n in names where !LayerList.looksLikeLayer(n) {
            throw OptionProblem("'\(n)' is not a layer name (expected names like relu4_2 or pool3)")
        }
        self.names = names
    }

    public var optionText: String { names.joined(separator: ",") }

    /// `relu…`, `conv…` or `pool…` followed by digits and underscores.
    static func looksLikeLayer(_ n: String) -> Bool {
        (n.hasPrefix("relu") || n.hasPrefix("conv") || n.hasPrefix("pool")) && n.count > 4
            && n.dropFirst(4).allSatisfy { $0.isASCII && ($0.isNumber || $0 == "_") }
    }
}

/// Non-negative weights, comma-separated, at least one of them positive (`1,0.5`).
public struct WeightList: OptionValue, ExpressibleByArrayLiteral, Sendable, Hashable {
    public var values: [Double]

    public init(_ values: [Double]) { self.values = values }
    public init(arrayLiteral values: Double...) { self.values = values }

    public init(optionText text: String) throws {
        var values: [Double] = []
        for p in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let v = DecimalText.number(p), v.isFinite, v >= 0 else { throw OptionProblem("'\(p)' is not a number ≥ 0") }
            values.append(v)
        }
        guard values.contains(where: { $0 > 0 }) else { throw OptionProblem.predicate("needs at least one positive value") }
        self.values = values
    }

    public var optionText: String { values.map(\.optionText).joined(separator: ",") }

    /// The weights scaled to sum to 1 (blend weights; `RunPlan` and the objective use this).
    public var normalized: [Double] {
        let sum = values.reduce(0, +)
        return values.map { $0 / sum }
    }
}

/// File paths, comma-separated (`--style-masks left.png,right.png`). Whether the files
/// exist and fit the run is checked by the option and the plan, not here.
public struct PathList: OptionValue, ExpressibleByArrayLiteral, Sendable, Hashable {
    public var paths: [String]

    public init(_ paths: [String]) { self.paths = paths }
    public init(arrayLiteral paths: String...) { self.paths = paths }

    public init(optionText text: String) throws {
        let paths = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !paths.contains("") else { throw OptionProblem("an empty file name in '\(text)'") }
        self.paths = paths
    }

    public var optionText: String { paths.joined(separator: ",") }
}

/// `--style-weight β|auto`: a fixed β, or `auto`, which chooses β at every scale from the
/// photo and the painting (`AutomaticStyleWeight`).
public enum StyleWeight: OptionValue, Sendable, Hashable {
    case auto
    case fixed(Double)

    public init(optionText text: String) throws {
        if text == "auto" { self = .auto; return }
        guard let v = DecimalText.number(text) else { throw OptionProblem("'\(text)' is not a number or auto") }
        self = .fixed(v)
    }

    public var optionText: String { fixed.map(\.optionText) ?? "auto" }

    /// β when fixed, nil for `auto`.
    public var fixed: Double? { if case .fixed(let v) = self { return v } else { return nil } }
}

/// `--coarse-content-layers auto|LAYERS`: the content layers of the scales before the last.
public enum CoarseContentLayers: OptionValue, Sendable, Hashable {
    /// `shallowLayer` and the content layers; the content layers alone on a network
    /// without `shallowLayer`.
    case auto
    case layers(LayerList)

    /// What `auto` adds. From noise, a coarse image made with relu4_2 alone settles into an
    /// arrangement of the photo that the final scale cannot leave in its iterations;
    /// relu2_2 also holds the photo's layout and tones, and the final scale ends 2–28 %
    /// lower on `make eval`'s 512 px pairs (README, *Evaluation*; docs/EXPERIMENTS.md).
    public static let shallowLayer = "relu2_2"

    public init(optionText text: String) throws {
        self = text == "auto" ? .auto : .layers(try LayerList(optionText: text))
    }

    public var optionText: String {
        if case .layers(let list) = self { return list.optionText }
        return "auto"
    }

    /// The layers for content layers `content`, where `exists` says which layers the network has.
    public func names(content: [String], exists: (String) -> Bool) -> [String] {
        switch self {
        case .layers(let list): return list.names
        case .auto:
            let extra = Self.shallowLayer
            return content.contains(extra) || !exists(extra) ? content : [extra] + content
        }
    }
}

/// `--init noise|content|style|FILE`: where the generated image starts.
public enum Initialization: OptionValue, Sendable, Hashable {
    /// Gaussian noise around the ImageNet mean colour: each value of the preprocessed
    /// (mean-subtracted) tensor is drawn from N(0, σ²), σ = `RunSettings.noiseSigma`,
    /// seeded by `--seed`.
    case noise
    /// The content image itself.
    case content
    /// The (first) style image, stretched to the content's working size.
    case style
    /// Any image file, resized to the content's working size.
    case file(String)

    /// The words that are not file names.
    public static let words = ["noise", "content", "style"]

    public init(optionText text: String) throws {
        switch text {
        case "noise": self = .noise
        case "content": self = .content
        case "style": self = .style
        case "": throw OptionProblem.predicate("needs noise, content, style or an image file")
        default: self = .file(text)
        }
    }

    public var optionText: String {
        switch self {
        case .noise: return "noise"
        case .content: return "content"
        case .style: return "style"
        case .file(let path): return path
        }
    }

    /// The file to start from, for `.file`.
    public var path: String? { if case .file(let p) = self { return p } else { return nil } }
}
