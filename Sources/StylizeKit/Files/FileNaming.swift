import Foundation

/// How stylize names files and prints numbers, in one place: output names, intermediate
/// images, dump folders, the progress line and the batch report all use these.
public enum FileNaming {
    /// `dir/photo.png` → `photo`.
    public static func stem(_ path: String) -> String {
        URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }

    /// `7` with width 4 → `0007`; wider numbers are kept whole.
    public static func zeroPadded(_ n: Int, width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}

/// Numbers and durations as the progress line, the batch estimate and the report print them.
public enum NumberText {
    /// `1.234e+05` for large or tiny values, `12.34` otherwise.
    public static func loss(_ v: Double) -> String {
        String(format: abs(v) >= 1e4 || (abs(v) < 1e-2 && v != 0) ? "%.3e" : "%.2f", v)
    }

    /// `2 h 5 min`, `3 min 20 s`, `12 s`, or `0.4 s` below ten seconds.
    public static func duration(_ seconds: Double) -> String {
        let t = Int(seconds.rounded())
        if t >= 3600 { return "\(t / 3600) h \(t % 3600 / 60) min" }
        if t >= 60 { return "\(t / 60) min \(t % 60) s" }
        return seconds < 10 ? String(format: "%.1f s", seconds) : "\(t) s"
    }
}
