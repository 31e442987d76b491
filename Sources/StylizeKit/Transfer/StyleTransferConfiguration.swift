import Foundation

/// One style-transfer run as asked for: the files it reads and writes, and its run options.
///
/// This is the library's entry point: the `stylize` command parses its options into one of
/// these; a batch builds one per job. `RunPlan.make` resolves it against the network before
/// any work, and `StyleTransfer` runs the plan. The run options' fields read through to
/// `settings` (`c.size` is `c.settings.size`).
@dynamicMemberLookup
public struct StyleTransferConfiguration: Sendable {
    /// The content image (PNG, JPEG or WebP, recognised by its signature; see `ImageFile`).
    public var contentPath: String
    /// One or more style images (PNG, JPEG or WebP); their Grams are blended by `styleBlendWeights`.
    public var stylePaths: [String]
    /// The output image, written atomically, its format chosen by the extension (`.png`,
    /// `.jpg` or `.jpeg`, `.webp`; see `outputFormat()`); with the content's alpha (resized to
    /// the output) when the content image has transparency, except in a JPEG.
    public var outputPath: String
    /// Every run option (see `RunOption`), defaults included.
    public var settings: RunSettings
    /// Also write `<output-stem>_iterNNNN.<ext>` every N iterations (0: never).
    public var saveEvery: Int = 0
    /// JSON-lines log file (one object per iteration), or nil.
    public var logPath: String? = nil
    /// Threads of the run's `CPUEngine` (its kernels' own loops and the GEMMs they split),
    /// at least 1. Results do not depend on it (`BLAS.sgemm(…, parallel:)` says how this holds
    /// with OpenBLAS' small-matrix path).
    /// Default: every core, like the command line.
    public var threads: Int = Self.cores

    /// The physical cores this process may use (`CoreCount.physical`), asked once: it reads
    /// /proc and /sys files, and a batch makes one configuration per job.
    public static let cores = CoreCount.physical()

    /// The output's format: `outputPath`'s extension with the quality and bit depth. Throws
    /// `OutputFormatError` (a usage error) for another extension, or 16 bits for JPEG or WebP.
    public func outputFormat() throws -> OutputFormat {
        try OutputFormat(path: outputPath, quality: settings.quality, bitDepth: settings.bitDepth)
    }

    public init(contentPath: String, stylePaths: [String], outputPath: String, settings: RunSettings = RunSettings()) {
        self.contentPath = contentPath
        self.stylePaths = stylePaths
        self.outputPath = outputPath
        self.settings = settings
    }

    public subscript<T>(dynamicMember path: WritableKeyPath<RunSettings, T>) -> T {
        get { settings[keyPath: path] }
        set { settings[keyPath: path] = newValue }
    }

    public subscript<T>(dynamicMember path: KeyPath<RunSettings, T>) -> T { settings[keyPath: path] }

    /// The weights file the run reads, however it was found (given, from the environment or
    /// the default places), when known: an input no output may replace.
    public var weightsPath: String? = nil

    /// Every file the run reads, with what it is: the content, the styles, the starting
    /// image (role `init image`), the masks and the weights. No output may replace one of them.
    public var inputs: [(role: String, path: String)] {
        var inputs = [("content image", contentPath)] + stylePaths.map { ("style image", $0) }
        if let start = settings.initialization.path { inputs.append(("init image", start)) }
        inputs += (settings.styleMasks?.paths ?? []).map { ("style mask", $0) }
        if let weightsPath { inputs.append(("weights file", weightsPath)) }
        return inputs
    }
}
