import Foundation

/// `OUT/contact-sheet.png`: the report's grid as one image. Each section (content × style)
/// has a title line, column labels above and row labels left of the thumbnails (128 px, or
/// smaller when the grid is large); under each thumbnail its final total loss, or "failed".
public enum ContactSheet {
    /// Thumbnail side in pixels: large enough to judge a style, small enough that a sweep
    /// of a few dozen jobs stays a few megapixels.
    static let thumb = 128
    /// The smallest thumbnail side a large grid is scaled down to.
    static let minThumb = 16
    /// Largest sheet, in pixels: 16 megapixels, 192 MB while drawn (3 floats a pixel). Grids
    /// beyond a few hundred jobs get smaller thumbnails to fit; a 100×100 grid at 128 px
    /// would have been about 200 megapixels (2.4 GB).
    public static let maxPixels = 16_000_000
    /// Labels and titles are cut to this many pixels, so long names cannot widen the sheet.
    static let maxLabelWidth = 320, maxTitleWidth = 1600
    static let gap = 8
    /// Output images larger than this (pixels) are not read for a thumbnail: a batch writes
    /// images of at most `--size` on a side, and this is 4096² (200 MB while decoded).
    static let maxThumbnailSource = 4096 * 4096

    public static func write(layout: BatchLayout, folder: String, to path: String) throws {
        try PNGCodec.write(try render(layout: layout, folder: folder), to: path)
    }

    /// The sheet's size with thumbnails of side `thumb`.
    static func size(layout: BatchLayout, thumb: Int, font: TextRenderer, titleFont: TextRenderer) -> (width: Int, height: Int) {
        let line = font.lineHeight
        let cellW = thumb + gap, cellH = thumb + line + gap
        var width = 2 * gap + 200, height = gap
        for s in layout.sections {
            let rowLabelW = (s.rowLabels.map { min(font.width(of: $0), maxLabelWidth) }.max() ?? 0) + gap
            width = max(width, gap + rowLabelW + s.columnLabels.count * cellW + gap,
                        gap + min(titleFont.width(of: s.title), maxTitleWidth) + gap,
                        gap + min(font.width(of: layout.axesText), maxTitleWidth) + gap)
            height += titleFont.lineHeight + (layout.axesText.isEmpty ? 0 : line) + line + gap + s.rowLabels.count * cellH + gap
        }
        return (max(width, 1), max(height, gap + 1))
    }

    /// The largest thumbnail side (at most `thumb`) whose sheet fits `maxPixels`, or nil if
    /// even `minThumb` does not.
    static func thumbnailSide(layout: BatchLayout, font: TextRenderer, titleFont: TextRenderer) -> Int? {
        var side = thumb
        while true {
            let s = size(layout: layout, thumb: side, font: font, titleFont: titleFont)
            let pixels = Double(s.width) * Double(s.height)
            if pixels <= Double(maxPixels) { return side }
            if side == minThumb { return nil }
            side = max(minThumb, min(side - 1, Int(Double(side) * (Double(maxPixels) / pixels).squareRoot())))
        }
    }

    public static func render(layout: BatchLayout, folder: String) throws -> RGBImage {
        let font = try TextRenderer(pixelSize: 12)
        let titleFont = try TextRenderer(pixelSize: 15)
        let line = font.lineHeight
        guard let thumb = thumbnailSide(layout: layout, font: font, titleFont: titleFont) else {
            let jobs = layout.sections.reduce(0) { $0 + $1.rowLabels.count * $1.columnLabels.count }
            throw FileWriteError(path: "contact-sheet.png", reason: "\(jobs) jobs do not fit in \(maxPixels / 1_000_000) megapixels even with \(minThumb) px thumbnails; see index.html")
        }
        let cellW = thumb + gap, cellH = thumb + line + gap
        let (width, height) = size(layout: layout, thumb: thumb, font: font, titleFont: titleFont)
        var image = RGBImage(width: width, height: height, fill: (255, 255, 255))
        // Draw.
        var y = gap
        for s in layout.sections {
            titleFont.draw(fit(s.title, titleFont, maxTitleWidth), on: &image, x: gap, y: y)
            y += titleFont.lineHeight
            if !layout.axesText.isEmpty {
                font.draw(fit(layout.axesText, font, maxTitleWidth), on: &image, x: gap, y: y, color: (90, 90, 90))
                y += line
            }
            let rowLabelW = (s.rowLabels.map { min(font.width(of: $0), maxLabelWidth) }.max() ?? 0) + gap
            let x0 = gap + rowLabelW
            for (c, label) in s.columnLabels.enumerated() {
                font.draw(fit(label, font, thumb), on: &image, x: x0 + c * cellW, y: y, color: (60, 60, 60))
            }
            y += line + gap / 2
            for (r, row) in s.cells.enumerated() {
                font.draw(fit(s.rowLabels[r], font, maxLabelWidth), on: &image, x: gap, y: y + thumb / 2 - line / 2, color: (60, 60, 60))
                for (c, cell) in row.enumerated() {
                    let x = x0 + c * cellW
                    image.fill(x: x, y: y, width: thumb, height: thumb, color: (230, 230, 230))
                    var caption = "not run"
                    if let cell {
                        if let out = try? ImageFile.read(path: folder + "/" + cell.image, maxPixels: maxThumbnailSource).image {
                            let t = out.resized(longestSide: thumb)
                            image.paste(t, x: x + (thumb - t.width) / 2, y: y + (thumb - t.height) / 2)
                        }
                        switch cell.status {
                        case .done: caption = "total " + BatchReport.num(cell.final?.total)
                        case .failed: caption = "failed"
                        case .interrupted: caption = "interrupted"
                        }
                    }
                    let color: (Float, Float, Float) = cell?.status == .failed ? (180, 0, 0) : (0, 0, 0)
                    font.draw(fit(caption, font, thumb), on: &image, x: x, y: y + thumb + 1, color: color)
                }
                y += cellH
            }
            y += gap
        }
        return image
    }

    /// `text`, cut with "…" to fit `width` pixels (no glyph is narrower than a pixel, so
    /// anything past `width` characters is dropped before measuring).
    /// A name's bytes that are not UTF-8 show as `\xff` (`FileName.display`).
    static func fit(_ text: String, _ font: TextRenderer, _ width: Int) -> String {
        let text = FileName.display(text)
        var t = text.count > width ? String(text.prefix(width)) : text
        while font.width(of: t) > width && t.count > 1 { t = String(t.dropLast(2)) + "…" }
        return t
    }
}
