/// `--style-masks`: one greyscale PNG per style image saying where that style goes
/// (Gatys et al. 2017, §4). White is "this style here", black "not here", grey in between.
///
/// A mask is read like any PNG (composited over white, so a transparent pixel counts as
/// white; a colour profile converted to sRGB, which keeps black and white) and its value is
/// the mean of R, G and B over 255, so a colour mask is read as its grey. Masks are resized with the photo to every scale of the schedule (Lanczos, as the
/// photo) and to each layer's size inside the objective (`LayerMask`).
///
/// A mask must have the photo's aspect ratio: within 1 %, or within one pixel of the
/// photo's shape scaled to the mask's size (so a mask drawn at a small size still passes).
/// Masks need not cover the image and may overlap (see `MaskedStyleTerm`).
public struct StyleMasks: Sendable {
    /// The masks at the photo's working size, each a single plane of greys in 0…255 (one
    /// value a pixel, resized with the colour resampler as `AlphaPlane` does for opacity).
    public let planes: [AlphaPlane]

    public init(planes: [AlphaPlane]) { self.planes = planes }

    /// Reads the masks at `paths` for a photo read as `contentWidth × contentHeight`, and
    /// resizes them to the working size `width × height`. Throws `StyleMaskError` for a
    /// wrong count or shape, `ImageError` for a file that cannot be read. `warn` gets one
    /// line for a mask that is black everywhere (its style, `styles[i]` when given, then
    /// applies nowhere) and for an ignored colour chunk (`PNGCodec.read`).
    public static func load(paths: [String], styleCount: Int, contentPath: String, contentWidth: Int, contentHeight: Int,
                            width: Int, height: Int, maxPixels: Int, styles: [String] = [],
                            warn: (String) -> Void = { _ in }) throws -> StyleMasks {
        try checkCount(paths.count, styleCount: styleCount)
        let planes = try paths.enumerated().map { i, path -> AlphaPlane in
            let mask = try ImageFile.read(path: path, maxPixels: maxPixels, warn: warn).image
            try checkShape(mask: path, mask.width, mask.height, content: contentPath, contentWidth, contentHeight)
            var grey = [Float](repeating: 0, count: mask.width * mask.height)
            for p in grey.indices {
                let sum: Float = mask.pixels[3 * p] + mask.pixels[3 * p + 1] + mask.pixels[3 * p + 2]
                grey[p] = sum / 3
            }
            // Black to 8-bit rounding: the mask weighs every position by 0.
            if grey.allSatisfy({ $0 < 0.5 }) {
                let style = i < styles.count ? "style image '\(styles[i])'" : "style image \(i + 1)"
                warn("mask '\(path)' is black everywhere: its \(style) applies nowhere and has no effect")
            }
            return AlphaPlane(width: mask.width, height: mask.height, values: grey).resized(width: width, height: height)
        }
        return StyleMasks(planes: planes)
    }

    /// The count, and each mask's shape against the photo's, from the PNG headers only:
    /// what a command checks before loading anything. A mask that cannot be read is a
    /// `StyleMaskError`; a content image that cannot be read, its usual `ImageError`.
    public static func checkFiles(_ paths: [String], styleCount: Int, contentPath: String, maxPixels: Int) throws {
        try checkCount(paths.count, styleCount: styleCount)
        let content = try ImageFile.dimensions(path: contentPath, maxPixels: maxPixels)
        for path in paths {
            let mask: (width: Int, height: Int)
            do { mask = try ImageFile.dimensions(path: path, maxPixels: maxPixels) } catch let e as ImageError {
                throw StyleMaskError(problem: OptionProblem("\(e)"))
            }
            try checkShape(mask: path, mask.width, mask.height, content: contentPath, content.width, content.height)
        }
    }

    /// One mask per style image.
    public static func checkCount(_ count: Int, styleCount: Int) throws {
        guard count == styleCount else {
            throw StyleMaskError(problem: .predicate("has \(count) mask\(count == 1 ? "" : "s") for \(styleCount) style image\(styleCount == 1 ? "" : "s"); give one mask per style image, in the same order"))
        }
    }

    /// A mask of `maskWidth × maskHeight` for a photo of `width × height` (see the type).
    public static func checkShape(mask path: String, _ maskWidth: Int, _ maskHeight: Int,
                                  content contentPath: String, _ width: Int, _ height: Int) throws {
        let mw = Double(maskWidth), mh = Double(maskHeight), cw = Double(width), ch = Double(height)
        let relative = abs((mw / mh) / (cw / ch) - 1)
        let pixels = min(abs(mh - mw * ch / cw), abs(mw - mh * cw / ch))
        guard relative <= 0.01 || pixels <= 1 else {
            throw StyleMaskError(problem: OptionProblem(String(format: "mask '%@' is %dx%d (aspect %.3f) but the content '%@' is %dx%d (aspect %.3f); a mask must have the photo's aspect ratio",
                                                     path, maskWidth, maskHeight, mw / mh, contentPath, width, height, cw / ch)))
        }
    }

    /// The masks at `width × height` (a scale of the schedule), each `width·height` values
    /// in 0…1, row-major: what `StyleTransferObjective` takes.
    public func weights(width: Int, height: Int) -> [[Float]] {
        planes.map { plane in plane.resized(width: width, height: height).values.map { min(max($0 / 255, 0), 1) } }
    }
}

/// A mask that does not fit the run (count or shape), as a problem of the `style-masks`
/// option. The command line reports it as a usage error (exit 64).
public struct StyleMaskError: Error, CustomStringConvertible, Equatable {
    public let problem: OptionProblem
    public var description: String { OptionError(key: "style-masks", problem: problem).description }
}
