/// Text helpers shared by the self-contained HTML pages (batch report, visualization index).
enum HTML {
    /// Escapes `&`, `<`, `>` and `"` so `s` is safe in element content and in
    /// double-quoted attribute values (the pages are also well-formed XML).
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}
