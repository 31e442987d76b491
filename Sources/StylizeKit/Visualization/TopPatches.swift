/// The input patches that excite each channel most (Zeiler & Fergus 2014, without the
/// deconvnet projection): for every channel of a layer, the `k` highest activations over all
/// images, each shown as the unit's receptive field cropped from its input image.
///
/// Non-maximum suppression: a candidate is skipped when an already chosen patch of the same
/// channel in the same image has its centre less than half a receptive field away in both x
/// and y, so the K patches are not K shifted copies of one spot.
public struct TopPatches {
    /// One chosen patch: `image` indexes the caller's image list; (`x`, `y`) is the patch
    /// centre in that image's working-size pixels; `value` the activation there.
    public struct Patch: Sendable, Equatable {
        public let image: Int
        public let value: Float
        public let x: Double, y: Double
    }

    public let k: Int
    public let field: ReceptiveField
    /// `best[c]`: channel c's patches so far, best first (at most `k`).
    public private(set) var best: [[Patch]]

    public init(k: Int, channels: Int, field: ReceptiveField) {
        self.k = k
        self.field = field
        best = Array(repeating: [], count: channels)
    }

    /// Adds the candidates of image number `image`, whose activation at this layer is `f`.
    public mutating func add(_ f: Tensor3, image: Int) {
        let m = f.positions
        let radius = Double(field.size) / 2
        for c in 0..<f.channels {
            // Candidates of this image that can still make the top k: positive and better
            // than the current k-th (a position is never needed twice).
            let floor = best[c].count == k ? best[c][k - 1].value : 0
            let d = f.data
            var order: [Int] = []
            for p in 0..<m where d[c * m + p] > floor { order.append(p) }
            order.sort { d[c * m + $0] > d[c * m + $1] || (d[c * m + $0] == d[c * m + $1] && $0 < $1) }
            var chosen: [Patch] = []
            for p in order {
                let centre = field.centre(x: p % f.width, y: p / f.width)
                let clash = chosen.contains { abs($0.x - centre.x) < radius && abs($0.y - centre.y) < radius }
                if clash { continue }
                chosen.append(Patch(image: image, value: f.data[c * m + p], x: centre.x, y: centre.y))
                if chosen.count == k { break }
            }
            best[c] = Array((best[c] + chosen).sorted { $0.value > $1.value }.prefix(k))
        }
    }

    /// Channel `c`'s patches as one strip, best first, 2 px apart: each the receptive field
    /// cropped from `images[patch.image]` (outside the image: grey), enlarged by an integer
    /// factor to at least 48 px when smaller, shrunk (Lanczos) to `maxSide` when larger.
    public func strip(channel c: Int, images: [RGBImage], maxSide: Int = 96) -> RGBImage {
        let factor = max(1, 48 / field.size), side = min(field.size * factor, maxSide), gap = 2
        let n = max(1, k)
        var out = RGBImage(width: n * side + (n - 1) * gap, height: side, fill: Montage.background)
        for (i, patch) in best[c].enumerated() {
            let r = field.rectangle(centre: (patch.x, patch.y))
            var crop = images[patch.image].crop(x: r.x, y: r.y, side: r.size).enlarged(by: factor)
            if crop.width != side { crop = crop.resized(width: side, height: side) }
            out.paste(crop, x: i * (side + gap), y: 0)
        }
        return out
    }

    /// Every channel's strip stacked in a grid with the channel index above each one, at most
    /// `maxChannels` channels per page.
    public func overview(images: [RGBImage], text: TextRenderer?, maxChannels: Int = 64) -> [RGBImage] {
        let strips = (0..<best.count).map { strip(channel: $0, images: images, maxSide: 40) }
        guard let first = strips.first else { return [] }
        let label = (text?.lineHeight ?? 0) + 2, gap = 6
        let columns = max(1, min(strips.count, 1600 / (first.width + gap)))
        var pages: [RGBImage] = []
        var start = 0
        while start < strips.count {
            let end = min(strips.count, start + maxChannels)
            let rows = (end - start + columns - 1) / columns
            var page = RGBImage(width: gap + min(columns, end - start) * (first.width + gap),
                                height: gap + rows * (first.height + label + gap), fill: (255, 255, 255))
            for c in start..<end {
                let i = c - start
                let x = gap + (i % columns) * (first.width + gap), y = gap + (i / columns) * (first.height + label + gap)
                text?.draw("ch \(c)", on: &page, x: x, y: y)
                page.paste(strips[c], x: x, y: y + label)
            }
            pages.append(page)
            start = end
        }
        return pages
    }
}
