/// The size an image will be resized to for a run, and the smallest side the network
/// accepts there. `PNGCodec` checks it against the PNG header, before decoding: a
/// 50,000,000×1 PNG of 150 KB (within the 50-megapixel limit) would otherwise decode to
/// 800 MB of pixels, and resizing it would build ~4 GB of filter taps, before the network
/// found it too small.
public struct WorkingSize: Sendable, Equatable {
    /// The longest side after resizing, in pixels.
    public let longestSide: Int
    /// Each side after resizing must be at least this many pixels (`2^poolings` of the
    /// deepest layer used: 16 for `relu5_1`).
    public let minimumSide: Int

    public init(longestSide: Int, minimumSide: Int) {
        precondition(longestSide > 0 && minimumSide > 0)
        self.longestSide = longestSide
        self.minimumSide = minimumSide
    }

    /// Why a `width × height` image cannot be used at this size, or nil if it can.
    public func problem(width: Int, height: Int) -> String? {
        let d = ScaleSchedule.dimensions(width: width, height: height, longestSide: longestSide)
        guard Swift.min(d.width, d.height) < minimumSide else { return nil }
        return "image is too small: \(width)x\(height) becomes \(d.width)x\(d.height) at a longest side of \(longestSide) px (--size), "
            + "and each side must be at least \(minimumSide) px for the deepest layer"
    }
}
