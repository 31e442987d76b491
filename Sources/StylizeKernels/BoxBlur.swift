/// A box blur with zero padding, for `SmoothingPreconditioner`: on every plane of a
/// `(planes, height, width)` tensor, `out[y][x] = Σ in[y′][x′] / (2r+1)²` over
/// `|y′ − y| ≤ r, |x′ − x| ≤ r` inside the plane (values outside count as 0, so the
/// operator is a symmetric matrix: `uᵀ·B·v = vᵀ·B·u`). Rows, then columns, each a running
/// sum: O(1) per value whatever the radius. `BoxBlurReference` is the plain definition.
public enum BoxBlur {
    /// The column pass's strip width when more threads than planes share it: about 4 strips
    /// per thread over the planes, a multiple of 16 columns.
    static func stripWidth(width: Int, planes: Int, threads: Int) -> Int {
        guard threads > 1, width > 16 else { return max(width, 1) }
        let strips = min((width + 15) / 16, (4 * threads + planes - 1) / planes)
        return ((width + strips - 1) / strips + 15) / 16 * 16
    }

    /// Blurs `data` in place; `scratch` (at least `data`'s size) holds the row pass. With no
    /// more threads than planes each thread blurs whole planes (`blurPlane`: a plane's row pass
    /// is still in cache for its column pass; splitting rows and strips instead made the
    /// optimizer's work at 512² on 2 threads about 10 % slower, 48 against 43 ms an iteration).
    /// With more (an image has 3 planes, and the others waited), the row pass goes to the threads
    /// a row at a time and the column pass a strip of columns at a time (`stripWidth`). Each value
    /// gets the same operations in the same order either way, so the bits do not depend on the split.
    public static func blur(_ data: inout [Float], planes: Int, height: Int, width: Int, radius r: Int,
                            scratch: inout [Float], parallel: Parallel) {
        let plane = height * width
        precondition(r >= 0 && data.count == planes * plane && scratch.count >= planes * plane, "BoxBlur: sizes")
        let norm = 1 / Float(2 * r + 1)
        let strip = stripWidth(width: width, planes: planes, threads: parallel.threads)
        let strips = (width + strip - 1) / strip
        data.withUnsafeMutableBufferPointer { dBuf in
            scratch.withUnsafeMutableBufferPointer { sBuf in
                let d = dBuf.baseAddress!, s = sBuf.baseAddress!
                guard parallel.threads > planes else {
                    parallel.forEachChunk(planes, costPerItem: plane) { range in
                        for p in range { blurPlane(d + p * plane, s + p * plane, height: height, width: width, r: r, norm: norm) }
                    }
                    return
                }
                parallel.forEachChunk(planes * height, costPerItem: width) { range in
                    for row in range { blurRow(d + row * width, into: s + row * width, width: width, r: r, norm: norm) }
                }
                parallel.forEachChunk(planes * strips, costPerItem: plane / strips) { range in
                    for piece in range {
                        let p = piece / strips, x0 = (piece % strips) * strip
                        blurColumns(d + p * plane, s + p * plane, height: height, width: width, columns: x0..<min(width, x0 + strip),
                                    r: r, norm: norm)
                    }
                }
            }
        }
    }

    /// One plane on the calling thread: rows from `a` into `t`, then columns from `t` back
    /// into `a` (`SmoothingPreconditionerTests` holds `blur`'s split by rows and strips to its bits).
    static func blurPlane(_ a: UnsafeMutablePointer<Float>, _ t: UnsafeMutablePointer<Float>,
                          height: Int, width: Int, r: Int, norm: Float) {
        for y in 0..<height { blurRow(a + y * width, into: t + y * width, width: width, r: r, norm: norm) }
        blurColumns(a, t, height: height, width: width, columns: 0..<width, r: r, norm: norm)
    }

    /// One row: a sliding window sum along x, scaled by `norm`.
    @inline(__always)
    static func blurRow(_ row: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>, width: Int, r: Int, norm: Float) {
        var sum: Float = 0
        for x in 0..<min(r, width) { sum += row[x] }
        for x in 0..<width {
            if x + r < width { sum += row[x + r] }
            out[x] = sum * norm
            if x - r >= 0 { sum -= row[x - r] }
        }
    }

    /// The columns `columns` of one plane: `a` row y = Σ `t` rows y−r … y+r, as a window sum of
    /// whole rows (vectorizes along x), then scaled by `norm`.
    @inline(__always)
    static func blurColumns(_ a: UnsafeMutablePointer<Float>, _ t: UnsafeMutablePointer<Float>, height: Int, width: Int,
                            columns: Range<Int>, r: Int, norm: Float) {
        for x in columns { a[x] = 0 }
        for y in 0..<min(r + 1, height) { let row = t + y * width; for x in columns { a[x] += row[x] } }
        for y in 1..<max(1, height) {
            let out = a + y * width, previous = a + (y - 1) * width
            let entering = y + r < height ? t + (y + r) * width : nil
            let leaving = y - r - 1 >= 0 ? t + (y - r - 1) * width : nil
            switch (entering, leaving) {
            case let (e?, l?): for x in columns { out[x] = previous[x] + e[x] - l[x] }
            case let (e?, nil): for x in columns { out[x] = previous[x] + e[x] }
            case let (nil, l?): for x in columns { out[x] = previous[x] - l[x] }
            case (nil, nil): for x in columns { out[x] = previous[x] }
            }
        }
        for y in 0..<height { let out = a + y * width; for x in columns { out[x] *= norm } }
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
