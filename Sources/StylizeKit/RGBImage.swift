/// An 8-bit-range RGB image held in floating point, the currency between file
/// I/O, resampling and the network's preprocessing.
///
/// Layout: interleaved, row-major `(H, W, 3)`; `pixels[(y * width + x) * 3 + c]`
/// with `c = 0, 1, 2` for red, green, blue. Values are in `0...255` (not `0...1`),
/// the scale the VGG weights were trained on; they are not clamped here.
public struct RGBImage: Equatable, Sendable {
    /// Width in pixels, at least 1.
    public var width: Int
    /// Height in pixels, at least 1.
    public var height: Int
    /// `width * height * 3` values, RGB interleaved, `0...255`.
    public var pixels: [Float]

    public init(width: Int, height: Int, pixels: [Float]) {
        precondition(width > 0 && height > 0, "image dimensions must be positive")
        precondition(pixels.count == width * height * 3, "pixel count does not match \(width)x\(height)x3")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A constant-colour image.
    public init(width: Int, height: Int, fill: (r: Float, g: Float, b: Float)) {
        var p = [Float](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            p[3 * i] = fill.r; p[3 * i + 1] = fill.g; p[3 * i + 2] = fill.b
        }
        self.init(width: width, height: height, pixels: p)
    }

    /// The value of channel `c` at column `x`, row `y`.
    @inlinable public subscript(x: Int, y: Int, c: Int) -> Float {
        get { pixels[(y * width + x) * 3 + c] }
        set { pixels[(y * width + x) * 3 + c] = newValue }
    }
}
