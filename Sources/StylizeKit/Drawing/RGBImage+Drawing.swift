extension RGBImage {
    /// Fills the rectangle `x ..< x + width`, `y ..< y + height` (clipped) with `color`.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color: (Float, Float, Float)) {
        for py in Swift.max(0, y)..<Swift.min(height, y + h) {
            for px in Swift.max(0, x)..<Swift.min(width, x + w) {
                let i = (py * width + px) * 3
                pixels[i] = color.0; pixels[i + 1] = color.1; pixels[i + 2] = color.2
            }
        }
    }

    /// Copies `other` with its top-left corner at (`x`, `y`), clipped to this image.
    public mutating func paste(_ other: RGBImage, x: Int, y: Int) {
        for oy in 0..<other.height {
            let py = y + oy
            if py < 0 || py >= height { continue }
            for ox in 0..<other.width {
                let px = x + ox
                if px < 0 || px >= width { continue }
                let d = (py * width + px) * 3, s = (oy * other.width + ox) * 3
                pixels[d] = other.pixels[s]; pixels[d + 1] = other.pixels[s + 1]; pixels[d + 2] = other.pixels[s + 2]
            }
        }
    }
}
