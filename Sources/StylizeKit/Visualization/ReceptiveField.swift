/// The theoretical receptive field of a unit at each stage of a VGG network: the square of
/// input pixels that can influence it.
///
/// Computed from the stages, starting from size 1, jump 1 (distance in input pixels between
/// neighbouring units) and centre offset 0: a 3×3 convolution (stride 1, padding 1) adds
/// `2·jump` to the size; a 2×2 / stride-2 pooling adds `1·jump`, moves the centre of unit 0 by
/// `jump/2` and doubles the jump. For VGG16:
///
/// | layer | size | jump | | layer | size | jump |
/// |---|---|---|---|---|---|---|
/// | relu1_1 | 3 | 1 | | relu4_1 | 60 | 8 |
/// | relu1_2 | 5 | 1 | | relu4_2 | 76 | 8 |
/// | pool1 | 6 | 2 | | relu4_3 | 92 | 8 |
/// | relu2_1 | 10 | 2 | | pool4 | 100 | 16 |
/// | relu2_2 | 14 | 2 | | relu5_1 | 132 | 16 |
/// | pool2 | 16 | 4 | | relu5_2 | 164 | 16 |
/// | relu3_1 | 24 | 4 | | relu5_3 | 196 | 16 |
/// | relu3_2 | 32 | 4 | | pool5 | 212 | 32 |
/// | relu3_3 | 40 | 4 | | | | |
/// | pool3 | 44 | 8 | | | | |
public struct ReceptiveField: Sendable, Equatable {
    /// Side of the square, in input pixels.
    public let size: Int
    /// Input pixels between horizontally (or vertically) adjacent units.
    public let jump: Int
    /// Centre of unit (0, 0) in input pixel coordinates (pixel centres are integers).
    public let offset: Double

    /// The receptive field of `network.stages[stage]`.
    public init(network: VGGNetwork, stage: Int) {
        var size = 1, jump = 1, offset = 0.0
        for s in network.stages[...stage] {
            switch s {
            case .conv: size += 2 * jump
            case .pool: size += jump; offset += Double(jump) / 2; jump *= 2
            }
        }
        self.size = size; self.jump = jump; self.offset = offset
    }

    /// Centre, in input pixels, of the unit at activation position (`x`, `y`).
    public func centre(x: Int, y: Int) -> (x: Double, y: Double) {
        (offset + Double(x * jump), offset + Double(y * jump))
    }

    /// The `size × size` input rectangle centred on `centre` (first column/row, not clipped).
    public func rectangle(centre: (x: Double, y: Double)) -> (x: Int, y: Int, size: Int) {
        let half = Double(size) / 2
        return (Int((centre.x - half).rounded(.up)), Int((centre.y - half).rounded(.up)), size)
    }
}

extension RGBImage {
    /// The `side × side` square whose top-left corner is at (`x`, `y`) in this image; the
    /// parts outside the image are `background`, so the square's centre stays where it was.
    public func crop(x: Int, y: Int, side: Int, background: (Float, Float, Float) = (128, 128, 128)) -> RGBImage {
        var out = RGBImage(width: side, height: side, fill: (background.0, background.1, background.2))
        for oy in 0..<side {
            let sy = y + oy
            if sy < 0 || sy >= height { continue }
            for ox in 0..<side {
                let sx = x + ox
                if sx < 0 || sx >= width { continue }
                let d = (oy * side + ox) * 3, s = (sy * width + sx) * 3
                out.pixels[d] = pixels[s]; out.pixels[d + 1] = pixels[s + 1]; out.pixels[d + 2] = pixels[s + 2]
            }
        }
        return out
    }

    /// Nearest-neighbour enlargement by an integer `factor` (keeps single pixels crisp).
    public func enlarged(by factor: Int) -> RGBImage {
        guard factor > 1 else { return self }
        var out = RGBImage(width: width * factor, height: height * factor, fill: (0, 0, 0))
        for y in 0..<out.height {
            for x in 0..<out.width {
                let d = (y * out.width + x) * 3, s = ((y / factor) * width + x / factor) * 3
                out.pixels[d] = pixels[s]; out.pixels[d + 1] = pixels[s + 1]; out.pixels[d + 2] = pixels[s + 2]
            }
        }
        return out
    }
}
