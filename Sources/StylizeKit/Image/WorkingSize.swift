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

    /// The smallest side the VGG layers `layers` accept: `2^n` for a layer after `n`
    /// poolings (`relu{B}_{K}` and `conv{B}_{K}` follow `B − 1`, `pool{B}` follows `B`).
    /// Names that are not VGG layer names count as 1; the network reports them later.
    public static func minimumSide(layers: [String]) -> Int {
        let poolings = layers.map { name -> Int in
            for (prefix, offset) in [("relu", -1), ("conv", -1), ("pool", 0)] where name.hasPrefix(prefix) {
                let digits = name.dropFirst(prefix.count).prefix { $0.isASCII && $0.isNumber }
                if let block = Int(digits), (1...16).contains(block) { return block + offset }
            }
            return 0
        }
        return 1 << (poolings.max() ?? 0)
    }
}
