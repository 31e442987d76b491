import Foundation

/// `OUT/index.html`: a self-contained page (inline CSS and SVG, no scripts, no network;
/// images by relative path) showing every job of a batch. It is well-formed XML (XHTML
/// syntax: closed tags, only the five XML entities) so it can be checked with `XMLParser`.
public enum BatchReport {
    /// Writes `index.html` and `contact-sheet.png` into `folder` from the records found there
    /// and in each of `merging` (other batch folders, e.g. one per `--shard`): their records'
    /// images and logs are referred to by paths relative to `folder`, so the merged report
    /// shows them where they are. Returns the path of `index.html`.
    @discardableResult
    public static func write(folder: String, merging: [String] = []) throws -> String {
        let records = self.records(folder: folder, merging: merging)
        let layout = BatchLayout(records: records)
        let path = folder + "/index.html"
        try AtomicFile.write(html(layout: layout, folder: folder), to: path)
        try ContactSheet.write(layout: layout, folder: folder, to: folder + "/contact-sheet.png")
        return path
    }

    /// The records of `folder` and of every folder in `merging` (each once; `folder` itself
    /// among them is skipped), with the others' `output` and `log` rewritten relative to `folder`.
    public static func records(folder: String, merging: [String]) -> [RunRecord] {
        var records = RunRecord.read(folder: folder)
        var seen: Set<String> = [PathIdentity.canonical(folder)]
        for other in merging where seen.insert(PathIdentity.canonical(other)).inserted {
            for var r in RunRecord.read(folder: other) {
                r.output = relativePath(from: folder, to: other + "/" + r.output)
                r.partial = r.partial.map { relativePath(from: folder, to: other + "/" + $0) }
                r.log = relativePath(from: folder, to: other + "/" + r.log)
                records.append(r)
            }
        }
        return records
    }

    public static func html(layout: BatchLayout, folder: String) -> String {
        let all = layout.sections.flatMap { $0.cells.flatMap { $0 } }.compactMap { $0 }
        let done = all.filter { $0.status == .done }.count
        var h = """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/>
        <title>stylize batch: \(HTML.escape(URL(fileURLWithPath: folder).lastPathComponent))</title>
        <style>
        body { font-family: DejaVu Sans, sans-serif; margin: 1.5em; color: #222; }
        table.grid { border-collapse: collapse; margin-bottom: 2em; }
        table.grid td, table.grid th { border: 1px solid #ccc; padding: 6px; vertical-align: top; font-size: 12px; }
        th.axis { background: #f3f3f3; }
        img.out { width: 256px; height: auto; display: block; }
        img.in { height: 64px; margin-right: 6px; }
        .failed { background: #fde8e8; } .interrupted { background: #fff4d6; }
        .err { color: #a00; max-width: 256px; }
        td div { max-width: 262px; overflow-wrap: anywhere; }
        table.params td { padding: 1px 8px; font-size: 12px; }
        </style></head><body>
        <h1>stylize batch</h1>
        <p>\(all.count) jobs recorded: \(done) done, \(all.filter { $0.status == .failed }.count) failed, \
        \(all.filter { $0.status == .interrupted }.count) interrupted. <a href="contact-sheet.png">Contact sheet</a>, \
        <a href="runs.jsonl">runs.jsonl</a>.</p>

        """
        if !layout.differingParams.isEmpty {
            h += "<p>Varying: \(HTML.escape(layout.differingParams.joined(separator: ", ")))</p>\n"
        }
        h += "<details><summary>Options shared by every job</summary><table class=\"params\">"
        for (k, v) in layout.commonParams { h += "<tr><td>--\(HTML.escape(k))</td><td>\(HTML.escape(v))</td></tr>" }
        h += "</table></details>\n"
        for section in layout.sections {
            h += "<h2>\(HTML.escape(section.title))</h2>\n"
            if let content = section.content, let style = section.style {
                h += "<p>" + thumbnail(content, "content", folder) + thumbnail(style, "style", folder)
                h += "<br/>content \(HTML.escape(content)), style \(HTML.escape(style))</p>\n"
            }
            h += "<table class=\"grid\">"
            let hasColumns = section.columnLabels.count > 1 || section.columnLabels.first != ""
            let hasRows = section.rowLabels.count > 1 || section.rowLabels.first != ""
            if hasColumns {
                let corner = [layout.rowAxis.map { "\($0) ↓" }, "\(layout.columnAxes.joined(separator: ", ")) →"]
                    .compactMap { $0 }.joined(separator: " / ")
                h += "<tr>" + (hasRows ? "<th class=\"axis\">\(HTML.escape(corner))</th>" : "")
                for (i, c) in section.columnLabels.enumerated() {
                    let input = i < section.columnInputs.count ? thumbnail(section.columnInputs[i], "style", folder) + "<br/>" : ""
                    h += "<th class=\"axis\">\(input)\(HTML.escape(layout.columnAxes.joined(separator: ", "))) = \(HTML.escape(c))</th>"
                }
                h += "</tr>\n"
            }
            for (i, row) in section.cells.enumerated() {
                let rowLabel = layout.rowAxis.map { "\($0) = \(section.rowLabels[i])" } ?? ""
                let input = i < section.rowInputs.count ? thumbnail(section.rowInputs[i], "content", folder) + "<br/>" : ""
                h += "<tr>" + (hasRows ? "<th class=\"axis\">\(input)\(HTML.escape(rowLabel))</th>" : "")
                for cell in row { h += self.cell(cell, layout: layout, folder: folder) }
                h += "</tr>\n"
            }
            h += "</table>\n"
        }
        return h + "</body></html>\n"
    }

    static func cell(_ r: RunRecord?, layout: BatchLayout, folder: String) -> String {
        guard let r else { return "<td>not run</td>" }
        var h = "<td class=\"\(r.status.rawValue)\">"
        if r.status != .failed || FileSystem.exists(folder + "/" + r.output) {
            h += "<a href=\"\(HTML.href(r.image))\"><img class=\"out\" src=\"\(HTML.href(r.image))\" alt=\"\(HTML.escape(r.image))\"/></a>"
        }
        h += "<div>\(HTML.escape(r.image))</div>"
        let caption = layout.caption(r)
        if !caption.isEmpty { h += "<div>\(HTML.escape(caption))</div>" }
        h += "<div>\(r.status.rawValue), \(r.iterations) iterations, \(String(format: "%.1f", r.seconds)) s</div>"
        if let f = r.final {
            h += "<div>total \(num(f.total)), content \(num(f.content)), style \(num(f.style)), tv \(num(f.tv))"
                + (f.styleWeight.map { ", β \(num($0))" } ?? "") + "</div>"
        }
        if let e = r.error { h += "<div class=\"err\">\(HTML.escape(e))</div>" }
        h += LossCurve.svg(points: LossCurve.read(log: folder + "/" + r.log))
        return h + "</td>"
    }

    /// A small picture of an input, linked by its path relative to the report.
    static func thumbnail(_ path: String, _ alt: String, _ folder: String) -> String {
        "<img class=\"in\" src=\"\(HTML.href(relativePath(from: folder, to: path)))\" alt=\"\(alt)\" title=\"\(HTML.escape(path))\"/>"
    }

    static func num(_ v: Double?) -> String {
        v.map(NumberText.loss) ?? "–"
    }
}
