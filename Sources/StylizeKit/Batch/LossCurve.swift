import Foundation

/// The loss-vs-iteration curve of one job, as an inline SVG with a log-scale y axis
/// (the total falls by orders of magnitude, so a linear axis shows only the first steps).
enum LossCurve {
    /// `(iteration, total)` from a `--log` JSON-lines file; unreadable or partial lines are skipped.
    static func read(log path: String) -> [(Int, Double)] {
        guard let bytes = FileSystem.contents(path) else { return [] }
        let text = String(decoding: bytes, as: UTF8.self)
        var points: [(Int, Double)] = []
        for line in text.split(separator: "\n") {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let i = obj["iteration"] as? Int, let t = obj["total"] as? Double, t.isFinite, t > 0 else { continue }
            points.append((i, t))
        }
        return points
    }

    /// A 260×110 px SVG: polyline of log10(total), labelled with the first and last totals.
    static func svg(points: [(Int, Double)]) -> String {
        guard points.count >= 2 else { return "" }
        let w = 260.0, h = 110.0, left = 8.0, right = 8.0, top = 16.0, bottom = 18.0
        let logs = points.map { log10($0.1) }
        let lo = logs.min() ?? 0, hi = logs.max() ?? 1
        let span = max(hi - lo, 1e-9)
        let maxIteration = Double(max(points.last?.0 ?? 1, 1))
        let coords = zip(points, logs).map { p, l in
            String(format: "%.1f,%.1f", left + (w - left - right) * Double(p.0) / maxIteration,
                   top + (h - top - bottom) * (hi - l) / span)
        }.joined(separator: " ")
        let first = BatchReport.num(points.first?.1), last = BatchReport.num(points.last?.1)
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(w))" height="\(Int(h))" viewBox="0 0 \(Int(w)) \(Int(h))">\
        <rect x="0" y="0" width="\(Int(w))" height="\(Int(h))" fill="#fafafa" stroke="#ddd"/>\
        <polyline fill="none" stroke="#2060c0" stroke-width="1.5" points="\(coords)"/>\
        <text x="\(left)" y="12" font-size="10">total (log scale): \(first) → \(last)</text>\
        <text x="\(left)" y="\(h - 5)" font-size="10">iteration 0 … \(points.last?.0 ?? 0)</text></svg>
        """
    }
}
