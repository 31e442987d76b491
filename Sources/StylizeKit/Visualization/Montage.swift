/// Where the tiles of an activation montage go: a grid of one tile per channel, split into
/// pages so that a 512-channel layer stays readable.
///
/// Tile size follows the layer's spatial size: maps whose longest side exceeds
/// `targetTile` are box-averaged down by the smallest integer factor that fits (relu1_1 of a
/// 512 px image: 512 → 128 px tiles); smaller maps are enlarged by the largest integer factor
/// that fits (relu5_1's 32×32 → 96×96). Each tile has a label strip of `labelHeight` pixels
/// underneath (the channel index) and `gap` pixels of separator around it.
public struct MontageLayout: Sendable, Equatable {
    public let channels: Int
    /// Tile size in pixels, without label and separator.
    public let tileWidth: Int, tileHeight: Int
    /// Box-average factor (≥ 1, when shrinking) and enlargement factor (≥ 1, when growing).
    public let shrink: Int, enlarge: Int
    public let columns: Int
    public let perPage: Int
    public let labelHeight: Int
    public let gap: Int

    public init(channels: Int, mapWidth: Int, mapHeight: Int, targetTile: Int = 96,
                maxPerPage: Int = 128, labelHeight: Int = 14, gap: Int = 2) {
        let longest = max(mapWidth, mapHeight, 1)
        if longest > targetTile {
            shrink = (longest + targetTile - 1) / targetTile; enlarge = 1
        } else {
            shrink = 1; enlarge = max(1, targetTile / longest)
        }
        tileWidth = (mapWidth + shrink - 1) / shrink * enlarge
        tileHeight = (mapHeight + shrink - 1) / shrink * enlarge
        self.channels = channels
        perPage = max(1, min(channels, maxPerPage))
        // About twice as wide as tall on a full page (pages are read on landscape screens).
        var cols = 1
        while cols * cols < 2 * perPage { cols += 1 }
        columns = min(perPage, max(1, cols))
        self.labelHeight = labelHeight
        self.gap = gap
    }

    public var pages: Int { (channels + perPage - 1) / perPage }
    /// Channels shown on page `p` (0-based).
    public func channels(onPage p: Int) -> Range<Int> { (p * perPage)..<min(channels, (p + 1) * perPage) }
    public func rows(onPage p: Int) -> Int { (channels(onPage: p).count + columns - 1) / columns }
    public var cellWidth: Int { tileWidth + gap }
    public var cellHeight: Int { tileHeight + labelHeight + gap }
    /// Page size in pixels (a separator of `gap` on every side).
    public func pageSize(_ p: Int) -> (width: Int, height: Int) {
        let cols = min(columns, channels(onPage: p).count)
        return (gap + cols * cellWidth, gap + rows(onPage: p) * cellHeight)
    }
    /// Top-left corner of channel `c`'s tile on its page.
    public func tileOrigin(channel c: Int) -> (page: Int, x: Int, y: Int) {
        let p = c / perPage, i = c - p * perPage
        return (p, gap + (i % columns) * cellWidth, gap + (i / columns) * cellHeight)
    }
}

/// Renders activation montages and Gram heatmaps.
public enum Montage {
    /// Colour of the separator lines and the label strips' background.
    public static let background: (Float, Float, Float) = (40, 40, 40)

    /// One image per page: every channel of `f` `(C, H, W)` in viridis, each normalized to its
    /// own min…max (a constant channel is drawn at the colour of 0), with its index underneath.
    public static func render(_ f: Tensor3, layout: MontageLayout, text: TextRenderer?) -> [RGBImage] {
        var pages: [RGBImage] = []
        for p in 0..<layout.pages {
            let size = layout.pageSize(p)
            var page = RGBImage(width: size.width, height: size.height, fill: background)
            for c in layout.channels(onPage: p) {
                let o = layout.tileOrigin(channel: c)
                page.paste(tile(f, channel: c, layout: layout), x: o.x, y: o.y)
                if let text {
                    let label = String(c)
                    let lx = o.x + max(0, (layout.tileWidth - text.width(of: label)) / 2)
                    text.draw(label, on: &page, x: lx, y: o.y + layout.tileHeight, color: (230, 230, 230))
                }
            }
            pages.append(page)
        }
        return pages
    }

    /// Channel `c` of `f` as a `tileWidth × tileHeight` viridis image.
    static func tile(_ f: Tensor3, channel c: Int, layout: MontageLayout) -> RGBImage {
        let h = f.height, w = f.width, k = layout.shrink
        let sh = (h + k - 1) / k, sw = (w + k - 1) / k
        var small = [Float](repeating: 0, count: sh * sw)
        for y in 0..<sh {
            for x in 0..<sw {
                var sum: Float = 0, n: Float = 0
                for yy in (y * k)..<min(h, y * k + k) {
                    for xx in (x * k)..<min(w, x * k + k) { sum += f[c, yy, xx]; n += 1 }
                }
                small[y * sw + x] = sum / n
            }
        }
        let lo = small.min() ?? 0, hi = small.max() ?? 0
        let range = hi - lo
        var image = RGBImage(width: sw, height: sh, fill: (0, 0, 0))
        for i in 0..<small.count {
            let col = Colormap.viridis(range > 0 ? (small[i] - lo) / range : 0)
            image.pixels[3 * i] = col.0; image.pixels[3 * i + 1] = col.1; image.pixels[3 * i + 2] = col.2
        }
        return image.enlarged(by: layout.enlarge)
    }

    /// The Gram matrix `G = F·Fᵀ / (H·W)` of `f` as a `C × C` viridis heatmap, each entry
    /// shown as `sqrt(G / max G)` (the square root spreads the many small correlations),
    /// every entry enlarged to a square of at least 1 px so the image is about 256 px or more.
    public static func gramHeatmap(_ f: Tensor3, parallel: Parallel) -> RGBImage {
        let n = f.channels
        let g = Gram.gram(of: f, parallel: parallel)
        let top = g.max() ?? 0
        var image = RGBImage(width: n, height: n, fill: (0, 0, 0))
        for i in 0..<(n * n) {
            let t = top > 0 ? (max(g[i], 0) / top).squareRoot() : 0
            let col = Colormap.viridis(t)
            image.pixels[3 * i] = col.0; image.pixels[3 * i + 1] = col.1; image.pixels[3 * i + 2] = col.2
        }
        return image.enlarged(by: max(1, 256 / max(n, 1)))
    }
}
