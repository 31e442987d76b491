import Foundation

/// What a visualization run wrote, and its two text outputs: `activations.json` and the
/// self-contained `index.html` (inline CSS, no scripts, no network; images by relative path).
public struct VisualizationReport {
    public struct ImageEntry {
        public let path: String
        public let stem: String
        public let width: Int, height: Int
        public var stats: [String: ActivationStats] = [:]
        /// Per layer: montage pages, then the Gram heatmap (file names inside `stem/`).
        public var files: [String: [String]] = [:]
    }

    public struct Maximized {
        public let channel: Int
        public let file: String
        public let initial: Double, final: Double
    }

    public let layers: [String]
    public var images: [ImageEntry] = []
    /// Per layer: overview pages of the top patches (paths relative to OUT).
    public var topOverviews: [String: [String]] = [:]
    public var receptiveFields: [String: Int] = [:]
    public var maximized: [Maximized] = []
    /// True when the run was stopped (a signal) before it finished: the pages show what was done.
    public var stopped = false

    public init(layers: [String]) { self.layers = layers }

    /// `{"images": [{"path", "size": [W, H], "layers": {name: {"shape", "mean", "max", "active_fraction"}}}]}`.
    public func activationsJSON() throws -> [UInt8] {
        let list: [[String: Any]] = images.map { e in
            var layerObjects: [String: Any] = [:]
            for (name, s) in e.stats { layerObjects[name] = s.json }
            return ["path": e.path, "size": [e.width, e.height], "layers": layerObjects]
        }
        return [UInt8](try JSONSerialization.data(withJSONObject: ["images": list], options: [.sortedKeys]))
    }

    public func html() -> String {
        var h = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>stylize visualize</title>
        <style>
        body { font: 14px/1.4 "DejaVu Sans", sans-serif; margin: 1.5em; background: #fafafa; color: #222; }
        h1 { font-size: 1.5em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; } h3 { margin-bottom: .3em; }
        img { max-width: 100%; border: 1px solid #ccc; background: #fff; }
        img.px { image-rendering: pixelated; }
        nav a { margin-right: 1em; } details { margin: .4em 0; } summary { cursor: pointer; }
        .grid { display: flex; flex-wrap: wrap; gap: 1em; } .grid figure { margin: 0; }
        figcaption, .note { color: #555; font-size: .9em; }
        table { border-collapse: collapse; } td, th { padding: 2px 8px; border-bottom: 1px solid #ddd; text-align: right; }
        </style></head><body>
        <h1>What each VGG layer responds to</h1>
        <p class="note">Montages: every channel's activation map in viridis (dark = low, yellow = high),
        each normalized to its own range; channel index under each tile. Gram: channel correlations
        (√ of G / max G). Statistics are in <a href="activations.json">activations.json</a>.</p>
        <nav>
        """
        for e in images { h += "<a href=\"#img-\(HTML.escape(e.stem))\">\(HTML.escape(e.stem))</a>" }
        if !topOverviews.isEmpty { h += "<a href=\"#top\">top patches</a>" }
        if !maximized.isEmpty { h += "<a href=\"#maximize\">maximization</a>" }
        h += "</nav>\n"
        for e in images {
            h += "<h2 id=\"img-\(HTML.escape(e.stem))\">\(HTML.escape(e.path)) (\(e.width)×\(e.height))</h2>\n"
            for layer in layers {
                guard let files = e.files[layer], let s = e.stats[layer] else { continue }
                let meanActive = s.activeFraction.reduce(0, +) / Double(max(1, s.activeFraction.count))
                h += "<details\(layer == layers.first ? " open" : "")><summary><b>\(HTML.escape(layer))</b>: \(s.shape[0]) channels, "
                h += "\(s.shape[2])×\(s.shape[1]); \(String(format: "%.0f", 100 * meanActive)) % of positions active</summary>\n"
                for f in files.dropLast() { h += "<p><img loading=\"lazy\" src=\"\(HTML.href(e.stem + "/" + f))\" alt=\"\(HTML.escape(layer)) montage\"></p>\n" }
                if let g = files.last { h += "<figure><img class=\"px\" loading=\"lazy\" src=\"\(HTML.href(e.stem + "/" + g))\" alt=\"\(HTML.escape(layer)) Gram\"><figcaption>Gram matrix of \(HTML.escape(layer))</figcaption></figure>\n" }
                h += "</details>\n"
            }
        }
        if !topOverviews.isEmpty {
            h += "<h2 id=\"top\">Top patches</h2>\n<p class=\"note\">Per channel, the input patches (the unit's receptive field) with the highest activations across all images, best first. Positions and values: <code>top/&lt;layer&gt;.json</code>; one strip per channel: <code>top/&lt;layer&gt;/chNNN.png</code>.</p>\n"
            for layer in layers {
                guard let pages = topOverviews[layer] else { continue }
                h += "<details><summary><b>\(HTML.escape(layer))</b> (receptive field \(receptiveFields[layer] ?? 0) px, <a href=\"\(HTML.href("top/\(layer).json"))\">json</a>)</summary>\n"
                for p in pages { h += "<p><img class=\"px\" loading=\"lazy\" src=\"\(HTML.href(p))\" alt=\"\(HTML.escape(layer)) top patches\"></p>\n" }
                h += "</details>\n"
            }
        }
        if !maximized.isEmpty {
            h += "<h2 id=\"maximize\">Activation maximization (\(HTML.escape(layers.first ?? "")))</h2>\n<div class=\"grid\">\n"
            for m in maximized {
                h += "<figure><img class=\"px\" src=\"\(HTML.href(m.file))\" width=\"256\" alt=\"channel \(m.channel)\"><figcaption>channel \(m.channel): mean activation \(String(format: "%.3g", m.initial)) → \(String(format: "%.3g", m.final))</figcaption></figure>\n"
            }
            h += "</div>\n"
        }
        h += "</body></html>\n"
        return h
    }
}
