/// A box blur with zero padding, for `SmoothingPreconditioner`: on every plane of a
/// `(planes, height, width)` tensor, `out[y][x] = Σ in[y′][x′] / (2r+1)²` over
/// `|y′ − y| ≤ r, |x′ − x| ≤ r` inside the plane (values outside count as 0, so the
/// operator is a symmetric matrix: `uᵀ·B·v = vᵀ·B·u`). Rows, then columns, each a running
/// sum: O(1) per value whatever the radius. `BoxBlurReference` is the plain definition.
public enum BoxBlur {
    /// Blurs `data` in place; `scratch` (at least `data`'s size) holds the row pass, each
    /// plane in its own part, so the planes can go to different threads.
    public static func blur(_ data: inout [Float], planes: Int, height: Int, width: Int, radius r: Int,
                            scratch: inout [Float], parallel: Parallel) {
        let plane = height * width
        precondition(r >= 0 && data.count == planes * plane && scratch.count >= planes * plane, "BoxBlur: sizes")
        let norm = 1 / Float(2 * r + 1)
        data.withUnsafeMutableBufferPointer { dBuf in
            scratch.withUnsafeMutableBufferPointer { sBuf in
                let d = dBuf.baseAddress!, s = sBuf.baseAddress!
                parallel.forEachChunk(planes, costPerItem: plane) { range in
                    for p in range { blurPlane(d + p * plane, s + p * plane, height: height, width: width, r: r, norm: norm) }
                }
            }
        }
    }

    /// One plane: rows from `a` into `t`, then columns from `t` back into `a`.
    static func blurPlane(_ a: UnsafeMutablePointer<Float>, _ t: UnsafeMutablePointer<Float>,
                          height: Int, width: Int, r: Int, norm: Float) {
        for y in 0..<height {  // rows: a sliding window sum along x
            let row = a + y * width, out = t + y * width
            var sum: Float = 0
            for x in 0..<min(r, width) { sum += row[x] }
            for x in 0..<width {
                if x + r < width { sum += row[x + r] }
                out[x] = sum * norm
                if x - r >= 0 { sum -= row[x - r] }
            }
        }
        // Columns: a window sum of whole rows, `a` row y = Σ t rows y−r … y+r (vectorizes along x).
        for x in 0..<width { a[x] = 0 }
        for y in 0..<min(r + 1, height) { let row = t + y * width; for x in 0..<width { a[x] += row[x] } }
        for y in 0..<height {
            let out = a + y * width
            if y > 0 {
                let previous = a + (y - 1) * width
                let entering = y + r < height ? t + (y + r) * width : nil
                let leaving = y - r - 1 >= 0 ? t + (y - r - 1) * width : nil
                switch (entering, leaving) {
                case let (e?, l?): for x in 0..<width { out[x] = previous[x] + e[x] - l[x] }
                case let (e?, nil): for x in 0..<width { out[x] = previous[x] + e[x] }
                case let (nil, l?): for x in 0..<width { out[x] = previous[x] - l[x] }
                case (nil, nil): for x in 0..<width { out[x] = previous[x] }
                }
            }
        }
        for i in 0..<(height * width) { a[i] *= norm }
    }
}

/// The plain definition of `BoxBlur`, straight from the sum (O(r²) per value): the
/// reference the fast kernel is tested against.
public enum BoxBlurReference {
    public static func blur(_ data: [Float], planes: Int, height: Int, width: Int, radius r: Int) -> [Float] {
        var out = [Float](repeating: 0, count: data.count)
        let norm = 1 / Double((2 * r + 1) * (2 * r + 1))
        for p in 0..<planes {
            for y in 0..<height {
                for x in 0..<width {
                    var sum = 0.0
                    for yy in max(0, y - r)...min(height - 1, y + r) {
                        for xx in max(0, x - r)...min(width - 1, x + r) { sum += Double(data[(p * height + yy) * width + xx]) }
                    }
                    out[(p * height + y) * width + x] = Float(sum * norm)
                }
            }
        }
        return out
    }
}
