import Foundation

/// The images of one run, read from disk once and kept at the final working size; each
/// scale of the schedule resizes them from here and applies the colour mode.
///
/// Sizes: `content` has its longest side equal to the configuration's `size` (not
/// resampled when it already is); each style image has its longest side equal to
/// `styleScale` × the content's (rounded); `initial` (the `--init FILE` image) is the file
/// as read. All are kept as read (the photo's colours); what the network sees at a scale
/// comes from `content(width:height:)` and `styles(width:height:)`. `contentAlpha` is the
/// content's transparency at the content's size (nil when opaque); the network never sees
/// it (the colours are composited over white), it is only written back with the output.
public struct TransferImages: Sendable {
    public let content: RGBImage
    public let contentAlpha: AlphaPlane?
    public let styles: [RGBImage]
    public let initial: RGBImage?
    /// `--style-masks`, at the photo's working size; nil without masks.
    public let masks: StyleMasks?
    /// `--style-scale`: each painting's longest side is this times the generated image's,
    /// at every scale (neural-style's `-style_scale`). The Grams see texture at the
    /// network's pixel scale, so strokes come out as large as in the resized painting:
    /// above 1 larger, below 1 smaller (measured; README's style-scale gallery).
    public let styleScale: Double
    /// `--preserve-colors`, fixed from the working-size images at construction.
    let color: ColorTransform
    /// The shortest side a painting is resized to (the network's minimum, `2^poolings`):
    /// a small `styleScale` at a coarse scale would otherwise leave the deepest style
    /// layer empty.
    let minimumStyleSide: Int

    public init(content: RGBImage, contentAlpha: AlphaPlane? = nil, styles: [RGBImage], initial: RGBImage? = nil,
                styleScale: Double = 1, preserveColors: ColorPreservation = .none, masks: StyleMasks? = nil,
                minimumStyleSide: Int) {
        precondition(!styles.isEmpty, "at least one style image")
        precondition(contentAlpha.map { $0.width == content.width && $0.height == content.height } ?? true,
                     "the content's alpha must have the content's size")
        precondition(masks == nil || masks!.planes.count == styles.count, "one mask per style image")
        self.contentAlpha = contentAlpha
        self.masks = masks
        precondition(styleScale > 0 && styleScale.isFinite, "style scale must be positive")
        self.content = content
        self.styles = styles
        self.initial = initial
        self.styleScale = styleScale
        self.minimumStyleSide = minimumStyleSide
        self.color = ColorTransform(mode: preserveColors, content: content, styles: styles)
    }

    public var preserveColors: ColorPreservation { color.mode }

    /// Reads the plan's images (PNG, JPEG or WebP: `ImageFile`, EXIF orientation applied) and resizes them to the final working size. Images above
    /// the pixel limit, or too small for the deepest layer once resized, are refused from
    /// their header, before decoding (see `WorkingSize`). Paintings are checked at the
    /// photo's working size, which bounds their aspect ratio, so the short-side floor of
    /// `styles(width:height:)` cannot blow a sliver of a painting up.
    ///
    /// `warn` gets one line per problem that does not stop the run: an invalid colour chunk
    /// ignored in any of the files (see `PNGCodec.read`), a mask that is black everywhere.
    public static func load(_ plan: RunPlan, warn: (String) -> Void = { _ in }) throws -> TransferImages {
        try load(plan.configuration, minimumSide: plan.minimumSide, warn: warn)
    }

    /// `load(plan)` for a configuration whose deepest layer needs `minimumSide` pixels
    /// (`RunPlan.minimumSide`; 16 for relu5_1).
    public static func load(_ c: StyleTransferConfiguration, minimumSide: Int, warn: (String) -> Void = { _ in }) throws -> TransferImages {
        let s = c.settings
        let decoded = try ImageFile.read(path: c.contentPath, maxPixels: s.maxPixels,
                                         workingSize: WorkingSize(longestSide: s.size, minimumSide: minimumSide), warn: warn)
        let photo = decoded.image
        let content = photo.resized(longestSide: s.size)
        let alpha = decoded.alpha?.resized(width: content.width, height: content.height)
        let longest = max(content.width, content.height)
        let working = WorkingSize(longestSide: longest, minimumSide: minimumSide)
        let side = styleSide(contentLongest: longest, scale: s.styleScale)
        let styles = try c.stylePaths.map {
            try ImageFile.read(path: $0, maxPixels: s.maxPixels, workingSize: working, warn: warn).image.resized(longestSide: side)
        }
        let initial = try s.initialization.path.map { try ImageFile.read(path: $0, maxPixels: s.maxPixels, workingSize: working, warn: warn).image }
        let masks = try s.styleMasks.map {
            try StyleMasks.load(paths: $0.paths, styleCount: styles.count, contentPath: c.contentPath, contentWidth: photo.width,
                                contentHeight: photo.height, width: content.width, height: content.height, maxPixels: s.maxPixels,
                                styles: c.stylePaths, warn: warn)
        }
        return TransferImages(content: content, contentAlpha: alpha, styles: styles, initial: initial, styleScale: s.styleScale,
                              preserveColors: s.preserveColors, masks: masks, minimumStyleSide: minimumSide)
    }

    /// Longest side of the paintings for a generated image whose longest side is `contentLongest`.
    static func styleSide(contentLongest: Int, scale: Double) -> Int {
        max(1, Int((Double(contentLongest) * scale).rounded()))
    }

    /// The photo at `width × height` (a scale of the schedule), as the network sees it.
    public func content(width: Int, height: Int) -> RGBImage { color.content(photo(width: width, height: height)) }

    /// The photo at `width × height` with its own colours.
    public func photo(width: Int, height: Int) -> RGBImage { content.resized(width: width, height: height) }

    /// The style images for a generated image of `width × height`, as the network sees them:
    /// longest side `styleScale` times its longest side (short side at least
    /// `minimumStyleSide`), then the colour mode applied.
    public func styles(width: Int, height: Int) -> [RGBImage] {
        let side = TransferImages.styleSide(contentLongest: max(width, height), scale: styleScale)
        return styles.enumerated().map { i, s in
            var longest = side
            let short = min(s.width, s.height), long = max(s.width, s.height)
            if short * longest < minimumStyleSide * long { longest = (minimumStyleSide * long + short - 1) / short }
            return color.style(i, s.resized(longestSide: longest))
        }
    }

    /// Painting `index` stretched to `width × height`, as the network sees it (`--init style`
    /// and `--style-weight auto`).
    func styleCovering(_ index: Int, width: Int, height: Int) -> RGBImage {
        color.style(index, styles[index].resized(width: width, height: height))
    }

    /// The content's alpha at `width × height` (the size of a generated image, which is
    /// smaller than the output at the coarse scales of `--save-every`), or nil when opaque.
    public func alpha(width: Int, height: Int) -> AlphaPlane? {
        contentAlpha?.resized(width: width, height: height)
    }

    /// The image to save from a generated image (RGB 0…255): in the colour modes, matched to
    /// the photo at the same size (`ColorTransform.output`).
    public func output(_ generated: RGBImage) -> RGBImage {
        color.mode == .none ? generated : color.output(generated, photo: photo(width: generated.width, height: generated.height))
    }
}
