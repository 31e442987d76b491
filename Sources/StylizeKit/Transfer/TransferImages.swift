import Foundation

/// The images of one run, read from disk once and kept at the final working size; each
/// scale of the schedule resizes them from here.
///
/// Sizes: `content` has its longest side equal to the configuration's `size` (not
/// resampled when it already is); each style image has its longest side equal to the
/// content's; `initial` (the `--init FILE` image) is the file as read.
public struct TransferImages: Sendable {
    public var content: RGBImage
    public var styles: [RGBImage]
    public var initial: RGBImage?

    public init(content: RGBImage, styles: [RGBImage], initial: RGBImage? = nil) {
        precondition(!styles.isEmpty, "at least one style image")
        self.content = content
        self.styles = styles
        self.initial = initial
    }

    /// Reads the configuration's PNGs and resizes them to the final working size. Images
    /// above `maxPixels`, or too small for the deepest layer once resized, are refused from
    /// their header, before decoding (see `WorkingSize`).
    public static func load(_ c: StyleTransferConfiguration) throws -> TransferImages {
        let minimumSide = WorkingSize.minimumSide(layers: c.contentLayers + c.styleLayers)
        let content = try PNGCodec.read(path: c.contentPath, maxPixels: c.maxPixels,
                                        workingSize: WorkingSize(longestSide: c.size, minimumSide: minimumSide))
            .resized(longestSide: c.size)
        let longest = max(content.width, content.height)
        let working = WorkingSize(longestSide: longest, minimumSide: minimumSide)
        let styles = try c.stylePaths.map {
            try PNGCodec.read(path: $0, maxPixels: c.maxPixels, workingSize: working).resized(longestSide: longest)
        }
        var initial: RGBImage?
        if case .file(let path) = c.initialization {
            initial = try PNGCodec.read(path: path, maxPixels: c.maxPixels, workingSize: working)
        }
        return TransferImages(content: content, styles: styles, initial: initial)
    }

    /// The content image at `width × height` (a scale of the schedule).
    func content(width: Int, height: Int) -> RGBImage { content.resized(width: width, height: height) }

    /// The style images for a generated image of `width × height`: longest side equal to its longest side.
    func styles(width: Int, height: Int) -> [RGBImage] {
        styles.map { $0.resized(longestSide: max(width, height)) }
    }
}
