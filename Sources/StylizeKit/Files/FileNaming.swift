import Foundation

/// How stylize names files and prints numbers, in one place: output names, intermediate
/// images, dump folders, the progress line and the batch report all use these.
public enum FileNaming {
    /// `dir/photo.png` → `photo`.
    public static func stem(_ path: String) -> String {
        URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }

    /// `photo_monet.png` from `["photo", "monet"]`: the default output name, cut (with a
    /// hash, see `fitted`) so that it fits the 255 bytes file systems allow a name.
    public static func outputName(stems: [String]) -> String {
        fitted(stems.joined(separator: "_"), maxBytes: 255 - ".png".utf8.count) + ".png"
    }

    /// `path` if nothing is there (not even a dangling symbolic link), otherwise the first of
    /// `stem-2.ext`, `stem-3.ext`, … in the same folder that names nothing: a name stylize makes
    /// up never replaces a file. The stem is cut (see `fitted`) so that each fits 255 bytes.
    public static func unused(_ path: String, isTaken: (String) -> Bool = entryExists) -> String {
        guard isTaken(path) else { return path }
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let ext = (name as NSString).pathExtension, stem = (name as NSString).deletingPathExtension
        var n = 2
        while true {
            let suffix = "-\(n)" + (ext.isEmpty ? "" : "." + ext)
            let candidate = (folder as NSString).appendingPathComponent(fitted(stem, maxBytes: 255 - suffix.utf8.count) + suffix)
            if !isTaken(candidate) { return candidate }
            n += 1
        }
    }

    /// Whether anything (a file, a folder, a symbolic link, dangling or not) is at `path`.
    public static func entryExists(_ path: String) -> Bool { FileSystem.lstat(path) != nil }

    /// `name` if it is at most `maxBytes` bytes of UTF-8; otherwise its longest prefix (whole
    /// characters) that leaves room for `~` and eight hex digits of `hash(name)`, followed by
    /// them. Deterministic, so a batch names a job the same way every time; names that differ
    /// only after the cut still come out different (unless their 32-bit hashes collide).
    public static func fitted(_ name: String, maxBytes: Int) -> String {
        guard name.utf8.count > maxBytes else { return name }
        let tail = "~" + hex8(hash(name))
        var prefix = ""
        var bytes = 0
        for ch in name {
            let n = String(ch).utf8.count
            if bytes + n > max(0, maxBytes - tail.utf8.count) { break }
            prefix.append(ch)
            bytes += n
        }
        return prefix + tail
    }

    /// FNV-1a over the UTF-8 bytes: stable across runs and machines (Swift's `Hasher` is seeded per process).
    static func hash(_ s: String) -> UInt32 {
        var h: UInt32 = 0x811C_9DC5
        for b in s.utf8 { h = (h ^ UInt32(b)) &* 0x0100_0193 }
        return h
    }

    static func hex8(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 8 - s.count) + s
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
