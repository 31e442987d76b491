/// Perceptual colormaps for activation maps and heatmaps.
///
/// `viridis` is matplotlib's default map (van der Walt & Smith): dark purple at 0, through
/// blue and green, to yellow at 1; its lightness rises monotonically, so brighter always
/// means "more", also in greyscale print. It is approximated here by linear interpolation
/// between nine samples of the map (at 0, 1/8, …, 1), which stays within a few levels of
/// the full 256-entry table.
public enum Colormap {
    /// Viridis at t = 0, 0.125, …, 1 as RGB 0…255.
    static let viridisSamples: [(Float, Float, Float)] = [
        (68, 1, 84), (72, 40, 120), (62, 73, 137), (49, 104, 142), (38, 130, 142),
        (31, 158, 137), (53, 183, 121), (110, 206, 88), (253, 231, 37),
    ]

    /// Viridis colour of `t` (clamped to 0…1; NaN maps to 0), RGB 0…255.
    public static func viridis(_ t: Float) -> (Float, Float, Float) {
        let v = t.isNaN ? 0 : min(max(t, 0), 1)
        let s = v * Float(viridisSamples.count - 1)
        let i = min(Int(s), viridisSamples.count - 2)
        let f = s - Float(i)
        let a = viridisSamples[i], b = viridisSamples[i + 1]
        return (a.0 + f * (b.0 - a.0), a.1 + f * (b.1 - a.1), a.2 + f * (b.2 - a.2))
    }
}
