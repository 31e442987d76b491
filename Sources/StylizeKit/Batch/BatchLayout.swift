import Foundation

/// How a batch's results are arranged, shared by the HTML report and the contact sheet:
/// one section per (content, style) pair; within it, rows are the values of the first swept
/// option and columns the combinations of the others. With one sweep there is a single row
/// and the sweep's values run across. Without sweeps, one section: contents down the rows,
/// styles across.
public struct BatchLayout {
    public struct Section {
        /// `content-stem × style-stem`.
        public let title: String
        /// The section's inputs; nil in the content × style grid (no sweeps), where
        /// `rowInputs` and `columnInputs` hold them instead.
        public let content: String?, style: String?
        public var rowInputs: [String] = [], columnInputs: [String] = []
        /// Values of the row axis, e.g. `1e-3`; a single empty label when there is no row axis.
        public let rowLabels: [String]
        /// Values of the column axes, joined by `, `; a single empty label without column axes.
        public let columnLabels: [String]
        /// `cells[row][column]`: nil where no record exists (job not run yet or in another shard).
        public let cells: [[RunRecord?]]
    }

    public let sections: [Section]
    /// Name of the option that varies down the rows (the first `--sweep`), if any.
    public let rowAxis: String?
    /// Names of the options that vary across the columns (the other sweeps).
    public let columnAxes: [String]
    /// `rows: style-weight · columns: content-layers`, or empty without sweeps.
    public var axesText: String {
        var parts: [String] = []
        if let rowAxis { parts.append("rows: \(rowAxis)") }
        if !columnAxes.isEmpty { parts.append("columns: \(columnAxes.joined(separator: ", "))") }
        return parts.joined(separator: " · ")
    }
    /// Options whose value differs between jobs (swept options first), for captions.
    public let differingParams: [String]
    /// Options with one value across all jobs.
    public let commonParams: [(String, String)]

    public init(records: [RunRecord]) {
        let records = RunRecord.latest(records)
        // Axes and their values, in first-seen order (records are in job order).
        var axes: [(name: String, values: [String])] = []
        for r in records {
            for s in r.sweep {
                if let i = axes.firstIndex(where: { $0.name == s.name }) {
                    if !axes[i].values.contains(s.value) { axes[i].values.append(s.value) }
                } else {
                    axes.append((s.name, [s.value]))
                }
            }
        }
        var pairs: [(String, String)] = []
        for r in records where !pairs.contains(where: { $0 == (r.content, r.style) }) { pairs.append((r.content, r.style)) }
        if axes.isEmpty && pairs.count > 1 {
            var contents: [String] = [], styles: [String] = []
            for (c, s) in pairs {
                if !contents.contains(c) { contents.append(c) }
                if !styles.contains(s) { styles.append(s) }
            }
            let cells = contents.map { c in styles.map { s in records.first { $0.content == c && $0.style == s } } }
            var section = Section(title: "content × style", content: nil, style: nil, rowLabels: contents.map(FileNaming.stem),
                                  columnLabels: styles.map(FileNaming.stem), cells: cells)
            section.rowInputs = contents
            section.columnInputs = styles
            sections = [section]
            rowAxis = "content"
            columnAxes = ["style"]
        } else {
            (sections, rowAxis, columnAxes) = BatchLayout.sweepSections(records: records, axes: axes, pairs: pairs)
        }
        var keys: [String] = []
        for r in records { for k in r.params.keys.sorted() where !keys.contains(k) { keys.append(k) } }
        let differing = keys.filter { k in Set(records.map { $0.params[k] ?? "" }).count > 1 }
        differingParams = axes.map(\.name) + differing.filter { d in !axes.contains { $0.name == d } }
        commonParams = keys.filter { !differing.contains($0) }.map { ($0, records.first?.params[$0] ?? "") }
    }

    /// One section per (content, style) pair, with the sweeps as its grid.
    static func sweepSections(records: [RunRecord], axes: [(name: String, values: [String])],
                              pairs: [(String, String)]) -> ([Section], String?, [String]) {
        func label(_ settings: [SweepSetting]) -> String { settings.map(\.value).joined(separator: ", ") }
        // A single sweep runs across (one row per pair reads like a filmstrip); with more,
        // the first sweep goes down the rows and the others across.
        let rowAxis = axes.count >= 2 ? axes.first : nil
        let columnAxes = axes.dropFirst(axes.count >= 2 ? 1 : 0).map { SweepAxis(name: $0.name, values: $0.values) }
        let rows: [[SweepSetting]] = rowAxis.map { a in a.values.map { [SweepSetting(name: a.name, value: $0)] } } ?? [[]]
        let columns = BatchPlan.combinations(Array(columnAxes))

        let sections = pairs.map { pair in
            let mine = records.filter { ($0.content, $0.style) == pair }
            let cells = rows.map { row in
                columns.map { column in mine.first { $0.sweep == row + column } }
            }
            return Section(title: "\(FileNaming.stem(pair.0)) × \(FileNaming.stem(pair.1))", content: pair.0, style: pair.1,
                           rowLabels: rows.map(label), columnLabels: columns.map(label), cells: cells)
        }
        return (sections, rowAxis?.name, columnAxes.map(\.name))
    }

    /// Short caption of a job: its differing options, e.g. `style-weight=0.001 seed=2`.
    public func caption(_ r: RunRecord) -> String {
        differingParams.map { name in "\(name)=\(r.sweep.first { $0.name == name }?.value ?? r.params[name] ?? "–")" }
            .joined(separator: " ")
    }
}

/// Path of `target` relative to the folder `base` (both made absolute against the current
/// folder), so the report refers to inputs and outputs by relative links.
func relativePath(from base: String, to target: String) -> String {
    func components(_ p: String) -> [String] {
        FileSystem.absolute(p).split(separator: "/").map(String.init)
    }
    let b = components(base), t = components(target)
    var common = 0
    while common < b.count && common < t.count && b[common] == t[common] { common += 1 }
    let up = Array(repeating: "..", count: b.count - common)
    return (up + t[common...]).joined(separator: "/")
}
