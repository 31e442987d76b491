import Foundation

/// `OUT/contact-sheet.png`: the report's grid as one image. Each section (content × style)
/// has a title line, column labels above and row labels left of 128 px thumbnails; under
/// each thumbnail its final total loss, or the word "failed".
public enum ContactSheet {
    /// Thumbnail side in pixels: large enough to judge a style, small enough that a sweep
    /// of a few dozen jobs stays a few megapixels.
    static let thumb = 128
    static let gap = 8

    public static func write(layout: BatchLayout, folder: String, to path: String) throws {
        try PNGCodec.write(try render(layout: layout, folder: folder), to: path)
    }

    public static func render(layout: BatchLayout, folder: String) throws -> RGBImage {
        let font = try TextRenderer(pixelSize: 12)
        let titleFont = try TextRenderer(pixelSize: 15)
        let line = font.lineHeight
        let cellW = thumb + gap, cellH = thumb + line + gap
        // Measure.
        var width = 2 * gap + 200, height = gap
        for s in layout.sections {
            let rowLabelW = (s.rowLabels.map { font.width(of: $0) }.max() ?? 0) + gap
            let columns = s.columnLabels.count
            width = max(width, gap + rowLabelW + columns * cellW + gap, gap + titleFont.width(of: s.title) + gap,
                        gap + font.width(of: layout.axesText) + gap)
            height += titleFont.lineHeight + (layout.axesText.isEmpty ? 0 : line) + line + gap + s.rowLabels.count * cellH + gap
        }
        var image = RGBImage(width: max(width, 1), height: max(height, gap + 1), fill: (255, 255, 255))
        // Draw.
        var y = gap
        for s in layout.sections {
            titleFont.draw(s.title, on: &image, x: gap, y: y)
            y += titleFont.lineHeight
            if !layout.axesText.isEmpty {
                font.draw(layout.axesText, on: &image, x: gap, y: y, color: (90, 90, 90))
                y += line
            }
            let rowLabelW = (s.rowLabels.map { font.width(of: $0) }.max() ?? 0) + gap
            let x0 = gap + rowLabelW
            for (c, label) in s.columnLabels.enumerated() {
                font.draw(fit(label, font, thumb), on: &image, x: x0 + c * cellW, y: y, color: (60, 60, 60))
            }
            y += line + gap / 2
            for (r, row) in s.cells.enumerated() {
                font.draw(s.rowLabels[r], on: &image, x: gap, y: y + thumb / 2 - line / 2, color: (60, 60, 60))
                for (c, cell) in row.enumerated() {
                    let x = x0 + c * cellW
                    image.fill(x: x, y: y, width: thumb, height: thumb, color: (230, 230, 230))
                    var caption = "not run"
                    if let cell {
                        if let out = try? PNGCodec.read(path: folder + "/" + cell.output) {
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

    /// `text`, cut with "…" to fit `width` pixels.
    static func fit(_ text: String, _ font: TextRenderer, _ width: Int) -> String {
        var t = text
        while font.width(of: t) > width && t.count > 1 { t = String(t.dropLast(2)) + "…" }
        return t
    }
}
